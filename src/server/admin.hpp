#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

// `wharf admin ...`: account management and audit queries over the same data directory a
// server may be running on. Each returns the process exit code; results go to stdout (JSON
// where a script would read them), problems to stderr.
namespace wharf::server::admin {

enum class Kind { user, role };

int create_principal(const config::Config& c, Kind kind, const std::string& name);
int list_principals(const config::Config& c, Kind kind);
int delete_principal(const config::Config& c, Kind kind, const std::string& name);
// Reads the policy document from `file` ("-" = stdin).
int put_policy(const config::Config& c, Kind kind, const std::string& name,
               const std::string& policy_name, const std::string& file);
int delete_policy(const config::Config& c, Kind kind, const std::string& name,
                  const std::string& policy_name);
int list_policies(const config::Config& c, Kind kind, const std::string& name);

int create_key(const config::Config& c, Kind kind, const std::string& name);
int list_keys(const config::Config& c);
int set_key_active(const config::Config& c, const std::string& access_key_id, bool active);
int delete_key(const config::Config& c, const std::string& access_key_id);

// Beyond ECR: an immutable tag may be pushed again with the digest it already names.
int set_identical_repush(const config::Config& c, const std::string& repository, bool on);

struct AuditFilter {
    std::string since;  // RFC 3339 instant or a duration like 15m, 2h, 7d
    std::string principal;
    std::string action;
};
int audit(const config::Config& c, const AuditFilter& filter);

// Lifecycle (admin_lifecycle.cpp): every image of the repository with the decision and its
// reason; `policy_file` ("" = the stored policy, "-" = stdin) and `at` (RFC 3339, "" = now)
// evaluate a draft or another instant; `json` prints GetLifecyclePolicyPreview's shape.
struct PreviewRequest {
    std::string repository;
    std::string policy_file;
    std::string at;
    bool json = false;
};
int lifecycle_preview(const config::Config& c, const PreviewRequest& request);
// Applies the stored policies now (one repository or all that have one).
int lifecycle_run(const config::Config& c, const std::string& repository, bool dry_run);
// Reviews the collector's queue now and removes abandoned uploads.
int gc(const config::Config& c, bool dry_run);
// Per repository: logical and stored bytes and the monthly cost before and after lifecycle.
int usage(const config::Config& c, bool json);

// Scanning (admin_scan.cpp).
// Imports advisories (OSV JSON/YAML files, directories, .tar.xz archives, Alpine secdb, Node.js
// security WG) as a new database version; running servers pick it up and re-match.
int vulndb_import(const config::Config& c, const std::vector<std::string>& paths);
// Version, sources, record counts and age; exit 3 when nothing was imported yet.
int vulndb_status(const config::Config& c);
struct ImageRef {
    std::string repository;
    std::string tag;
    std::string digest;
};
// Scans the image now and prints the outcome (exit 1 when the scan failed).
int scan_run(const config::Config& c, const ImageRef& image);
int scan_findings(const config::Config& c, const ImageRef& image, bool json);
// The CI check: exit 1 and print the findings at or above `max_severity` (ids in `allow`
// excepted), 3 when the image has no completed scan, 0 otherwise.
int scan_gate_check(const config::Config& c, const ImageRef& image,
                    const std::string& max_severity, const std::vector<std::string>& allow);
// The pull gate's rules: list, put (threshold, unscanned policy), allow an id, delete.
struct GateRuleEdit {
    std::string repository;
    std::string threshold = "CRITICAL";
    bool deny_unscanned = false;
    std::string allow_id;
    std::string expires;
    std::string reason;
    bool remove = false;
};
int gate_rules_list(const config::Config& c);
int gate_rule_put(const config::Config& c, const GateRuleEdit& edit);

}  // namespace wharf::server::admin
