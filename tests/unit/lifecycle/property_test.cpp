// Properties of evaluate() over random image sets and random valid policies (fixed seeds): the
// precedence rules of ECR, the count rule's newest N, dependents, determinism and independence
// of input order. The checks use their own tag matcher and ordering, not the module's.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "lifecycle/lifecycle.hpp"

namespace wharf::lifecycle {
namespace {

constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
const TimePoint kNow = from_unix_millis(1'790'000'000'000);
constexpr int kIterations = 500;

class Gen {
public:
    explicit Gen(std::uint32_t seed) : rng_(seed) {}
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    std::int64_t uniform64(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
    }
    std::mt19937& engine() { return rng_; }

private:
    std::mt19937 rng_;
};

const std::vector<std::string> kPatterns = {"prod*", "*-rc", "v*",  "dev",
                                            "*",     "ci-*", "*1*", "latest"};
const std::vector<std::string> kPrefixes = {"prod", "v", "ci-", "dev", "x", "la", "p"};
const std::vector<std::string> kTags = {"prod", "prod-1", "production", "v1",   "v2-rc", "ci-7",
                                        "ci-8", "dev",    "latest",     "x-rc", "la1",   "p9"};

std::string json_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", items[i]);
    }
    return out + "]";
}

// A tag filter for one rule of a storage class; `untagged_used` and `prefixes_used` keep the
// policy valid (one untagged rule and unique prefixes per storage class).
std::string random_filter(Gen& g, bool last, bool& untagged_used,
                          std::set<std::string>& prefixes_used) {
    if (last && g.chance(0.35)) {
        return R"("tagStatus": "any")";
    }
    if (!untagged_used && g.chance(0.25)) {
        untagged_used = true;
        return R"("tagStatus": "untagged")";
    }
    if (g.chance(0.5)) {
        std::vector<std::string> list = {g.pick(kPatterns)};
        if (g.chance(0.3)) {
            list.push_back(g.pick(kPatterns));
        }
        return R"("tagStatus": "tagged", "tagPatternList": )" + json_list(list);
    }
    std::vector<std::string> list;
    for (int i = 0, n = g.uniform(1, 2); i < n; ++i) {
        const auto& prefix = g.pick(kPrefixes);
        if (prefixes_used.insert(prefix).second) {
            list.push_back(prefix);
        }
    }
    if (list.empty()) {
        return R"("tagStatus": "tagged", "tagPatternList": ["*"])";
    }
    return R"("tagStatus": "tagged", "tagPrefixList": )" + json_list(list);
}

std::string random_policy(Gen& g) {
    const int total = g.uniform(1, 6);
    std::vector<int> priorities;
    while (static_cast<int>(priorities.size()) < total) {
        const int p = g.uniform(1, 60);
        if (std::find(priorities.begin(), priorities.end(), p) == priorities.end()) {
            priorities.push_back(p);
        }
    }
    std::sort(priorities.begin(), priorities.end());
    std::vector<bool> archive(static_cast<std::size_t>(total));
    for (auto&& a : archive) {
        a = g.chance(0.25);
    }
    std::vector<std::string> rules;
    bool untagged_used[2] = {false, false};
    std::set<std::string> prefixes_used[2];
    for (int i = 0; i < total; ++i) {
        const bool arch = archive[static_cast<std::size_t>(i)];
        const bool last = std::find(archive.begin() + i + 1, archive.end(), arch) == archive.end();
        const std::string filter =
            random_filter(g, last, untagged_used[arch ? 1 : 0], prefixes_used[arch ? 1 : 0]);
        std::string selection;
        std::string action = R"({"type": "expire"})";
        const std::string transition = R"({"type": "transition", "targetStorageClass": "archive"})";
        if (arch) {
            selection = fmt::format(
                R"({}, "storageClass": "archive", "countType": "sinceImageTransitioned", )"
                R"("countUnit": "days", "countNumber": {})",
                filter, g.uniform(90, 150));
        } else {
            switch (g.uniform(0, 2)) {
                case 0:
                    selection = fmt::format(R"({}, "countType": "imageCountMoreThan", )"
                                            R"("countNumber": {})",
                                            filter, g.uniform(1, 6));
                    break;
                case 1:
                    selection = fmt::format(R"({}, "countType": "sinceImagePushed", )"
                                            R"("countUnit": "days", "countNumber": {})",
                                            filter, g.uniform(1, 90));
                    break;
                default:
                    selection = fmt::format(R"({}, "countType": "sinceImagePulled", )"
                                            R"("countUnit": "days", "countNumber": {})",
                                            filter, g.uniform(1, 90));
                    action = transition;
                    break;
            }
            if (action != transition && g.chance(0.3)) {
                action = transition;
            }
        }
        rules.push_back(fmt::format(R"({{"rulePriority": {}, "selection": {{{}}}, "action": {}}})",
                                    priorities[static_cast<std::size_t>(i)], selection, action));
    }
    std::shuffle(rules.begin(), rules.end(), g.engine());
    std::string text = R"({"rules": [)";
    for (std::size_t i = 0; i < rules.size(); ++i) {
        text += (i == 0 ? "" : ", ") + rules[i];
    }
    text += "]}";
    if (text.size() < 100) {
        text.append(100 - text.size(), ' ');
    }
    return text;
}

TimePoint ago(std::int64_t millis) {
    return kNow - std::chrono::milliseconds(millis);
}

std::vector<ImageFacts> random_images(Gen& g) {
    const int n = g.uniform(0, 40);
    std::vector<ImageFacts> images(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        auto& im = images[static_cast<std::size_t>(i)];
        im.digest = fmt::format("sha256:{:04x}{:02}", g.uniform(0, 0xffff), i);
        if (!g.chance(0.3)) {
            for (int t = 0, count = g.uniform(1, 3); t < count; ++t) {
                im.tags.push_back(g.pick(kTags));
            }
        }
        // Whole days now and then, so that push times tie.
        const std::int64_t age =
            g.chance(0.3) ? g.uniform(0, 20) * kDay : g.uniform64(0, 200 * kDay);
        im.pushed_at = ago(age);
        if (g.chance(0.5)) {
            im.last_pulled_at = ago(g.uniform64(0, age));
        }
        if (g.chance(0.1)) {
            im.last_archived_at = ago(g.uniform64(0, age));
            im.last_activated_at = ago(g.uniform64(0, age));
        }
        if (g.chance(0.2)) {
            im.storage_class = StorageClass::archive;
            if (!g.chance(0.1)) {
                im.last_archived_at = ago(g.uniform64(0, age));
            }
        }
    }
    for (int i = 0; i < n; ++i) {
        auto& im = images[static_cast<std::size_t>(i)];
        const auto other = [&] {
            return g.chance(0.1) ? std::string("sha256:missing")
                                 : images[static_cast<std::size_t>(g.uniform(0, n - 1))].digest;
        };
        if (g.chance(0.2)) {
            for (int p = 0, count = g.uniform(1, 2); p < count; ++p) {
                im.parents.push_back(other());
            }
        }
        if (g.chance(0.1)) {
            im.subject = other();
        }
    }
    return images;
}

// The checks' own view of the rules.
bool ref_glob(std::string_view p, std::string_view t) {
    if (p.empty()) {
        return t.empty();
    }
    if (p[0] == '*') {
        for (std::size_t k = 0; k <= t.size(); ++k) {
            if (ref_glob(p.substr(1), t.substr(k))) {
                return true;
            }
        }
        return false;
    }
    return !t.empty() && p[0] == t[0] && ref_glob(p.substr(1), t.substr(1));
}

bool ref_matches(const Rule& r, const ImageFacts& im) {
    if (r.storage_class != im.storage_class) {
        return false;
    }
    if (r.tag_status == TagStatus::any) {
        return true;
    }
    if (r.tag_status == TagStatus::untagged) {
        return im.tags.empty();
    }
    const auto all = [&](const std::vector<std::string>& list, auto match) {
        return std::all_of(list.begin(), list.end(), [&](const std::string& entry) {
            return std::any_of(im.tags.begin(), im.tags.end(),
                               [&](const std::string& tag) { return match(entry, tag); });
        });
    };
    return !im.tags.empty() && all(r.tag_patterns, [](const std::string& p, const std::string& t) {
        return ref_glob(p, t);
    }) && all(r.tag_prefixes, [](const std::string& p, const std::string& t) {
        return t.rfind(p, 0) == 0;
    });
}

std::int64_t ms(TimePoint t) {
    return t.time_since_epoch().count();
}

struct View {
    std::map<std::string, std::size_t> by_digest;
    std::vector<std::vector<std::size_t>> deps;  // present parents and subject
    std::vector<bool> follower;
};

View view_of(const std::vector<ImageFacts>& images) {
    View v;
    for (std::size_t i = 0; i < images.size(); ++i) {
        v.by_digest.emplace(images[i].digest, i);
    }
    v.deps.resize(images.size());
    v.follower.resize(images.size());
    for (std::size_t i = 0; i < images.size(); ++i) {
        bool parent = false;
        bool subject = false;
        for (const auto& p : images[i].parents) {
            const auto it = v.by_digest.find(p);
            if (it != v.by_digest.end() && it->second != i) {
                v.deps[i].push_back(it->second);
                parent = true;
            }
        }
        if (images[i].subject) {
            const auto it = v.by_digest.find(*images[i].subject);
            if (it != v.by_digest.end() && it->second != i) {
                v.deps[i].push_back(it->second);
                subject = true;
            }
        }
        v.follower[i] = subject || (parent && images[i].tags.empty());
    }
    return v;
}

void check_properties(const LifecyclePolicy& policy, const std::vector<ImageFacts>& images,
                      const std::vector<Decision>& d) {
    const auto& rules = policy.rules();
    ASSERT_EQ(d.size(), images.size());
    const View v = view_of(images);
    for (std::size_t i = 0; i < images.size(); ++i) {
        SCOPED_TRACE(fmt::format("image {} {}: {}", i, images[i].digest, d[i].reason));
        ASSERT_EQ(d[i].image, i);  // one decision per image, in input order
        ASSERT_FALSE(d[i].reason.empty());
        EXPECT_EQ(d[i].outcome == Outcome::kept, d[i].reason.starts_with("kept: "));

        // Acted on only when everything it depends on is acted on.
        if (d[i].outcome != Outcome::kept) {
            for (const std::size_t dep : v.deps[i]) {
                EXPECT_NE(d[dep].outcome, Outcome::kept) << "depends on " << images[dep].digest;
            }
        }
        if (v.follower[i]) {
            continue;
        }
        // The first rule whose filter matches decides: only it may act, and it is the rule named.
        const auto first = std::find_if(rules.begin(), rules.end(),
                                        [&](const Rule& r) { return ref_matches(r, images[i]); });
        if (first == rules.end()) {
            EXPECT_EQ(d[i].outcome, Outcome::kept);
            EXPECT_EQ(d[i].rule_priority, std::nullopt);
            continue;
        }
        ASSERT_EQ(d[i].rule_priority, first->priority);
        if (d[i].outcome == Outcome::kept) {
            continue;
        }
        EXPECT_EQ(d[i].outcome,
                  first->action == ActionType::expire ? Outcome::expire : Outcome::transition);
        if (first->count_type == CountType::since_image_pushed) {
            const auto t = ms(images[i].last_activated_at.value_or(images[i].pushed_at));
            EXPECT_GT(ms(kNow) - t, first->count_number * kDay);
        } else if (first->count_type == CountType::since_image_transitioned) {
            ASSERT_TRUE(images[i].last_archived_at.has_value());
            EXPECT_GT(ms(kNow) - ms(*images[i].last_archived_at), first->count_number * kDay);
        } else if (first->count_type == CountType::since_image_pulled) {
            auto t = ms(images[i].last_pulled_at.value_or(images[i].pushed_at));
            if (images[i].last_activated_at) {
                t = std::max(t, ms(*images[i].last_activated_at));
            }
            EXPECT_GT(ms(kNow) - t, first->count_number * kDay);
        }
    }
    // The newest N candidates of an imageCountMoreThan N rule are never acted on by it.
    for (const Rule& r : rules) {
        if (r.count_type != CountType::image_count_more_than) {
            continue;
        }
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < images.size(); ++i) {
            if (!v.follower[i] && ref_matches(r, images[i])) {
                candidates.push_back(i);
            }
        }
        const auto when = [&](std::size_t i) {
            return ms(images[i].last_activated_at.value_or(images[i].pushed_at));
        };
        std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
            return when(a) != when(b) ? when(a) > when(b) : images[a].digest < images[b].digest;
        });
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const Decision& dk = d[candidates[k]];
            const bool by_r = dk.outcome != Outcome::kept && dk.rule_priority == r.priority;
            if (static_cast<std::int64_t>(k) < r.count_number) {
                EXPECT_FALSE(by_r) << "rule " << r.priority << " acted on its " << k + 1
                                   << "th newest, keeps " << r.count_number;
            }
        }
    }
}

bool same(const Decision& a, const Decision& b) {
    return a.outcome == b.outcome && a.rule_priority == b.rule_priority && a.reason == b.reason;
}

TEST(LifecycleProperties, RandomPoliciesAndImages) {
    std::size_t acted = 0;
    std::size_t followed = 0;
    for (int iteration = 0; iteration < kIterations; ++iteration) {
        const auto seed = static_cast<std::uint32_t>(7000 + iteration);
        SCOPED_TRACE(fmt::format("seed {}", seed));
        Gen g(seed);
        const std::string text = random_policy(g);
        auto policy = LifecyclePolicy::parse(text);
        ASSERT_TRUE(policy) << policy.error().message << "\n" << text;
        const auto images = random_images(g);
        const auto decisions = evaluate(*policy, images, kNow);
        check_properties(*policy, images, decisions);
        if (::testing::Test::HasFailure()) {
            FAIL() << text;
        }

        // Deterministic.
        const auto again = evaluate(*policy, images, kNow);
        ASSERT_EQ(again.size(), decisions.size());
        for (std::size_t i = 0; i < decisions.size(); ++i) {
            EXPECT_TRUE(same(decisions[i], again[i])) << i;
        }
        // Independent of input order.
        auto shuffled = images;
        std::shuffle(shuffled.begin(), shuffled.end(), g.engine());
        const auto reordered = evaluate(*policy, shuffled, kNow);
        std::map<std::string, const Decision*> by_digest;
        for (std::size_t i = 0; i < shuffled.size(); ++i) {
            by_digest[shuffled[reordered[i].image].digest] = &reordered[i];
        }
        for (std::size_t i = 0; i < images.size(); ++i) {
            const Decision& other = *by_digest.at(images[i].digest);
            EXPECT_TRUE(same(decisions[i], other))
                << images[i].digest << ": " << decisions[i].reason << " vs " << other.reason;
            acted += decisions[i].outcome != Outcome::kept ? 1 : 0;
            followed += decisions[i].reason.find(" with its ") != std::string::npos ? 1 : 0;
        }
    }
    // The generator reaches the interesting cases.
    EXPECT_GT(acted, 1000u);
    EXPECT_GT(followed, 50u);
}

}  // namespace
}  // namespace wharf::lifecycle
