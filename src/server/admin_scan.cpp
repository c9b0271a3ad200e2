#include <chrono>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "scan/vulndb/severity.hpp"
#include "server/admin.hpp"
#include "server/admin_support.hpp"

// `wharf admin vulndb ...` and `wharf admin scan ...`: the vulnerability database, scans run now,
// findings, the CI gate check and the pull gate's rules.
namespace wharf::server::admin {
namespace {

using nlohmann::json;
namespace vulndb = scan::vulndb;

json status_json(const vulndb::Status& s) {
    json sources = json::array();
    for (const auto& src : s.sources) {
        sources.push_back({{"name", src.name},
                           {"records", src.records},
                           {"importedAt", src.imported_at},
                           {"newestModified", src.newest_modified}});
    }
    return {{"version", s.version},
            {"builtAt", s.built_at},
            {"advisories", s.advisories},
            {"affectedEntries", s.affected_rows},
            {"sources", sources}};
}

// "3 days" from an RFC 3339 instant to now.
std::string age_of(const std::string& instant) {
    auto at = parse_rfc3339(instant);
    if (!at) {
        return "unknown";
    }
    const auto hours =
        std::chrono::duration_cast<std::chrono::hours>(SystemClock().now() - *at).count();
    return hours < 48 ? fmt::format("{} hours", hours) : fmt::format("{} days", hours / 24);
}

// The image a --tag or --digest names in the repository.
Result<std::pair<model::RepoName, registry::ImageId>> image_of(const ImageRef& ref) {
    auto repo = model::RepoName::parse(ref.repository);
    if (!repo) {
        return repo.error();
    }
    if (ref.tag.empty() == ref.digest.empty()) {
        return Error{Errc::bad_request, "name the image with exactly one of --tag or --digest"};
    }
    registry::ImageId id;
    if (!ref.tag.empty()) {
        id.tag = ref.tag;
    } else {
        id.digest = ref.digest;
    }
    return std::pair{std::move(*repo), std::move(id)};
}

// The stored scan of the image a --tag or --digest names.
Result<registry::ImageScan> scan_of(Runtime& rt, const ImageRef& ref) {
    auto image = image_of(ref);
    if (!image) {
        return image.error();
    }
    auto found = rt.registry->scans.find(image->first, image->second);
    if (!found) {
        return found.error();
    }
    return std::move(found->second);
}

std::string finding_line(const json& f) {
    const json& p = f["package"];
    std::string fixed = f.value("fixedIn", std::string());
    return fmt::format("{:<13} {:<20} {} {}{}", f.value("severity", std::string()),
                       f.value("id", std::string()), p.value("name", std::string()),
                       p.value("version", std::string()),
                       fixed.empty() ? std::string(" (no fix yet)") : " (fixed in " + fixed + ")");
}

}  // namespace

int vulndb_import(const config::Config& c, const std::vector<std::string>& paths) {
    std::vector<std::filesystem::path> inputs(paths.begin(), paths.end());
    const auto started = std::chrono::steady_clock::now();
    auto report = vulndb::import_paths(vulndb_dir(c), inputs, to_rfc3339(SystemClock().now()));
    if (!report) {
        return fail(report.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    json out{{"files", report->files},
             {"advisories", report->advisories},
             {"skipped", report->skipped},
             {"problems", report->problems},
             {"seconds", std::round(seconds * 100) / 100},
             {"database", status_json(report->status)}};
    print(out);
    return 0;
}

int vulndb_status(const config::Config& c) {
    auto db = vulndb::open_current(vulndb_dir(c));
    if (!db) {
        return fail(db.error());
    }
    const auto& s = (*db)->status();
    if (s.version == 0) {
        std::fprintf(stderr,
                     "wharf admin: no vulnerability database yet in %s; import one with "
                     "`wharf admin vulndb import PATH...`\n",
                     vulndb_dir(c).string().c_str());
        return 3;
    }
    json out = status_json(s);
    out["age"] = age_of(s.built_at);
    for (auto& src : out["sources"]) {
        src["age"] = age_of(src.value("importedAt", std::string()));
    }
    print(out);
    return 0;
}

int scan_run(const config::Config& c, const ImageRef& ref) {
    return with_runtime(c, [&](Runtime& rt) {
        auto image = image_of(ref);
        if (!image) {
            return fail(image.error());
        }
        auto info = rt.registry->images.get(image->first, {image->second});
        if (!info) {
            return fail(info.error());
        }
        if (info->found.empty()) {
            return fail(Error{Errc::manifest_unknown,
                              fmt::format("no image {}{} in {}", ref.tag, ref.digest,
                                          ref.repository)});
        }
        auto scan = rt.registry->scans.scan_now(image->first, info->found.front().manifest.digest);
        if (!scan) {
            return fail(scan.error());
        }
        print({{"imageDigest", scan->record.digest.str()},
               {"status", scan->record.status},
               {"description", scan->record.description},
               {"vulnerabilityDatabaseVersion", scan->record.vulndb_version},
               {"findingSeverityCounts", scan->counts}});
        return scan->record.status == "COMPLETE" || scan->record.status == "UNSUPPORTED_IMAGE" ? 0
                                                                                             : 1;
    });
}

int scan_gate_check(const config::Config& c, const ImageRef& ref, const std::string& max_severity,
                    const std::vector<std::string>& allow) {
    auto threshold = vulndb::parse_severity(max_severity);
    if (!threshold || *threshold == vulndb::Severity::undefined) {
        return fail(Error{Errc::bad_request,
                          fmt::format("--max-severity '{}' is not one of CRITICAL, HIGH, MEDIUM, "
                                      "LOW, INFORMATIONAL",
                                      max_severity)});
    }
    return with_runtime(c, [&](Runtime& rt) {
        auto found = scan_of(rt, ref);
        if (!found) {
            return fail(found.error());
        }
        const auto& scan = *found;
        if (scan.record.status != "COMPLETE") {
            std::fprintf(stderr, "wharf admin: the image's scan is %s%s%s; run `wharf admin scan run`\n",
                         scan.record.status.c_str(), scan.record.description.empty() ? "" : ": ",
                         scan.record.description.c_str());
            return 3;
        }
        std::vector<const json*> over;
        for (const json& f : scan.findings) {
            auto s = vulndb::parse_severity(f.value("severity", std::string("UNDEFINED")));
            if (!s || *s == vulndb::Severity::undefined ||
                vulndb::rank(*s) < vulndb::rank(*threshold)) {
                continue;
            }
            bool allowed = std::find(allow.begin(), allow.end(), f.value("id", std::string())) !=
                           allow.end();
            for (const json& r : f.value("related", json::array())) {
                allowed = allowed || (r.is_string() && std::find(allow.begin(), allow.end(),
                                                                 r.get<std::string>()) != allow.end());
            }
            if (!allowed) {
                over.push_back(&f);
            }
        }
        if (over.empty()) {
            std::printf("gate passed: %s@%s has no findings at or above %s (%zu findings in all)\n",
                        ref.repository.c_str(), scan.record.digest.str().c_str(),
                        max_severity.c_str(), scan.findings.size());
            return 0;
        }
        std::printf("gate failed: %zu finding(s) at or above %s in %s@%s\n", over.size(),
                    max_severity.c_str(), ref.repository.c_str(),
                    scan.record.digest.str().c_str());
        for (const json* f : over) {
            std::printf("%s\n", finding_line(*f).c_str());
        }
        return 1;
    });
}

int scan_findings(const config::Config& c, const ImageRef& ref, bool as_json) {
    return with_runtime(c, [&](Runtime& rt) {
        auto found = scan_of(rt, ref);
        if (!found) {
            return fail(found.error());
        }
        const auto& scan = *found;
        if (as_json) {
            print({{"status", scan.record.status},
                   {"description", scan.record.description},
                   {"findingSeverityCounts", scan.counts},
                   {"findings", scan.findings}});
            return 0;
        }
        std::printf("%s@%s: %s%s%s\n", ref.repository.c_str(), scan.record.digest.str().c_str(),
                    scan.record.status.c_str(), scan.record.description.empty() ? "" : " - ",
                    scan.record.description.c_str());
        for (const json& f : scan.findings) {
            std::printf("%s\n", finding_line(f).c_str());
        }
        return 0;
    });
}

int gate_rules_list(const config::Config& c) {
    return with_runtime(c, [&](Runtime& rt) {
        auto rules = rt.registry->scans.gate_rules();
        if (!rules) {
            return fail(rules.error());
        }
        json out = json::array();
        for (const auto& r : *rules) {
            json allow = json::array();
            for (const auto& a : r.allowlist) {
                allow.push_back({{"id", a.id},
                                 {"expires", a.expires ? to_rfc3339(*a.expires) : std::string()},
                                 {"reason", a.reason}});
            }
            out.push_back({{"repository", r.repository},
                           {"threshold", r.threshold},
                           {"allowUnscanned", r.allow_unscanned},
                           {"allowlist", allow}});
        }
        print(out);
        return 0;
    });
}

int gate_rule_put(const config::Config& c, const GateRuleEdit& edit) {
    return with_runtime(c, [&](Runtime& rt) {
        auto rules = rt.registry->scans.gate_rules();
        if (!rules) {
            return fail(rules.error());
        }
        auto it = std::find_if(rules->begin(), rules->end(), [&](const registry::GateRule& r) {
            return r.repository == edit.repository;
        });
        if (edit.remove) {
            if (it == rules->end()) {
                return fail(Error{Errc::not_found,
                                  fmt::format("no gate rule for '{}'", edit.repository)});
            }
            rules->erase(it);
        } else if (!edit.allow_id.empty()) {
            if (it == rules->end()) {
                return fail(Error{Errc::not_found,
                                  fmt::format("no gate rule for '{}'; create it with `wharf admin "
                                              "scan gate-rule put` first",
                                              edit.repository)});
            }
            registry::GateAllow allow{edit.allow_id, std::nullopt, edit.reason};
            if (!edit.expires.empty()) {
                auto at = parse_instant(edit.expires, "--expires");
                if (!at) {
                    return fail(at.error());
                }
                allow.expires = *at;
            }
            std::erase_if(it->allowlist,
                          [&](const registry::GateAllow& a) { return a.id == edit.allow_id; });
            it->allowlist.push_back(std::move(allow));
        } else {
            registry::GateRule rule{edit.repository, edit.threshold, !edit.deny_unscanned, {}};
            if (it != rules->end()) {
                rule.allowlist = std::move(it->allowlist);
                *it = std::move(rule);
            } else {
                rules->push_back(std::move(rule));
            }
        }
        if (auto stored = rt.registry->scans.put_gate_rules(*rules); !stored) {
            return fail(stored.error());
        }
        return 0;
    });
}

}  // namespace wharf::server::admin
