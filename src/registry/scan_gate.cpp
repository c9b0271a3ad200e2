#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "registry/scans.hpp"
#include "scan/vulndb/severity.hpp"

// The pull gate: a registry setting (rules per repository or prefix) that denies pulling images
// whose findings reach a severity, with an allowlist of finding ids that can expire.
namespace wharf::registry {
namespace {

using nlohmann::json;

constexpr std::string_view kGateKey = "scan_gate_rules";

json to_json(const std::vector<GateRule>& rules) {
    json out = json::array();
    for (const GateRule& r : rules) {
        json allow = json::array();
        for (const GateAllow& a : r.allowlist) {
            json ja = {{"id", a.id}, {"reason", a.reason}};
            if (a.expires) {
                ja["expires"] = to_rfc3339(*a.expires);
            }
            allow.push_back(std::move(ja));
        }
        out.push_back({{"repository", r.repository},
                       {"threshold", r.threshold},
                       {"allowUnscanned", r.allow_unscanned},
                       {"allowlist", std::move(allow)}});
    }
    return out;
}

std::vector<GateRule> from_json(const json& j) {
    std::vector<GateRule> rules;
    if (!j.is_array()) {
        return rules;
    }
    for (const json& r : j) {
        GateRule rule;
        rule.repository = r.value("repository", std::string());
        rule.threshold = r.value("threshold", std::string("CRITICAL"));
        rule.allow_unscanned = r.value("allowUnscanned", true);
        for (const json& a : r.value("allowlist", json::array())) {
            GateAllow allow{a.value("id", std::string()), std::nullopt,
                            a.value("reason", std::string())};
            if (a.contains("expires")) {
                allow.expires = parse_rfc3339(a.value("expires", std::string()));
            }
            rule.allowlist.push_back(std::move(allow));
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

// How specifically a rule names the repository: exact name beats the longest prefix; nullopt
// when it does not cover it.
std::optional<std::size_t> specificity(std::string_view pattern, std::string_view repo) {
    if (pattern == repo) {
        return std::size_t{100000};
    }
    if (pattern == "*") {
        return std::size_t{0};
    }
    if (pattern.ends_with("/") && repo.starts_with(pattern)) {
        return pattern.size();
    }
    if (pattern.find('*') != std::string_view::npos && scan_filter_matches(pattern, repo)) {
        return pattern.size();
    }
    return std::nullopt;
}

bool allowed_by(const GateRule& rule, const json& finding, TimePoint now) {
    std::vector<std::string> ids{finding.value("id", std::string())};
    for (const json& r : finding.value("related", json::array())) {
        if (r.is_string()) {
            ids.push_back(r.get<std::string>());
        }
    }
    return std::any_of(rule.allowlist.begin(), rule.allowlist.end(), [&](const GateAllow& a) {
        return (!a.expires || *a.expires > now) &&
               std::find(ids.begin(), ids.end(), a.id) != ids.end();
    });
}

}  // namespace

Result<std::vector<GateRule>> ScanService::gate_rules() {
    std::vector<GateRule> rules;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto stored = tx.documents().get(std::string(kGateKey));
        if (!stored) {
            return stored.error();
        }
        if (*stored) {
            rules = from_json(json::parse(**stored, nullptr, false));
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return rules;
}

Result<void> ScanService::put_gate_rules(const std::vector<GateRule>& rules) {
    for (const GateRule& r : rules) {
        if (r.repository.empty()) {
            return Error{Errc::bad_request,
                         "a gate rule needs a repository: a name, a prefix ending in '/', a "
                         "pattern with '*', or '*' for every repository"};
        }
        auto s = scan::vulndb::parse_severity(r.threshold);
        if (!s || *s == scan::vulndb::Severity::undefined) {
            return Error{Errc::bad_request,
                         fmt::format("gate threshold '{}' is not one of CRITICAL, HIGH, MEDIUM, "
                                     "LOW, INFORMATIONAL",
                                     r.threshold)};
        }
        for (const GateAllow& a : r.allowlist) {
            if (a.id.empty()) {
                return Error{Errc::bad_request, "an allowlist entry needs a finding id (CVE-...)"};
            }
        }
    }
    auto written = ctx_.meta.write([&](storage::MetadataTx& tx) {
        if (rules.empty()) {
            auto removed = tx.documents().remove(std::string(kGateKey));
            return removed ? ok() : Result<void>(removed.error());
        }
        return tx.documents().put(std::string(kGateKey), to_json(rules).dump(), ctx_.clock.now());
    });
    std::lock_guard lock(gate_mutex_);
    gate_rules_.reset();  // this process sees its own change at once
    return written;
}

Result<std::shared_ptr<const std::vector<GateRule>>> ScanService::cached_gate_rules() {
    constexpr auto kGateRulesTtl = std::chrono::seconds(2);
    const TimePoint now = ctx_.clock.now();
    std::lock_guard lock(gate_mutex_);
    if (!gate_rules_ || now - gate_loaded_at_ >= kGateRulesTtl || now < gate_loaded_at_) {
        auto rules = gate_rules();
        if (!rules) {
            return rules.error();
        }
        gate_rules_ = std::make_shared<const std::vector<GateRule>>(std::move(*rules));
        gate_loaded_at_ = now;
    }
    return gate_rules_;
}

Result<GateVerdict> ScanService::gate(const model::RepoName& repo, const model::Digest& digest) {
    auto rules = cached_gate_rules();
    if (!rules) {
        return rules.error();
    }
    const GateRule* rule = nullptr;
    std::size_t best = 0;
    for (const GateRule& r : **rules) {
        auto s = specificity(r.repository, repo.str());
        if (s && (!rule || *s > best)) {
            rule = &r;
            best = *s;
        }
    }
    GateVerdict verdict;
    if (!rule) {
        return verdict;
    }
    auto scans = find_many({digest});
    if (!scans) {
        return scans.error();
    }
    const std::optional<ImageScan>& scan = scans->front();
    // Matched against no database at all is not scanned.
    if (!scan || scan->record.status != "COMPLETE" || scan->record.vulndb_version == 0) {
        if (!rule->allow_unscanned) {
            verdict.allowed = false;
            verdict.reason = fmt::format(
                "pull denied by the vulnerability gate of '{}': image {} has no completed scan "
                "({}) and the gate denies unscanned images",
                rule->repository, digest.str(), scan ? scan->record.status : "never scanned");
            counters_.gate_denied.fetch_add(1);
        }
        return verdict;
    }
    const auto threshold = scan::vulndb::parse_severity(rule->threshold)
                               .value_or(scan::vulndb::Severity::critical);
    const TimePoint now = ctx_.clock.now();
    for (const json& f : scan->findings) {
        auto s = scan::vulndb::parse_severity(f.value("severity", std::string("UNDEFINED")));
        if (!s || *s == scan::vulndb::Severity::undefined ||
            scan::vulndb::rank(*s) < scan::vulndb::rank(threshold)) {
            continue;
        }
        if (!allowed_by(*rule, f, now)) {
            verdict.over.push_back(f);
        }
    }
    if (verdict.over.empty()) {
        return verdict;
    }
    verdict.allowed = false;
    std::vector<std::string> worst;
    for (std::size_t i = 0; i < verdict.over.size() && i < 5; ++i) {
        const json& f = verdict.over[i];
        worst.push_back(fmt::format("{} {} in {} {}", f.value("severity", std::string()),
                                    f.value("id", std::string()),
                                    f["package"].value("name", std::string()),
                                    f["package"].value("version", std::string())));
    }
    verdict.reason = fmt::format(
        "pull denied by the vulnerability gate of '{}': {} finding(s) at or above {} ({}{}); "
        "fix the image, or allowlist the ids with `wharf admin scan gate allow`",
        rule->repository, verdict.over.size(), rule->threshold, fmt::join(worst, "; "),
        verdict.over.size() > worst.size() ? "; ..." : "");
    counters_.gate_denied.fetch_add(1);
    return verdict;
}

}  // namespace wharf::registry
