#pragma once

// Vulnerability scanning as a registry service: which pushes are scanned (ECR's registry
// scanning configuration and the repository's scanOnPush), the durable queue of scans (rows in
// the metadata store, drained by a background worker), running one scan, re-matching stored
// inventories when the vulnerability database changes, and the pull gate.

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/audit.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"
#include "registry/images.hpp"
#include "scan/inventory.hpp"
#include "scan/layer/layer.hpp"
#include "scan/vulndb/database.hpp"

namespace wharf::registry {

// ECR's registry scanning configuration.
struct ScanningRule {
    std::string frequency;             // SCAN_ON_PUSH | CONTINUOUS_SCAN | MANUAL
    std::vector<std::string> filters;  // WILDCARD filters
};
struct ScanningConfiguration {
    std::string scan_type = "BASIC";  // BASIC | ENHANCED
    std::vector<ScanningRule> rules;
};
// ECR's limits and grammar; Errc::bad_request (kind "validation") saying what to fix.
Result<void> validate(const ScanningConfiguration& config);
// ECR's filter rule: with `*` a glob over the whole name, without it a substring.
bool scan_filter_matches(std::string_view filter, std::string_view repository);

// A scan as the adapters show it. findings: array of
// {"id","related":[],"severity","severitySource","score","vector","fixedIn","summary",
//  "description","uri","package":{"type","name","version","sourceName","path","layer",
//  "arch"},"ecosystem"}.
struct ImageScan {
    explicit ImageScan(storage::ImageScanRecord r, nlohmann::json f = nlohmann::json::array(),
                       nlohmann::json c = nlohmann::json::object())
        : record(std::move(r)), findings(std::move(f)), counts(std::move(c)) {}
    storage::ImageScanRecord record;
    nlohmann::json findings = nlohmann::json::array();
    nlohmann::json counts = nlohmann::json::object();  // severity -> count, non-zero only
};

// The pull gate (beyond ECR): pulls of images whose findings reach `threshold` are denied,
// unless every such finding is on the allowlist and not expired.
struct GateAllow {
    std::string id;                    // CVE or advisory id
    std::optional<TimePoint> expires;  // none: until removed
    std::string reason;
};
struct GateRule {
    std::string repository;  // a repository name, or a prefix ending in "/" or "*"; "*" = all
    std::string threshold;   // CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL
    bool allow_unscanned = true;
    std::vector<GateAllow> allowlist;
};
struct GateVerdict {
    bool allowed = true;
    std::string reason;                // for a denial: the worst findings, in words
    std::vector<nlohmann::json> over;  // the findings at or over the threshold (not allowed)
};

struct ScanCounters {
    std::atomic<std::uint64_t> completed{0}, failed{0}, unsupported{0}, layers_read{0},
        layers_cached{0}, rematched{0}, new_findings{0}, gate_denied{0};
};

// Stores the inventory's SPDX and CycloneDX documents as OCI artifacts whose subject is `image`
// (scan_sbom.cpp).
Result<void> attach_sboms(ServiceContext& ctx, const model::RepoName& repo,
                          const model::Digest& image, const scan::Inventory& inventory);

class ScanService {
public:
    ScanService(ServiceContext& ctx, AuditTrail& audit) : ctx_(ctx), audit_(audit) {}

    using DatabaseSource = std::function<std::shared_ptr<const scan::vulndb::Database>()>;
    // Where the worker gets the current vulnerability database (the composition root opens it).
    void set_database(DatabaseSource source) { database_ = std::move(source); }
    // Called after a scan was queued, to wake the worker (off the request path).
    void set_waker(std::function<void()> wake) { wake_ = std::move(wake); }
    void set_limits(scan::layer::Limits limits) { limits_ = limits; }

    Result<ScanningConfiguration> configuration();
    Result<ScanningConfiguration> put_configuration(const ScanningConfiguration& config);

    // Inside a push's transaction: queues a scan of `digest` when scanOnPush or a scan-on-push
    // (or continuous) registry rule covers the repository. Returns whether it did.
    static Result<bool> queue_on_push(storage::MetadataTx& tx, const storage::RepositoryRecord& repo,
                                      const model::Digest& digest, TimePoint now);
    void wake() const {
        if (wake_) {
            wake_();
        }
    }

    // StartImageScan: queues a scan; Errc::limit_exceeded when the image was scanned in the last
    // 24 hours under BASIC; Errc::unsupported for an archived image.
    Result<ImageScan> start(const model::RepoName& repo, const ImageId& id);
    // The scan of an image (resolved in the repository); Errc::not_found kind "scan" when the
    // image was never scanned.
    Result<std::pair<ImageInfo, ImageScan>> find(const model::RepoName& repo, const ImageId& id);
    // The scans of several manifests (DescribeImages); absent ones are left out.
    Result<std::vector<std::optional<ImageScan>>> find_many(const std::vector<model::Digest>& ds);

    // The worker: runs queued scans, oldest first, at most `max`; returns how many ran.
    Result<std::size_t> run_queued(std::size_t max);
    // Scans one image now (queued or not), as the worker does.
    Result<ImageScan> scan_now(const model::RepoName& repo, const model::Digest& digest);
    // Re-matches every stored inventory matched against an older database version; returns how
    // many images were re-matched. New findings are audited as "wharf:scanner"
    // "scan:NewFindings".
    Result<std::size_t> rematch_all();

    Result<std::vector<GateRule>> gate_rules();
    Result<void> put_gate_rules(const std::vector<GateRule>& rules);
    // The gate's verdict for pulling `digest` from `repo` (no rule covering it: allowed).
    Result<GateVerdict> gate(const model::RepoName& repo, const model::Digest& digest);

    std::shared_ptr<const scan::vulndb::Database> database() const;
    const ScanCounters& counters() const noexcept { return counters_; }

private:
    Result<ImageScan> run_one(const model::Digest& digest);
    // The gate rules as of at most kGateRulesTtl ago: every pull consults them, so they are not
    // read from the store each time (`wharf admin scan gate` changes are seen within seconds).
    Result<std::shared_ptr<const std::vector<GateRule>>> cached_gate_rules();

    ServiceContext& ctx_;
    AuditTrail& audit_;
    DatabaseSource database_;
    std::function<void()> wake_;
    scan::layer::Limits limits_{};
    ScanCounters counters_;
    std::mutex gate_mutex_;
    std::shared_ptr<const std::vector<GateRule>> gate_rules_;
    TimePoint gate_loaded_at_{};
};

}  // namespace wharf::registry
