#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lifecycle/lifecycle.hpp"
#include "registry/audit.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// One image of a lifecycle plan: what evaluation saw and what it decided.
struct PlannedImage {
    model::Digest digest;
    std::vector<std::string> tags;
    TimePoint pushed_at;
    std::optional<TimePoint> last_pulled_at;
    storage::ImageStatus status = storage::ImageStatus::active;
    std::uint64_t image_size = 0;
    // The indexes (in the plan) that list it: they are applied first, at every depth.
    std::vector<std::string> parents;
    bool listed_by_index() const noexcept { return !parents.empty(); }
    lifecycle::Decision decision;
};

struct LifecyclePlan {
    storage::RepoId repo_id = 0;
    std::string policy_text;
    TimePoint at;
    std::vector<PlannedImage> images;  // in digest order
};

// What one run did (or, dry run, would do).
struct LifecycleRun {
    model::RepoName repo;
    std::size_t expired = 0;
    std::size_t transitioned = 0;
    std::size_t skipped = 0;  // changed since evaluation (new tag, new parent): next run decides
    std::uint64_t bytes_expired = 0;  // image sizes of the expired images
};

// Lifecycle policies of repositories: storage and validation, evaluation (the pure
// lifecycle::evaluate over the repository's images), previews and execution. Preview, the
// scheduled run and `wharf admin lifecycle` all go through plan().
class LifecycleService {
public:
    LifecycleService(ServiceContext& ctx, AuditTrail& audit) : ctx_(ctx), audit_(audit) {}

    // Where previews run: the composition root gives a bounded background queue; without one
    // (tools, tests) a preview is computed inside start_preview. The runner returns false when
    // it is full.
    using Runner = std::function<bool(std::function<void()>)>;
    void set_preview_runner(Runner runner) { runner_ = std::move(runner); }

    // Errc::bad_request (the validation message) for an invalid policy; nothing is stored then.
    Result<storage::LifecyclePolicyRecord> put_policy(const model::RepoName& repo,
                                                      const std::string& text);
    // Errc::not_found (kind "lifecycle_policy") when the repository has none.
    Result<storage::LifecyclePolicyRecord> get_policy(const model::RepoName& repo);
    Result<storage::LifecyclePolicyRecord> delete_policy(const model::RepoName& repo);

    // Evaluates `policy_text` (the stored policy when absent) over the repository as of `at`.
    Result<LifecyclePlan> plan(const model::RepoName& repo,
                               const std::optional<std::string>& policy_text, TimePoint at);

    // The repository's images with every decision "kept" (no policy is consulted): the same
    // shape as a plan, for usage reports.
    Result<LifecyclePlan> inventory(const model::RepoName& repo, TimePoint at);

    // ECR's StartLifecyclePolicyPreview: Errc::in_use (kind "lifecycle_preview") while one is in
    // progress; Errc::not_found (kind "lifecycle_policy") without draft or stored policy.
    Result<storage::LifecyclePreviewRecord> start_preview(const model::RepoName& repo,
                                                          const std::optional<std::string>& text);
    // Errc::not_found (kind "lifecycle_preview") when none was started.
    Result<storage::LifecyclePreviewRecord> get_preview(const model::RepoName& repo);

    // Applies the stored policy now: each expiry is one transaction (the image with its tags
    // goes whole or not at all), each transition archives the image; both are audited. An
    // image whose tags or parents changed since evaluation is skipped. Records lastEvaluatedAt
    // unless dry_run.
    Result<LifecycleRun> run(const model::RepoName& repo, bool dry_run);
    // Runs every repository that has a policy; one failing repository does not stop the rest
    // (its error is logged and returned in `failures`).
    struct RunAll {
        std::vector<LifecycleRun> runs;
        std::vector<std::pair<model::RepoName, Error>> failures;
    };
    Result<RunAll> run_all(bool dry_run);

    // The preview document stored with a finished preview: previewResults entries (ECR's
    // shape plus "reason") and the summary.
    static std::string results_json(const LifecyclePlan& plan);

    // Actions taken since the process started (for metrics).
    std::uint64_t expired_total() const noexcept { return expired_total_.load(); }
    std::uint64_t transitioned_total() const noexcept { return transitioned_total_.load(); }

private:
    Result<LifecyclePlan> build_plan(const model::RepoName& repo,
                                     const std::optional<std::string>& policy_text, bool use_policy,
                                     TimePoint at);
    void finish_preview(storage::RepoId repo_id, const model::RepoName& repo,
                        storage::LifecyclePreviewRecord record);
    Result<bool> apply(const LifecyclePlan& plan, const PlannedImage& image, TimePoint now);

    ServiceContext& ctx_;
    AuditTrail& audit_;
    Runner runner_;
    std::atomic<std::uint64_t> expired_total_{0};
    std::atomic<std::uint64_t> transitioned_total_{0};
};

std::string_view to_string(storage::ImageStatus status) noexcept;  // "ACTIVE" | "ARCHIVED"

}  // namespace wharf::registry
