// LifecycleService: policy storage, plan() over a real repository, run() (expiry, archive,
// indexes, referrers, re-checks), previews, counters and audit records. A real SQLite file, the
// in-memory blob fake and a FakeClock (registry_fixture.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "events/audit.hpp"
#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using namespace std::chrono_literals;
using lifecycle::Outcome;
using registry::ImageId;
using registry::StatusFilter;

constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::chrono::milliseconds kDay = 24h;

// ---- policy text ----

std::string rule(int priority, const std::string& selection,
                 const std::string& action = R"({"type": "expire"})") {
    return fmt::format(R"({{"rulePriority": {}, "selection": {{{}}}, "action": {}}})", priority,
                       selection, action);
}
std::string policy(const std::vector<std::string>& rules) {
    std::string text = R"({"rules": [)";
    for (std::size_t i = 0; i < rules.size(); ++i) {
        text += (i == 0 ? "" : ", ") + rules[i];
    }
    text += "]}";
    if (text.size() < 100) {  // ECR's minimum length
        text.append(100 - text.size(), ' ');
    }
    return text;
}
std::string tagged_count(const std::string& prefix, int n) {
    return fmt::format(
        R"("tagStatus": "tagged", "tagPrefixList": ["{}"], "countType": "imageCountMoreThan", )"
        R"("countNumber": {})",
        prefix, n);
}
std::string tagged_pattern_count(const std::string& pattern, int n) {
    return fmt::format(
        R"("tagStatus": "tagged", "tagPatternList": ["{}"], "countType": "imageCountMoreThan", )"
        R"("countNumber": {})",
        pattern, n);
}
std::string tagged_since(const std::string& prefix, const std::string& type, int days) {
    return fmt::format(R"("tagStatus": "tagged", "tagPrefixList": ["{}"], "countType": "{}", )"
                       R"("countUnit": "days", "countNumber": {})",
                       prefix, type, days);
}
std::string untagged_since(int days) {
    return fmt::format(
        R"("tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", )"
        R"("countNumber": {})",
        days);
}
const std::string kTransition = R"({"type": "transition", "targetStorageClass": "archive"})";

// The brief's three rules: prod* protected, the newest 2 ci- images kept, untagged older than 7
// days expired.
const std::string kThreeRules =
    policy({rule(1, tagged_pattern_count("prod*", 9999)), rule(2, tagged_count("ci-", 2)),
            rule(3, untagged_since(7))});

std::string kind_of(const Error& e) {
    if (e.detail.is_object() && e.detail.contains("kind") && e.detail["kind"].is_string()) {
        return e.detail["kind"].get<std::string>();
    }
    return "";
}

// ---- test doubles ----

// Keeps every audit record appended to it.
class RecordingSink final : public events::AuditSink {
public:
    void append(events::AuditRecord record) override {
        std::lock_guard lock(mutex_);
        records_.push_back(std::move(record));
    }
    std::vector<events::AuditRecord> records() {
        std::lock_guard lock(mutex_);
        return records_;
    }

private:
    std::mutex mutex_;
    std::vector<events::AuditRecord> records_;
};

// Forwards to the real store; runs `after_next_read` once, right after the next read() returns.
// For run(): between the evaluation (one read snapshot) and the writes that act on it.
class HookedStore final : public storage::MetadataStore {
public:
    explicit HookedStore(storage::MetadataStore& inner) : inner_(inner) {}
    Result<void> read(const TxFn& fn) override {
        auto result = inner_.read(fn);
        if (after_next_read) {
            auto hook = std::move(after_next_read);
            after_next_read = nullptr;
            hook();
        }
        return result;
    }
    Result<void> write(const TxFn& fn) override { return inner_.write(fn); }

    std::function<void()> after_next_read;

private:
    storage::MetadataStore& inner_;
};

class Lifecycle : public RegistryTest {
protected:
    void SetUp() override {
        RegistryTest::SetUp();
        hooked_ = std::make_unique<HookedStore>(*meta_);
        registry_ = std::make_unique<registry::Registry>(
            registry::ServiceContext{blobs_, *hooked_, clock_, options()});
    }
    void TearDown() override { registry_.reset(); }  // before the store it borrows

    registry::LifecycleService& service() { return registry_->lifecycle; }

    // An image manifest over config "{}" and one layer, pushed under `reference` (a tag, or ""
    // for untagged: by digest). Returns its digest; the body is kept for re-tagging.
    model::Digest push(std::string_view name, std::string_view reference, std::string_view layer) {
        const auto body = image_manifest(name, layer);
        return put(name, reference, kOci, body);
    }
    model::Digest push_index(std::string_view name, std::string_view reference,
                             const std::vector<model::Digest>& children) {
        nlohmann::json manifests = nlohmann::json::array();
        for (const auto& c : children) {
            manifests.push_back({{"mediaType", media_types_.at(c.str())},
                                 {"digest", c.str()},
                                 {"size", bodies_.at(c.str()).size()}});
        }
        const auto body =
            nlohmann::json{{"schemaVersion", 2}, {"mediaType", kIndex}, {"manifests", manifests}}
                .dump();
        return put(name, reference, kIndex, body);
    }
    // An artifact (signature, SBOM) whose subject is `subject`, pushed untagged.
    model::Digest push_referrer(std::string_view name, const model::Digest& subject,
                                std::string_view type) {
        const auto empty = push_blob(name, "{}");
        const auto body = nlohmann::json{{"schemaVersion", 2},
                                         {"mediaType", kOci},
                                         {"artifactType", type},
                                         {"config",
                                          {{"mediaType", "application/vnd.oci.empty.v1+json"},
                                           {"digest", empty.str()},
                                           {"size", 2}}},
                                         {"layers", nlohmann::json::array()},
                                         {"subject",
                                          {{"mediaType", media_types_.at(subject.str())},
                                           {"digest", subject.str()},
                                           {"size", bodies_.at(subject.str()).size()}}}}
                              .dump();
        return put(name, "", kOci, body);
    }
    model::Digest put(std::string_view name, std::string_view reference, std::string_view type,
                      const std::string& body) {
        const auto digest = model::Digest::of(body);
        const std::string r = reference.empty() ? digest.str() : std::string(reference);
        auto pushed = registry_->manifests.put(caller_, repo(name), ref(r), type, body);
        EXPECT_TRUE(pushed) << pushed.error().message;
        bodies_[digest.str()] = body;
        media_types_[digest.str()] = std::string(type);
        return digest;
    }
    // Points another tag at an image pushed before.
    registry::PushedManifest retag(std::string_view name, const model::Digest& d,
                                   std::string_view tag) {
        auto pushed = registry_->manifests.put(caller_, repo(name), ref(tag),
                                               media_types_.at(d.str()), bodies_.at(d.str()));
        if (!pushed) {
            ADD_FAILURE() << pushed.error().message;
            return registry::PushedManifest{d, std::nullopt, "", false};
        }
        return *pushed;
    }

    bool exists(std::string_view name, const model::Digest& d) {
        return registry_->images.get(repo(name), {ImageId{d.str(), std::nullopt}})
                   .value()
                   .found.size() == 1;
    }
    bool pullable(std::string_view name, std::string_view reference) {
        return registry_->manifests.get(caller_, repo(name), ref(reference), "").has_value();
    }
    std::vector<std::string> listed(std::string_view name,
                                    StatusFilter filter = StatusFilter::active) {
        auto page = registry_->images.list(repo(name), registry::TagStatus::any, std::nullopt, 1000,
                                           filter);
        EXPECT_TRUE(page) << page.error().message;
        std::vector<std::string> out;
        for (const auto& i : page->first) {
            out.push_back(i.manifest.digest.str());
        }
        return out;
    }

    static const registry::PlannedImage* find(const registry::LifecyclePlan& plan,
                                              const model::Digest& d) {
        for (const auto& image : plan.images) {
            if (image.digest == d) {
                return &image;
            }
        }
        return nullptr;
    }
    static lifecycle::Decision decision(const registry::LifecyclePlan& plan,
                                        const model::Digest& d) {
        const auto* image = find(plan, d);
        if (image == nullptr) {
            ADD_FAILURE() << d.str() << " is not in the plan";
            return {};
        }
        return image->decision;
    }

    std::unique_ptr<HookedStore> hooked_;
    std::map<std::string, std::string> bodies_;
    std::map<std::string, std::string> media_types_;
};

std::vector<std::string> sorted(std::vector<model::Digest> ds) {
    std::sort(ds.begin(), ds.end());
    std::vector<std::string> out;
    for (const auto& d : ds) {
        out.push_back(d.str());
    }
    return out;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// The scenario of the three-rule policy, pushed over ten days of the FakeClock.
struct Scenario {
    model::Digest prod;   // day 0, tags prod-1 and ci-0: protected by rule 1
    model::Digest u_old;  // day 0, untagged: expired by rule 3 at day 10
    model::Digest ci1;    // day 1: 4th newest ci-: expired
    model::Digest ci2;    // day 2: 3rd newest ci-: expired
    model::Digest ci3;    // day 3: kept
    model::Digest ci4;    // day 4: kept
    model::Digest dev;    // day 5, tag dev-1: no rule
    model::Digest u_new;  // day 6, untagged: kept at day 10, expired at day 14
    TimePoint start;
};

class LifecycleScenario : public Lifecycle {
protected:
    Scenario push_scenario() {
        const TimePoint start = clock_.now();
        const auto prod = push("app", "prod-1", "prod layer");
        retag("app", prod, "ci-0");
        const auto u_old = push("app", "", "old untagged layer");
        clock_.advance(kDay);
        const auto ci1 = push("app", "ci-1", "ci layer 1");
        clock_.advance(kDay);
        const auto ci2 = push("app", "ci-2", "ci layer 2");
        clock_.advance(kDay);
        const auto ci3 = push("app", "ci-3", "ci layer 3");
        clock_.advance(kDay);
        const auto ci4 = push("app", "ci-4", "ci layer 4");
        clock_.advance(kDay);
        const auto dev = push("app", "dev-1", "dev layer");
        clock_.advance(kDay);
        const auto u_new = push("app", "", "new untagged layer");
        clock_.advance(4 * kDay);  // day 10
        return Scenario{prod, u_old, ci1, ci2, ci3, ci4, dev, u_new, start};
    }
};

// ---- policy storage ----

TEST_F(Lifecycle, PutPolicyValidatesAndStoresNothingWhenInvalid) {
    push("app", "v1", "layer");
    for (const std::string& bad :
         {std::string("not json"), std::string("{}"), policy({rule(1, untagged_since(0))})}) {
        auto put = service().put_policy(repo("app"), bad);
        ASSERT_FALSE(put) << bad;
        EXPECT_EQ(put.error().code, Errc::bad_request) << bad;
        EXPECT_FALSE(put.error().message.empty());
    }
    auto got = service().get_policy(repo("app"));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, Errc::not_found);
    EXPECT_EQ(kind_of(got.error()), "lifecycle_policy");
    EXPECT_TRUE(contains(got.error().message, "app")) << got.error().message;
}

TEST_F(Lifecycle, PutStoresGetReadsPutReplacesDeleteReturnsTheOldRecord) {
    push("app", "v1", "layer");
    const auto first_at = clock_.now();
    auto put = service().put_policy(repo("app"), kThreeRules);
    ASSERT_TRUE(put) << put.error().message;
    EXPECT_EQ(put->text, kThreeRules);
    EXPECT_EQ(put->updated_at, first_at);
    EXPECT_EQ(put->evaluated_at, std::nullopt);
    auto got = service().get_policy(repo("app"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, kThreeRules);
    EXPECT_EQ(got->updated_at, first_at);

    clock_.advance(1h);
    const std::string second = policy({rule(1, untagged_since(3))});
    auto replaced = service().put_policy(repo("app"), second);
    ASSERT_TRUE(replaced) << replaced.error().message;
    EXPECT_EQ(replaced->text, second);
    EXPECT_EQ(replaced->updated_at, clock_.now());
    EXPECT_EQ(service().get_policy(repo("app"))->text, second);

    // An invalid replacement leaves the stored policy as it was.
    EXPECT_EQ(service().put_policy(repo("app"), "{}").error().code, Errc::bad_request);
    EXPECT_EQ(service().get_policy(repo("app"))->text, second);

    auto removed = service().delete_policy(repo("app"));
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_EQ(removed->text, second);
    EXPECT_EQ(removed->updated_at, clock_.now());
    EXPECT_EQ(service().get_policy(repo("app")).error().code, Errc::not_found);
    auto again = service().delete_policy(repo("app"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::not_found);
    EXPECT_EQ(kind_of(again.error()), "lifecycle_policy");
}

TEST_F(Lifecycle, EveryOperationNeedsTheRepository) {
    const auto missing = repo("missing");
    EXPECT_EQ(service().put_policy(missing, kThreeRules).error().code, Errc::name_unknown);
    EXPECT_EQ(service().get_policy(missing).error().code, Errc::name_unknown);
    EXPECT_EQ(service().delete_policy(missing).error().code, Errc::name_unknown);
    EXPECT_EQ(service().plan(missing, kThreeRules, clock_.now()).error().code, Errc::name_unknown);
    EXPECT_EQ(service().inventory(missing, clock_.now()).error().code, Errc::name_unknown);
    EXPECT_EQ(service().run(missing, false).error().code, Errc::name_unknown);
    EXPECT_EQ(service().start_preview(missing, kThreeRules).error().code, Errc::name_unknown);
    EXPECT_EQ(service().get_preview(missing).error().code, Errc::name_unknown);
    // Validation comes first: an invalid policy is bad_request whatever the repository.
    EXPECT_EQ(service().put_policy(missing, "{}").error().code, Errc::bad_request);
}

// ---- plan ----

TEST_F(LifecycleScenario, PlanDecidesEachImageByTheThreeRules) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now());
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->policy_text, kThreeRules);
    EXPECT_EQ(plan->at, clock_.now());
    EXPECT_NE(plan->repo_id, 0);
    ASSERT_EQ(plan->images.size(), 8u);
    EXPECT_TRUE(std::is_sorted(plan->images.begin(), plan->images.end(),
                               [](const auto& a, const auto& b) { return a.digest < b.digest; }));

    struct Expected {
        const char* name;
        model::Digest digest;
        Outcome outcome;
        std::optional<std::int64_t> priority;
        std::string reason;
    };
    const std::vector<Expected> expected{
        {"prod", s.prod, Outcome::kept, 1,
         "kept: protected by rule 1 (tagged prod*); rule 2 would expire it"},
        {"ci4", s.ci4, Outcome::kept, 2, "kept: newest 2 of rule 2 (this is 1st)"},
        {"ci3", s.ci3, Outcome::kept, 2, "kept: newest 2 of rule 2 (this is 2nd)"},
        {"ci2", s.ci2, Outcome::expire, 2,
         "expired by rule 2: 3rd newest of tagged prefix ci- (keeps 2)"},
        {"ci1", s.ci1, Outcome::expire, 2,
         "expired by rule 2: 4th newest of tagged prefix ci- (keeps 2)"},
        {"u_old", s.u_old, Outcome::expire, 3,
         "expired by rule 3: untagged, pushed 10 days ago > 7"},
        {"u_new", s.u_new, Outcome::kept, 3,
         "kept: rule 3 selects untagged images pushed more than 7 days ago; pushed 4 days ago"},
        {"dev", s.dev, Outcome::kept, std::nullopt, "kept: no rule selects it"},
    };
    for (const auto& e : expected) {
        const auto* image = find(*plan, e.digest);
        ASSERT_NE(image, nullptr) << e.name;
        EXPECT_EQ(image->decision.outcome, e.outcome) << e.name;
        EXPECT_EQ(image->decision.rule_priority, e.priority) << e.name;
        EXPECT_EQ(image->decision.reason, e.reason) << e.name;
        EXPECT_FALSE(image->listed_by_index()) << e.name;
        EXPECT_EQ(image->status, storage::ImageStatus::active) << e.name;
        EXPECT_GT(image->image_size, 0u) << e.name;
    }
    // What evaluation saw.
    const auto* prod = find(*plan, s.prod);
    auto prod_tags = prod->tags;
    std::sort(prod_tags.begin(), prod_tags.end());
    EXPECT_EQ(prod_tags, (std::vector<std::string>{"ci-0", "prod-1"}));
    EXPECT_EQ(prod->pushed_at, s.start);
    EXPECT_TRUE(find(*plan, s.u_old)->tags.empty());
    EXPECT_EQ(find(*plan, s.ci1)->pushed_at, s.start + kDay);
    // image_size: config "{}" (2 bytes) plus the layer.
    EXPECT_EQ(find(*plan, s.ci1)->image_size, 2u + std::string_view("ci layer 1").size());
}

TEST_F(LifecycleScenario, ADraftOverridesTheStoredPolicy) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    const std::string draft = policy({rule(1, tagged_since("dev", "sinceImagePushed", 1))});
    auto plan = service().plan(repo("app"), draft, clock_.now());
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->policy_text, draft);
    for (const auto& image : plan->images) {
        const bool is_dev = image.digest == s.dev;
        EXPECT_EQ(image.decision.outcome, is_dev ? Outcome::expire : Outcome::kept)
            << image.digest.str() << ": " << image.decision.reason;
    }
    EXPECT_EQ(decision(*plan, s.dev).reason,
              "expired by rule 1: tagged prefix dev, pushed 5 days ago > 1");
    // The stored policy is untouched by a draft.
    EXPECT_EQ(service().get_policy(repo("app"))->text, kThreeRules);
    // An invalid draft is refused like an invalid put.
    EXPECT_EQ(service().plan(repo("app"), std::string("{}"), clock_.now()).error().code,
              Errc::bad_request);
}

TEST_F(LifecycleScenario, PlanWithoutAnyPolicyIsNotFoundButADraftIsEnough) {
    push_scenario();
    auto none = service().plan(repo("app"), std::nullopt, clock_.now());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    EXPECT_EQ(kind_of(none.error()), "lifecycle_policy");
    EXPECT_TRUE(service().plan(repo("app"), kThreeRules, clock_.now()));
}

TEST_F(LifecycleScenario, ALaterAtChangesAgeBasedDecisionsOnly) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    auto now = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    auto later = service().plan(repo("app"), std::nullopt, clock_.now() + 4 * kDay).value();
    EXPECT_EQ(later.at, clock_.now() + 4 * kDay);
    EXPECT_EQ(decision(now, s.u_new).outcome, Outcome::kept);
    EXPECT_EQ(decision(later, s.u_new).outcome, Outcome::expire);
    EXPECT_EQ(decision(later, s.u_new).reason,
              "expired by rule 3: untagged, pushed 8 days ago > 7");
    EXPECT_EQ(decision(later, s.u_old).reason,
              "expired by rule 3: untagged, pushed 14 days ago > 7");
    // Count rules do not depend on time.
    for (const auto& d : {s.prod, s.ci1, s.ci2, s.ci3, s.ci4, s.dev}) {
        EXPECT_EQ(decision(later, d).outcome, decision(now, d).outcome) << d.str();
    }
    // And an earlier `at` than the push of u_old keeps it.
    auto early = service().plan(repo("app"), std::nullopt, s.start + 7 * kDay).value();
    EXPECT_EQ(decision(early, s.u_old).outcome, Outcome::kept);
    // plan() changes nothing, whatever it says.
    EXPECT_EQ(listed("app").size(), 8u);
    EXPECT_EQ(service().get_policy(repo("app"))->evaluated_at, std::nullopt);
}

TEST_F(LifecycleScenario, InventoryKeepsEverythingWithoutAPolicy) {
    push_scenario();
    auto inventory = service().inventory(repo("app"), clock_.now());
    ASSERT_TRUE(inventory) << inventory.error().message;
    ASSERT_EQ(inventory->images.size(), 8u);
    EXPECT_TRUE(inventory->policy_text.empty());
    for (const auto& image : inventory->images) {
        EXPECT_EQ(image.decision.outcome, Outcome::kept);
        EXPECT_EQ(image.decision.reason, "kept: the repository has no lifecycle policy");
    }
}

// ---- run ----

TEST_F(LifecycleScenario, RunExpiresExactlyWhatThePlanSaid) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    std::vector<model::Digest> expire;
    std::vector<model::Digest> keep;
    std::uint64_t bytes = 0;
    for (const auto& image : plan.images) {
        if (image.decision.outcome == Outcome::expire) {
            expire.push_back(image.digest);
            bytes += image.image_size;
        } else {
            keep.push_back(image.digest);
        }
    }
    ASSERT_EQ(sorted(expire), sorted({s.ci1, s.ci2, s.u_old}));
    const auto expired_before = service().expired_total();

    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->repo, repo("app"));
    EXPECT_EQ(run->expired, 3u);
    EXPECT_EQ(run->transitioned, 0u);
    EXPECT_EQ(run->skipped, 0u);
    EXPECT_EQ(run->bytes_expired, bytes);
    EXPECT_EQ(service().expired_total(), expired_before + 3);
    EXPECT_EQ(service().transitioned_total(), 0u);

    for (const auto& d : expire) {
        EXPECT_FALSE(exists("app", d)) << d.str();
        EXPECT_FALSE(pullable("app", d.str())) << d.str();
    }
    for (const auto* tag : {"ci-1", "ci-2"}) {
        auto got = registry_->manifests.get(caller_, repo("app"), ref(tag), "");
        ASSERT_FALSE(got) << tag;
        EXPECT_EQ(got.error().code, Errc::manifest_unknown) << tag;
    }
    for (const auto* tag : {"prod-1", "ci-0", "ci-3", "ci-4", "dev-1"}) {
        EXPECT_TRUE(pullable("app", tag)) << tag;
    }
    EXPECT_TRUE(pullable("app", s.u_new.str()));
    EXPECT_EQ(listed("app"), sorted(keep));
    EXPECT_EQ(service().get_policy(repo("app"))->evaluated_at, clock_.now());
}

TEST_F(LifecycleScenario, DryRunCountsButChangesNothing) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    RecordingSink sink;
    registry_->audit.attach(&sink);
    auto dry = service().run(repo("app"), true);
    ASSERT_TRUE(dry) << dry.error().message;
    EXPECT_EQ(dry->expired, 3u);
    EXPECT_EQ(dry->transitioned, 0u);
    EXPECT_EQ(dry->skipped, 0u);
    EXPECT_EQ(dry->bytes_expired, 2u * 3 + std::string_view("ci layer 1").size() +
                                      std::string_view("ci layer 2").size() +
                                      std::string_view("old untagged layer").size());
    EXPECT_EQ(listed("app").size(), 8u);
    EXPECT_TRUE(exists("app", s.u_old));
    EXPECT_TRUE(pullable("app", "ci-1"));
    EXPECT_EQ(service().get_policy(repo("app"))->evaluated_at, std::nullopt);
    EXPECT_EQ(service().expired_total(), 0u);
    EXPECT_TRUE(sink.records().empty());
    registry_->audit.attach(nullptr);
}

TEST_F(LifecycleScenario, RunTwiceIsIdempotent) {
    push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    ASSERT_EQ(service().run(repo("app"), false)->expired, 3u);
    const auto after_first = listed("app");
    const auto first_evaluated = service().get_policy(repo("app"))->evaluated_at;
    clock_.advance(1h);
    auto second = service().run(repo("app"), false);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->expired, 0u);
    EXPECT_EQ(second->transitioned, 0u);
    EXPECT_EQ(second->skipped, 0u);
    EXPECT_EQ(second->bytes_expired, 0u);
    EXPECT_EQ(listed("app"), after_first);
    EXPECT_EQ(service().expired_total(), 3u);
    // Each run records its own evaluation time.
    EXPECT_NE(service().get_policy(repo("app"))->evaluated_at, first_evaluated);
    EXPECT_EQ(service().get_policy(repo("app"))->evaluated_at, clock_.now());
}

TEST_F(LifecycleScenario, AnImageRetaggedBeforeTheRunIsJudgedByItsNewTags) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    // u_old gains a tag no rule selects; ci-1 gains a protected one.
    retag("app", s.u_old, "keep-me");
    retag("app", s.ci1, "prod-2");
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->skipped, 0u);
    // ci-: ci-4, ci-3 newest; ci-2 and ci-1 (now protected) beyond, and prod-1's ci-0 too.
    EXPECT_EQ(run->expired, 1u);
    EXPECT_FALSE(exists("app", s.ci2));
    EXPECT_TRUE(exists("app", s.u_old));
    EXPECT_TRUE(pullable("app", "keep-me"));
    EXPECT_TRUE(exists("app", s.ci1));
    EXPECT_TRUE(pullable("app", "ci-1"));
    EXPECT_TRUE(pullable("app", "prod-2"));
}

TEST_F(LifecycleScenario, AnImageTaggedBetweenEvaluationAndActionIsSkipped) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    // run() reads one snapshot, then acts image by image: tag u_old in between.
    hooked_->after_next_read = [&] { retag("app", s.u_old, "late"); };
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_FALSE(hooked_->after_next_read);  // the hook ran
    EXPECT_EQ(run->expired, 2u);
    EXPECT_EQ(run->skipped, 1u);
    EXPECT_TRUE(exists("app", s.u_old));
    EXPECT_TRUE(pullable("app", "late"));
    EXPECT_FALSE(exists("app", s.ci1));
    EXPECT_FALSE(exists("app", s.ci2));
    // The next run judges it by its tag: no rule selects "late".
    EXPECT_EQ(service().run(repo("app"), false)->expired, 0u);
    EXPECT_TRUE(exists("app", s.u_old));
}

TEST_F(LifecycleScenario, AnImageListedByANewIndexBetweenEvaluationAndActionIsSkipped) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    std::optional<model::Digest> index;
    hooked_->after_next_read = [&] { index = push_index("app", "multi", {s.u_old}); };
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_TRUE(index);
    EXPECT_EQ(run->expired, 2u);
    EXPECT_EQ(run->skipped, 1u);
    EXPECT_TRUE(exists("app", s.u_old));
    EXPECT_TRUE(pullable("app", "multi"));
}

// ---- indexes ----

TEST_F(Lifecycle, ChildrenOfAProtectedIndexAreKept) {
    const auto a = push("app", "", "amd64 layer");
    const auto b = push("app", "", "arm64 layer");
    const auto index = push_index("app", "release-1", {a, b});
    clock_.advance(3 * kDay);
    ASSERT_TRUE(service().put_policy(
        repo("app"), policy({rule(1, tagged_count("release", 9999)), rule(2, untagged_since(1))})));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    EXPECT_EQ(decision(plan, index).outcome, Outcome::kept);
    EXPECT_FALSE(find(plan, index)->listed_by_index());
    for (const auto& child : {a, b}) {
        const auto d = decision(plan, child);
        EXPECT_EQ(d.outcome, Outcome::kept) << d.reason;
        EXPECT_EQ(d.reason, "kept: follows its index " + index.str());
        EXPECT_EQ(d.rule_priority, 1);
        EXPECT_TRUE(find(plan, child)->listed_by_index());
    }
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->expired, 0u);
    EXPECT_EQ(run->skipped, 0u);
    EXPECT_EQ(listed("app"), sorted({a, b, index}));
}

TEST_F(Lifecycle, AnExpiredIndexGoesWithItsUntaggedChildrenInOneRun) {
    const auto a = push("app", "", "amd64 layer");
    const auto b = push("app", "", "arm64 layer");
    const auto tagged_child = push("app", "debug", "debug layer");
    const auto index = push_index("app", "release-1", {a, b, tagged_child});
    const auto other = push("app", "latest", "latest layer");
    clock_.advance(3 * kDay);
    ASSERT_TRUE(service().put_policy(
        repo("app"), policy({rule(1, tagged_since("release", "sinceImagePushed", 1)),
                             rule(2, untagged_since(1))})));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    EXPECT_EQ(decision(plan, index).outcome, Outcome::expire);
    for (const auto& child : {a, b}) {
        EXPECT_EQ(decision(plan, child).outcome, Outcome::expire);
        EXPECT_EQ(decision(plan, child).reason, "expired with its index " + index.str());
    }
    EXPECT_EQ(decision(plan, tagged_child).outcome, Outcome::kept);  // no rule selects "debug"

    RecordingSink sink;
    registry_->audit.attach(&sink);
    auto run = service().run(repo("app"), false);
    registry_->audit.attach(nullptr);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->expired, 3u);
    EXPECT_EQ(run->skipped, 0u);
    EXPECT_FALSE(exists("app", index));
    EXPECT_FALSE(exists("app", a));
    EXPECT_FALSE(exists("app", b));
    EXPECT_TRUE(pullable("app", "debug"));
    EXPECT_EQ(listed("app"), sorted({tagged_child, other}));
    // The index went first: its children could not go while it listed them.
    const auto records = sink.records();
    ASSERT_EQ(records.size(), 3u);
    EXPECT_TRUE(records[0].resource.ends_with("@" + index.str())) << records[0].resource;
}

TEST_F(Lifecycle, NestedIndexesGoWholeInOneRun) {
    // An index of indexes: outer (tagged, expired) -> inner (untagged) -> two images (untagged).
    // Only a tag rule: nothing but following the outer index removes the untagged ones.
    // Pick leaf layers so that at least one leaf sorts before the inner index, the order in
    // which run() meets them among the manifests listed by an index.
    std::optional<model::Digest> outer;
    model::Digest inner = model::Digest::of("");
    std::vector<model::Digest> leaves;
    for (int attempt = 0; attempt < 50 && !outer; ++attempt) {
        const std::string name = fmt::format("nested{}", attempt);
        leaves = {push(name, "", fmt::format("leaf a {}", attempt)),
                  push(name, "", fmt::format("leaf b {}", attempt))};
        inner = push_index(name, "", leaves);
        if (std::none_of(leaves.begin(), leaves.end(),
                         [&](const model::Digest& d) { return d < inner; })) {
            continue;  // try other layers (in another repository)
        }
        outer = push_index(name, "release-1", {inner});
        clock_.advance(3 * kDay);
        ASSERT_TRUE(service().put_policy(
            repo(name), policy({rule(1, tagged_since("release", "sinceImagePushed", 1))})));
        auto plan = service().plan(repo(name), std::nullopt, clock_.now()).value();
        EXPECT_EQ(decision(plan, *outer).outcome, Outcome::expire);
        EXPECT_EQ(decision(plan, inner).outcome, Outcome::expire);
        for (const auto& leaf : leaves) {
            EXPECT_EQ(decision(plan, leaf).outcome, Outcome::expire) << decision(plan, leaf).reason;
        }
        auto run = service().run(repo(name), false);
        ASSERT_TRUE(run) << run.error().message;
        EXPECT_EQ(run->skipped, 0u) << "a leaf was handled before its parent index";
        EXPECT_EQ(run->expired, 4u);
        EXPECT_TRUE(listed(name).empty());
    }
    ASSERT_TRUE(outer) << "no layer choice put a leaf before its index";
}

TEST_F(Lifecycle, TransitionArchivesAnIndexWithItsChildrenAndRestoreBringsThemBack) {
    const auto a = push("app", "", "amd64 layer");
    const auto b = push("app", "", "arm64 layer");
    const auto index = push_index("app", "cold-1", {a, b});
    clock_.advance(31 * kDay);
    ASSERT_TRUE(service().put_policy(
        repo("app"), policy({rule(1, tagged_since("cold", "sinceImagePulled", 30), kTransition)})));
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->transitioned, 3u);
    EXPECT_EQ(run->expired, 0u);
    EXPECT_TRUE(listed("app").empty());
    EXPECT_EQ(listed("app", StatusFilter::archived), sorted({a, b, index}));

    auto restored = registry_->images.set_storage_class(
        repo("app"), ImageId{index.str(), std::nullopt}, storage::ImageStatus::active);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(restored->manifest.status, storage::ImageStatus::active);
    EXPECT_TRUE(listed("app", StatusFilter::archived).empty());
    EXPECT_EQ(listed("app"), sorted({a, b, index}));
    EXPECT_TRUE(pullable("app", "cold-1"));
    EXPECT_TRUE(pullable("app", a.str()));
}

TEST_F(Lifecycle, ANestedIndexIsArchivedWholeAndRestoredWhole) {
    // outer (tagged) -> inner index (untagged) -> leaf image (untagged).
    const auto leaf = push("app", "", "leaf");
    const auto inner = push_index("app", "", {leaf});
    const auto outer = push_index("app", "cold-x", {inner});
    clock_.advance(31 * kDay);
    ASSERT_TRUE(service().put_policy(
        repo("app"), policy({rule(1, tagged_since("cold", "sinceImagePulled", 30), kTransition)})));
    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->transitioned, 3u);
    EXPECT_EQ(run->skipped, 0u);
    EXPECT_EQ(listed("app", StatusFilter::archived), sorted({leaf, inner, outer}));

    ASSERT_TRUE(registry_->images.set_storage_class(repo("app"), ImageId{outer.str(), std::nullopt},
                                                    storage::ImageStatus::active));
    EXPECT_TRUE(listed("app", StatusFilter::archived).empty()) << "a nested leaf stayed archived";
    EXPECT_EQ(listed("app"), sorted({leaf, inner, outer}));
    EXPECT_TRUE(pullable("app", leaf.str()));
}

// ---- referrers ----

TEST_F(Lifecycle, AReferrerFollowsItsSubject) {
    const auto old_subject = push("app", "old-1", "old layer");
    const auto old_sig = push_referrer("app", old_subject, "signature");
    const auto new_subject = push("app", "new-1", "new layer");
    const auto new_sig = push_referrer("app", new_subject, "signature");
    clock_.advance(3 * kDay);
    // The untagged rule would select both (untagged, 3 days old) were they not referrers.
    ASSERT_TRUE(service().put_policy(
        repo("app"), policy({rule(1, tagged_since("old", "sinceImagePushed", 1)),
                             rule(2, tagged_count("new", 9999)), rule(3, untagged_since(1))})));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    EXPECT_EQ(decision(plan, old_sig).outcome, Outcome::expire);
    EXPECT_EQ(decision(plan, old_sig).reason, "expired with its subject " + old_subject.str());
    EXPECT_EQ(decision(plan, old_sig).rule_priority, 1);
    EXPECT_EQ(decision(plan, new_sig).outcome, Outcome::kept);
    EXPECT_EQ(decision(plan, new_sig).reason, "kept: follows its subject " + new_subject.str());

    auto run = service().run(repo("app"), false);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->expired, 2u);
    EXPECT_EQ(run->skipped, 0u);
    EXPECT_FALSE(exists("app", old_subject));
    EXPECT_FALSE(exists("app", old_sig));
    EXPECT_EQ(listed("app"), sorted({new_subject, new_sig}));
    auto referrers =
        registry_->referrers.list(caller_, repo("app"), new_subject, std::nullopt).value();
    ASSERT_EQ(referrers.manifests.size(), 1u);
    EXPECT_EQ(referrers.manifests[0].digest, new_sig);
}

// ---- transitions ----

class LifecycleArchive : public Lifecycle {
protected:
    // cold-1 pushed 31 days ago and never pulled; hot-1 pulled yesterday.
    void SetUp() override {
        Lifecycle::SetUp();
        cold_ = push("app", "cold-1", "cold layer");
        hot_ = push("app", "cold-hot", "hot layer");
        clock_.advance(30 * kDay);
        auto pulled = registry_->manifests.get(caller_, repo("app"), ref("cold-hot"), "");
        ASSERT_TRUE(pulled);
        registry_->pulls.note(pulled->repo_id, pulled->digest);
        ASSERT_TRUE(registry_->pulls.flush());
        clock_.advance(kDay);
        ASSERT_TRUE(service().put_policy(
            repo("app"),
            policy({rule(1, tagged_since("cold", "sinceImagePulled", 30), kTransition)})));
    }
    model::Digest cold_ = model::Digest::of("");
    model::Digest hot_ = model::Digest::of("");
};

TEST_F(LifecycleArchive, RunArchivesAndAPullThenSaysArchived) {
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    EXPECT_EQ(decision(plan, cold_).outcome, Outcome::transition);
    EXPECT_EQ(decision(plan, hot_).outcome, Outcome::kept);

    RecordingSink sink;
    registry_->audit.attach(&sink);
    auto run = service().run(repo("app"), false);
    registry_->audit.attach(nullptr);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->transitioned, 1u);
    EXPECT_EQ(run->expired, 0u);
    EXPECT_EQ(run->bytes_expired, 0u);
    EXPECT_EQ(service().transitioned_total(), 1u);
    EXPECT_EQ(service().expired_total(), 0u);

    EXPECT_EQ(listed("app"), sorted({hot_}));
    EXPECT_EQ(listed("app", StatusFilter::archived), sorted({cold_}));
    EXPECT_EQ(listed("app", StatusFilter::any), sorted({cold_, hot_}));
    for (const auto& reference : {std::string("cold-1"), cold_.str()}) {
        auto got = registry_->manifests.get(caller_, repo("app"), ref(reference), "");
        ASSERT_FALSE(got) << reference;
        EXPECT_EQ(got.error().code, Errc::manifest_unknown);
        EXPECT_TRUE(contains(got.error().message, "archived")) << got.error().message;
    }
    auto info = registry_->images.get(repo("app"), {ImageId{cold_.str(), std::nullopt}}).value();
    ASSERT_EQ(info.found.size(), 1u);
    EXPECT_EQ(info.found[0].manifest.status, storage::ImageStatus::archived);
    EXPECT_EQ(info.found[0].manifest.last_archived_at, clock_.now());
    EXPECT_EQ(info.found[0].tags, std::vector<std::string>{"cold-1"});  // tags stay

    const auto records = sink.records();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].principal, "wharf:lifecycle");
    EXPECT_EQ(records[0].action, "lifecycle:ArchiveImage");
    EXPECT_TRUE(records[0].resource.ends_with("@" + cold_.str())) << records[0].resource;
    EXPECT_EQ(records[0].detail, decision(plan, cold_).reason);

    // Archived images are not candidates of a standard rule: the next run does nothing.
    auto again = service().run(repo("app"), false);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->transitioned, 0u);
    EXPECT_EQ(again->skipped, 0u);
    EXPECT_EQ(service().transitioned_total(), 1u);
}

TEST_F(LifecycleArchive, SetStorageClassRestores) {
    ASSERT_EQ(service().run(repo("app"), false)->transitioned, 1u);
    ASSERT_FALSE(pullable("app", "cold-1"));
    clock_.advance(1h);
    auto restored = registry_->images.set_storage_class(
        repo("app"), ImageId{std::nullopt, "cold-1"}, storage::ImageStatus::active);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(restored->manifest.status, storage::ImageStatus::active);
    EXPECT_EQ(restored->manifest.last_activated_at, clock_.now());
    EXPECT_TRUE(pullable("app", "cold-1"));
    EXPECT_EQ(listed("app"), sorted({cold_, hot_}));
    EXPECT_TRUE(listed("app", StatusFilter::archived).empty());
    // Restored just now: sinceImagePulled ages from the restore, so it stays.
    EXPECT_EQ(service().run(repo("app"), false)->transitioned, 0u);
    EXPECT_TRUE(pullable("app", "cold-1"));
}

TEST_F(LifecycleArchive, PushingTheArchivedManifestAgainRestoresIt) {
    ASSERT_EQ(service().run(repo("app"), false)->transitioned, 1u);
    ASSERT_FALSE(pullable("app", "cold-1"));
    const auto pushed = retag("app", cold_, "cold-1");
    EXPECT_FALSE(pushed.unchanged);
    EXPECT_EQ(pushed.digest, cold_);
    EXPECT_TRUE(pullable("app", "cold-1"));
    EXPECT_EQ(listed("app"), sorted({cold_, hot_}));
    // A second identical push is unchanged again.
    EXPECT_TRUE(retag("app", cold_, "cold-1").unchanged);
}

// ---- previews ----

TEST_F(LifecycleScenario, PreviewWithoutARunnerIsComputedInline) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    const auto started = service().start_preview(repo("app"), std::nullopt);
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_EQ(started->policy_text, kThreeRules);
    EXPECT_EQ(started->started_at, clock_.now());

    auto preview = service().get_preview(repo("app"));
    ASSERT_TRUE(preview) << preview.error().message;
    EXPECT_EQ(preview->status, "COMPLETE");
    EXPECT_EQ(preview->policy_text, kThreeRules);
    EXPECT_EQ(preview->finished_at, clock_.now());
    const auto doc = nlohmann::json::parse(preview->results_json);
    const auto& results = doc.at("previewResults");
    ASSERT_TRUE(results.is_array());
    ASSERT_EQ(results.size(), 3u);
    std::map<std::string, std::int64_t> priority_of;
    for (const auto& r : results) {
        EXPECT_EQ(r.at("action").at("type"), "EXPIRE");
        EXPECT_FALSE(r.at("action").contains("targetStorageClass"));
        EXPECT_EQ(r.at("storageClass"), "STANDARD");
        EXPECT_TRUE(r.at("reason").get<std::string>().starts_with("expired by rule"));
        EXPECT_TRUE(r.at("imagePushedAt").is_number());
        priority_of[r.at("imageDigest").get<std::string>()] =
            r.at("appliedRulePriority").get<std::int64_t>();
    }
    EXPECT_EQ(priority_of, (std::map<std::string, std::int64_t>{
                               {s.ci1.str(), 2}, {s.ci2.str(), 2}, {s.u_old.str(), 3}}));
    for (const auto& r : results) {
        if (r.at("imageDigest") == s.ci1.str()) {
            EXPECT_EQ(r.at("imageTags"), nlohmann::json::array({"ci-1"}));
            EXPECT_DOUBLE_EQ(r.at("imagePushedAt").get<double>(),
                             static_cast<double>(to_unix_millis(s.start + kDay)) / 1000.0);
        }
        if (r.at("imageDigest") == s.u_old.str()) {
            EXPECT_EQ(r.at("imageTags"), nlohmann::json::array());
        }
    }
    EXPECT_EQ(doc.at("summary").at("expiringImageTotalCount"), 3);
    EXPECT_EQ(doc.at("summary").at("transitioningImageTotalCounts"), nlohmann::json::array());
    // A preview changes nothing.
    EXPECT_EQ(listed("app").size(), 8u);
    EXPECT_EQ(service().get_policy(repo("app"))->evaluated_at, std::nullopt);
}

TEST_F(LifecycleScenario, PreviewOfADraftNeedsNoStoredPolicy) {
    const auto s = push_scenario();
    const std::string draft = policy({rule(1, tagged_since("dev", "sinceImagePushed", 1))});
    auto started = service().start_preview(repo("app"), draft);
    ASSERT_TRUE(started) << started.error().message;
    auto preview = service().get_preview(repo("app")).value();
    EXPECT_EQ(preview.status, "COMPLETE");
    EXPECT_EQ(preview.policy_text, draft);
    const auto doc = nlohmann::json::parse(preview.results_json);
    ASSERT_EQ(doc.at("previewResults").size(), 1u);
    EXPECT_EQ(doc.at("previewResults")[0].at("imageDigest"), s.dev.str());
    EXPECT_EQ(doc.at("previewResults")[0].at("appliedRulePriority"), 1);
    // The draft is not stored as the policy.
    EXPECT_EQ(service().get_policy(repo("app")).error().code, Errc::not_found);
    // An invalid draft is refused before anything is stored.
    EXPECT_EQ(service().start_preview(repo("app"), std::string("{}")).error().code,
              Errc::bad_request);
    EXPECT_EQ(service().get_preview(repo("app"))->policy_text, draft);
}

TEST_F(LifecycleArchive, PreviewReportsTransitions) {
    ASSERT_TRUE(service().start_preview(repo("app"), std::nullopt));
    auto preview = service().get_preview(repo("app")).value();
    ASSERT_EQ(preview.status, "COMPLETE");
    const auto doc = nlohmann::json::parse(preview.results_json);
    ASSERT_EQ(doc.at("previewResults").size(), 1u);
    const auto& r = doc.at("previewResults")[0];
    EXPECT_EQ(r.at("imageDigest"), cold_.str());
    EXPECT_EQ(r.at("action").at("type"), "TRANSITION");
    EXPECT_EQ(r.at("action").at("targetStorageClass"), "ARCHIVE");
    EXPECT_EQ(r.at("appliedRulePriority"), 1);
    EXPECT_EQ(doc.at("summary").at("expiringImageTotalCount"), 0);
    EXPECT_EQ(
        doc.at("summary").at("transitioningImageTotalCounts"),
        nlohmann::json::parse(R"([{"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}])"));
}

TEST_F(LifecycleScenario, PreviewWithABusyRunnerStaysInProgressUntilItsJobRuns) {
    push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    std::vector<std::function<void()>> queued;
    service().set_preview_runner([&](std::function<void()> job) {
        queued.push_back(std::move(job));
        return true;
    });
    ASSERT_TRUE(service().start_preview(repo("app"), std::nullopt));
    ASSERT_EQ(queued.size(), 1u);
    auto pending = service().get_preview(repo("app")).value();
    EXPECT_EQ(pending.status, "IN_PROGRESS");
    EXPECT_EQ(pending.finished_at, std::nullopt);
    EXPECT_TRUE(pending.results_json.empty());

    auto second = service().start_preview(repo("app"), std::nullopt);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::in_use);
    EXPECT_EQ(kind_of(second.error()), "lifecycle_preview");
    EXPECT_EQ(queued.size(), 1u);  // nothing queued for the refused one

    clock_.advance(5s);
    queued.front()();
    auto done = service().get_preview(repo("app")).value();
    EXPECT_EQ(done.status, "COMPLETE");
    EXPECT_EQ(done.finished_at, clock_.now());
    EXPECT_EQ(nlohmann::json::parse(done.results_json).at("summary").at("expiringImageTotalCount"),
              3);
    // Finished: a new preview may start.
    EXPECT_TRUE(service().start_preview(repo("app"), std::nullopt));
    EXPECT_EQ(queued.size(), 2u);
}

TEST_F(LifecycleScenario, PreviewWithAFullRunnerIsComputedInline) {
    push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    int offered = 0;
    service().set_preview_runner([&](std::function<void()>) {
        ++offered;
        return false;  // full
    });
    ASSERT_TRUE(service().start_preview(repo("app"), std::nullopt));
    EXPECT_EQ(offered, 1);
    EXPECT_EQ(service().get_preview(repo("app"))->status, "COMPLETE");
}

TEST_F(Lifecycle, PreviewErrors) {
    push("app", "v1", "layer");
    auto none = service().get_preview(repo("app"));
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    EXPECT_EQ(kind_of(none.error()), "lifecycle_preview");

    auto no_policy = service().start_preview(repo("app"), std::nullopt);
    ASSERT_FALSE(no_policy);
    EXPECT_EQ(no_policy.error().code, Errc::not_found);
    EXPECT_EQ(kind_of(no_policy.error()), "lifecycle_policy");
    // Nothing was started.
    EXPECT_EQ(kind_of(service().get_preview(repo("app")).error()), "lifecycle_preview");
}

// ---- run_all, counters, audit ----

TEST_F(Lifecycle, RunAllRunsEveryRepositoryWithAPolicy) {
    push("a", "", "a untagged");
    push("b", "", "b untagged");
    const auto c = push("c", "", "c untagged");
    clock_.advance(3 * kDay);
    const std::string text = policy({rule(1, untagged_since(1))});
    ASSERT_TRUE(service().put_policy(repo("a"), text));
    ASSERT_TRUE(service().put_policy(repo("b"), text));
    auto all = service().run_all(false);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_TRUE(all->failures.empty());
    ASSERT_EQ(all->runs.size(), 2u);
    EXPECT_EQ(all->runs[0].repo, repo("a"));
    EXPECT_EQ(all->runs[1].repo, repo("b"));
    EXPECT_EQ(all->runs[0].expired, 1u);
    EXPECT_EQ(all->runs[1].expired, 1u);
    EXPECT_TRUE(listed("a").empty());
    EXPECT_TRUE(listed("b").empty());
    EXPECT_EQ(listed("c"), sorted({c}));  // no policy: untouched
    EXPECT_EQ(service().expired_total(), 2u);
    EXPECT_EQ(service().get_policy(repo("a"))->evaluated_at, clock_.now());
}

TEST_F(Lifecycle, CountersAddUpAcrossRuns) {
    push("app", "", "one");
    clock_.advance(2 * kDay);
    ASSERT_TRUE(service().put_policy(repo("app"), policy({rule(1, untagged_since(1))})));
    EXPECT_EQ(service().expired_total(), 0u);
    ASSERT_EQ(service().run(repo("app"), false)->expired, 1u);
    EXPECT_EQ(service().expired_total(), 1u);
    push("app", "", "two");
    push("app", "", "three");
    clock_.advance(2 * kDay);
    ASSERT_EQ(service().run(repo("app"), true)->expired, 2u);
    EXPECT_EQ(service().expired_total(), 1u);  // a dry run counts nothing
    ASSERT_EQ(service().run(repo("app"), false)->expired, 2u);
    EXPECT_EQ(service().expired_total(), 3u);
    EXPECT_EQ(service().transitioned_total(), 0u);
}

TEST_F(LifecycleScenario, EachExpiryIsAuditedWithItsReason) {
    const auto s = push_scenario();
    ASSERT_TRUE(service().put_policy(repo("app"), kThreeRules));
    auto plan = service().plan(repo("app"), std::nullopt, clock_.now()).value();
    RecordingSink sink;
    registry_->audit.attach(&sink);
    ASSERT_EQ(service().run(repo("app"), false)->expired, 3u);
    registry_->audit.attach(nullptr);
    const auto records = sink.records();
    ASSERT_EQ(records.size(), 3u);
    const std::string arn_prefix = "arn:aws:ecr:us-east-1:000000000000:repository/app@";
    std::map<std::string, std::string> detail_of;
    for (const auto& r : records) {
        EXPECT_EQ(r.principal, "wharf:lifecycle");
        EXPECT_EQ(r.action, "lifecycle:ExpireImage");
        EXPECT_EQ(r.outcome, "success");
        EXPECT_EQ(r.time, clock_.now());
        EXPECT_TRUE(r.request_id.empty());
        EXPECT_TRUE(r.resource.starts_with(arn_prefix)) << r.resource;
        detail_of[r.resource.substr(r.resource.rfind('@') + 1)] = r.detail;
    }
    std::map<std::string, std::string> expected;
    for (const auto& d : {s.ci1, s.ci2, s.u_old}) {
        expected[d.str()] = decision(plan, d).reason;
    }
    EXPECT_EQ(detail_of, expected);
    EXPECT_EQ(detail_of[s.u_old.str()], "expired by rule 3: untagged, pushed 10 days ago > 7");
    // Nothing more on a second run.
    registry_->audit.attach(&sink);
    ASSERT_EQ(service().run(repo("app"), false)->expired, 0u);
    registry_->audit.attach(nullptr);
    EXPECT_EQ(sink.records().size(), 3u);
}

}  // namespace
}  // namespace wharf::testing
