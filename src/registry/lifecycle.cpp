#include "registry/lifecycle.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace wharf::registry {
namespace {

constexpr std::string_view kActor = "wharf:lifecycle";

Error policy_not_found(const model::RepoName& repo, std::string_view registry_id) {
    return Error{Errc::not_found,
                 fmt::format("Lifecycle policy does not exist for the repository with name '{}' "
                             "in the registry with id '{}'",
                             repo.str(), registry_id),
                 {{"kind", "lifecycle_policy"}}};
}

// The facts evaluation needs, gathered in one read snapshot.
struct Snapshot {
    storage::RepoId repo_id = 0;
    std::vector<storage::ManifestRecord> manifests;
    std::map<std::string, std::vector<std::string>> tags;     // digest -> tags
    std::map<std::string, std::vector<std::string>> parents;  // child -> indexes
};

Result<Snapshot> read_snapshot(storage::MetadataTx& tx, storage::RepoId repo_id) {
    Snapshot s;
    s.repo_id = repo_id;
    std::optional<model::Digest> after;
    for (;;) {
        auto page = tx.manifests().list(repo_id, after, 1000);
        if (!page) {
            return page.error();
        }
        if (page->empty()) {
            break;
        }
        after = page->back().digest;
        for (auto& m : *page) {
            s.manifests.push_back(std::move(m));
        }
    }
    auto tags = tx.tags().all(repo_id);
    if (!tags) {
        return tags.error();
    }
    for (const auto& t : *tags) {
        s.tags[t.digest.str()].push_back(t.name.str());
    }
    auto edges = tx.manifests().index_edges(repo_id);
    if (!edges) {
        return edges.error();
    }
    for (const auto& e : *edges) {
        s.parents[e.child.str()].push_back(e.parent.str());
    }
    return s;
}

std::vector<lifecycle::ImageFacts> facts_of(const Snapshot& s) {
    std::vector<lifecycle::ImageFacts> facts;
    facts.reserve(s.manifests.size());
    for (const auto& m : s.manifests) {
        lifecycle::ImageFacts f;
        f.digest = m.digest.str();
        if (auto it = s.tags.find(f.digest); it != s.tags.end()) {
            f.tags = it->second;
        }
        f.pushed_at = m.pushed_at;
        f.last_pulled_at = m.last_pulled_at;
        f.last_archived_at = m.last_archived_at;
        f.last_activated_at = m.last_activated_at;
        f.storage_class = m.status == storage::ImageStatus::archived
                              ? lifecycle::StorageClass::archive
                              : lifecycle::StorageClass::standard;
        if (auto it = s.parents.find(f.digest); it != s.parents.end()) {
            f.parents = it->second;
        }
        if (m.subject) {
            f.subject = m.subject->str();
        }
        facts.push_back(std::move(f));
    }
    return facts;
}

// One optional record of an existing repository, read in a snapshot (Errc::name_unknown when
// the repository does not exist).
template <typename T, typename Find>
Result<std::optional<T>> find_for(ServiceContext& ctx, const model::RepoName& repo, Find find) {
    std::optional<T> out;
    auto done = ctx.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx, repo);
        if (!record) {
            return record.error();
        }
        auto found = find(tx.lifecycle(), record->id);
        if (!found) {
            return found.error();
        }
        out = std::move(*found);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

std::string_view to_string(storage::ImageStatus status) noexcept {
    return status == storage::ImageStatus::archived ? "ARCHIVED" : "ACTIVE";
}

Result<storage::LifecyclePolicyRecord> LifecycleService::put_policy(const model::RepoName& repo,
                                                                    const std::string& text) {
    if (auto parsed = lifecycle::LifecyclePolicy::parse(text); !parsed) {
        return parsed.error();
    }
    storage::LifecyclePolicyRecord out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        const TimePoint now = ctx_.clock.now();
        if (auto put = tx.lifecycle().put_policy(record->id, text, now); !put) {
            return put;
        }
        auto stored = tx.lifecycle().find_policy(record->id);
        if (!stored) {
            return stored.error();
        }
        out = stored->value_or(storage::LifecyclePolicyRecord{text, now, std::nullopt});
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<storage::LifecyclePolicyRecord> LifecycleService::get_policy(const model::RepoName& repo) {
    auto out = find_for<storage::LifecyclePolicyRecord>(
        ctx_, repo, [](storage::LifecycleTable& t, storage::RepoId id) { return t.find_policy(id); });
    if (!out) {
        return out.error();
    }
    if (!*out) {
        return policy_not_found(repo, ctx_.options.account.account_id);
    }
    return std::move(**out);
}

Result<storage::LifecyclePolicyRecord> LifecycleService::delete_policy(
    const model::RepoName& repo) {
    std::optional<storage::LifecyclePolicyRecord> out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto found = tx.lifecycle().find_policy(record->id);
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return policy_not_found(repo, ctx_.options.account.account_id);
        }
        out = std::move(*found);
        auto removed = tx.lifecycle().remove_policy(record->id);
        if (!removed) {
            return removed.error();
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return std::move(*out);
}

Result<LifecyclePlan> LifecycleService::plan(const model::RepoName& repo,
                                             const std::optional<std::string>& policy_text,
                                             TimePoint at) {
    return build_plan(repo, policy_text, true, at);
}

Result<LifecyclePlan> LifecycleService::inventory(const model::RepoName& repo, TimePoint at) {
    return build_plan(repo, std::nullopt, false, at);
}

Result<LifecyclePlan> LifecycleService::build_plan(const model::RepoName& repo,
                                                   const std::optional<std::string>& policy_text,
                                                   bool use_policy, TimePoint at) {
    Snapshot snapshot;
    std::string text;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        if (policy_text) {
            text = *policy_text;
        } else if (use_policy) {
            auto stored = tx.lifecycle().find_policy(record->id);
            if (!stored) {
                return stored.error();
            }
            if (!*stored) {
                return policy_not_found(repo, ctx_.options.account.account_id);
            }
            text = (*stored)->text;
        }
        auto s = read_snapshot(tx, record->id);
        if (!s) {
            return s.error();
        }
        snapshot = std::move(*s);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    const auto facts = facts_of(snapshot);
    std::vector<lifecycle::Decision> decisions;
    if (use_policy) {
        auto policy = lifecycle::LifecyclePolicy::parse(text);
        if (!policy) {
            return policy.error();
        }
        decisions = lifecycle::evaluate(*policy, facts, at);
    } else {
        for (std::size_t i = 0; i < facts.size(); ++i) {
            decisions.push_back(lifecycle::Decision{i, lifecycle::Outcome::kept, std::nullopt,
                                                    "kept: the repository has no lifecycle policy"});
        }
    }
    LifecyclePlan plan{snapshot.repo_id, text, at, {}};
    plan.images.reserve(facts.size());
    for (std::size_t i = 0; i < facts.size(); ++i) {
        const auto& m = snapshot.manifests[i];
        plan.images.push_back(PlannedImage{m.digest, facts[i].tags, m.pushed_at, m.last_pulled_at,
                                           m.status, m.image_size, facts[i].parents,
                                           lifecycle::Decision{}});
    }
    for (auto& d : decisions) {
        if (d.image < plan.images.size()) {
            plan.images[d.image].decision = std::move(d);
        }
    }
    return plan;
}

std::string LifecycleService::results_json(const LifecyclePlan& plan) {
    nlohmann::json results = nlohmann::json::array();
    std::size_t expiring = 0;
    std::size_t transitioning = 0;
    for (const auto& image : plan.images) {
        const auto outcome = image.decision.outcome;
        if (outcome == lifecycle::Outcome::kept) {
            continue;
        }
        nlohmann::json action = {{"type", outcome == lifecycle::Outcome::expire ? "EXPIRE"
                                                                                : "TRANSITION"}};
        if (outcome == lifecycle::Outcome::transition) {
            action["targetStorageClass"] = "ARCHIVE";
            ++transitioning;
        } else {
            ++expiring;
        }
        nlohmann::json r = {
            {"imageDigest", image.digest.str()},
            {"imageTags", image.tags},
            {"imagePushedAt", to_unix_seconds(image.pushed_at)},
            {"action", action},
            {"storageClass",
             image.status == storage::ImageStatus::archived ? "ARCHIVE" : "STANDARD"},
            {"reason", image.decision.reason},
        };
        if (image.decision.rule_priority) {
            r["appliedRulePriority"] = *image.decision.rule_priority;
        }
        results.push_back(std::move(r));
    }
    nlohmann::json summary = {{"expiringImageTotalCount", expiring}};
    summary["transitioningImageTotalCounts"] = nlohmann::json::array();
    if (transitioning > 0) {
        summary["transitioningImageTotalCounts"].push_back(
            {{"targetStorageClass", "ARCHIVE"}, {"imageTotalCount", transitioning}});
    }
    return nlohmann::json{{"previewResults", results}, {"summary", summary}}.dump();
}

Result<storage::LifecyclePreviewRecord> LifecycleService::start_preview(
    const model::RepoName& repo, const std::optional<std::string>& text) {
    if (text) {
        if (auto parsed = lifecycle::LifecyclePolicy::parse(*text); !parsed) {
            return parsed.error();
        }
    }
    storage::LifecyclePreviewRecord record;
    storage::RepoId id = 0;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto repository = require_repository(tx, ctx_, repo);
        if (!repository) {
            return repository.error();
        }
        id = repository->id;
        auto current = tx.lifecycle().find_preview(id);
        if (!current) {
            return current.error();
        }
        if (*current && (*current)->status == "IN_PROGRESS") {
            return Error{Errc::in_use,
                         fmt::format("The previous lifecycle policy preview request has not "
                                     "completed for the repository with name '{}'; wait for it "
                                     "(GetLifecyclePolicyPreview) and start again",
                                     repo.str()),
                         {{"kind", "lifecycle_preview"}}};
        }
        std::string policy_text;
        if (text) {
            policy_text = *text;
        } else {
            auto stored = tx.lifecycle().find_policy(id);
            if (!stored) {
                return stored.error();
            }
            if (!*stored) {
                return policy_not_found(repo, ctx_.options.account.account_id);
            }
            policy_text = (*stored)->text;
        }
        record = storage::LifecyclePreviewRecord{"IN_PROGRESS", std::move(policy_text),
                                                 ctx_.clock.now(), std::nullopt, ""};
        return tx.lifecycle().put_preview(id, record);
    });
    if (!done) {
        return done.error();
    }
    auto job = [this, id, repo, record]() { finish_preview(id, repo, record); };
    if (!runner_ || !runner_(job)) {
        job();  // no background queue (tools, tests), or it is full: compute here
    }
    return record;
}

void LifecycleService::finish_preview(storage::RepoId id, const model::RepoName& repo,
                                      storage::LifecyclePreviewRecord record) {
    auto plan = this->plan(repo, record.policy_text, ctx_.clock.now());
    record.finished_at = ctx_.clock.now();
    if (plan) {
        record.status = "COMPLETE";
        record.results_json = results_json(*plan);
    } else {
        record.status = "FAILED";
        record.results_json = nlohmann::json{{"error", plan.error().message}}.dump();
    }
    auto stored = ctx_.meta.write(
        [&](storage::MetadataTx& tx) { return tx.lifecycle().put_preview(id, record); });
    if (!stored) {
        spdlog::warn("lifecycle preview of {} could not be stored: {}", repo.str(),
                     stored.error().message);
    }
}

Result<storage::LifecyclePreviewRecord> LifecycleService::get_preview(const model::RepoName& repo) {
    auto found = find_for<storage::LifecyclePreviewRecord>(
        ctx_, repo,
        [](storage::LifecycleTable& t, storage::RepoId id) { return t.find_preview(id); });
    if (!found) {
        return found.error();
    }
    auto& out = *found;
    if (!out) {
        return Error{Errc::not_found,
                     fmt::format("There is no lifecycle policy preview for the repository with "
                                 "name '{}' in the registry with id '{}'",
                                 repo.str(), ctx_.options.account.account_id),
                     {{"kind", "lifecycle_preview"}}};
    }
    return std::move(*out);
}

Result<bool> LifecycleService::apply(const LifecyclePlan& plan, const PlannedImage& image,
                                     TimePoint now) {
    bool applied = false;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto current = tx.manifests().find(plan.repo_id, image.digest);
        if (!current) {
            return current.error();
        }
        if (!*current) {
            return ok();  // deleted meanwhile
        }
        // Re-check what the decision rested on, inside the transaction that acts on it.
        auto tags = tx.tags().tags_of(plan.repo_id, image.digest);
        if (!tags) {
            return tags.error();
        }
        std::vector<std::string> now_tags;
        for (const auto& t : *tags) {
            now_tags.push_back(t.str());
        }
        if (sorted(now_tags) != sorted(image.tags)) {
            return ok();
        }
        if (image.decision.outcome == lifecycle::Outcome::expire) {
            auto parents = tx.manifests().parents(plan.repo_id, image.digest);
            if (!parents) {
                return parents.error();
            }
            if (!parents->empty()) {
                return ok();  // an index (maybe pushed since) still lists it
            }
            auto removed = tx.manifests().remove(plan.repo_id, image.digest, now);
            if (!removed) {
                return removed.error();
            }
            applied = *removed;
            return ok();
        }
        auto archived =
            tx.manifests().set_status(plan.repo_id, image.digest, storage::ImageStatus::archived, now);
        if (!archived) {
            return archived.error();
        }
        applied = *archived && (*current)->status != storage::ImageStatus::archived;
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return applied;
}

Result<LifecycleRun> LifecycleService::run(const model::RepoName& repo, bool dry_run) {
    const TimePoint now = ctx_.clock.now();
    auto plan = this->plan(repo, std::nullopt, now);
    if (!plan) {
        return plan.error();
    }
    LifecycleRun out{repo, 0, 0, 0, 0};
    // Indexes before the manifests they list: a child is expired only once no index lists it.
    std::vector<const PlannedImage*> order;
    for (const auto& image : plan->images) {
        if (image.decision.outcome != lifecycle::Outcome::kept) {
            order.push_back(&image);
        }
    }
    // Depth = the longest chain of indexes above an image; parents (smaller depth) go first.
    std::map<std::string, const PlannedImage*> by_digest;
    for (const auto& image : plan->images) {
        by_digest.emplace(image.digest.str(), &image);
    }
    std::map<const PlannedImage*, std::size_t> depth;
    std::function<std::size_t(const PlannedImage*, std::size_t)> depth_of =
        [&](const PlannedImage* image, std::size_t guard) -> std::size_t {
        if (auto it = depth.find(image); it != depth.end()) {
            return it->second;
        }
        std::size_t d = 0;
        if (guard < by_digest.size()) {  // a cycle cannot be pushed, but never loop on one
            for (const auto& p : image->parents) {
                if (auto parent = by_digest.find(p); parent != by_digest.end()) {
                    d = std::max(d, depth_of(parent->second, guard + 1) + 1);
                }
            }
        }
        depth[image] = d;
        return d;
    };
    std::stable_sort(order.begin(), order.end(), [&](const PlannedImage* a, const PlannedImage* b) {
        return depth_of(a, 0) < depth_of(b, 0);
    });
    const std::string arn_prefix = fmt::format("arn:aws:ecr:{}:{}:repository/{}",
                                               ctx_.options.account.region,
                                               ctx_.options.account.account_id, repo.str());
    for (const PlannedImage* image : order) {
        const bool expire = image->decision.outcome == lifecycle::Outcome::expire;
        if (dry_run) {
            expire ? ++out.expired : ++out.transitioned;
            out.bytes_expired += expire ? image->image_size : 0;
            continue;
        }
        auto applied = apply(*plan, *image, now);
        if (!applied) {
            return applied.error();
        }
        if (!*applied) {
            ++out.skipped;
            continue;
        }
        expire ? ++out.expired : ++out.transitioned;
        expire ? ++expired_total_ : ++transitioned_total_;
        out.bytes_expired += expire ? image->image_size : 0;
        audit_.record_system(kActor, expire ? "lifecycle:ExpireImage" : "lifecycle:ArchiveImage",
                             arn_prefix + "@" + image->digest.str(), image->decision.reason);
    }
    if (!dry_run) {
        auto marked = ctx_.meta.write([&](storage::MetadataTx& tx) {
            return tx.lifecycle().mark_evaluated(plan->repo_id, now);
        });
        if (!marked) {
            return marked.error();
        }
    }
    return out;
}

Result<LifecycleService::RunAll> LifecycleService::run_all(bool dry_run) {
    std::vector<std::pair<storage::RepoId, model::RepoName>> repos;
    auto listed = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto with = tx.lifecycle().with_policy();
        if (!with) {
            return with.error();
        }
        repos = std::move(*with);
        return ok();
    });
    if (!listed) {
        return listed.error();
    }
    RunAll all;
    for (const auto& [id, name] : repos) {
        auto run = this->run(name, dry_run);
        if (!run) {
            spdlog::warn("lifecycle run of {} failed: {}", name.str(), run.error().message);
            all.failures.emplace_back(name, run.error());
            continue;
        }
        all.runs.push_back(std::move(*run));
    }
    return all;
}

}  // namespace wharf::registry
