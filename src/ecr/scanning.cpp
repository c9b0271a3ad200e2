#include <charconv>

#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

// ECR's scanning API: registry scanning configuration, StartImageScan, DescribeImageScanFindings,
// and the scan fields of DescribeImages.
namespace wharf::ecr {
namespace {

json configuration_shape(const registry::ScanningConfiguration& c) {
    json rules = json::array();
    for (const auto& r : c.rules) {
        json filters = json::array();
        for (const auto& f : r.filters) {
            filters.push_back({{"filter", f}, {"filterType", "WILDCARD"}});
        }
        rules.push_back({{"scanFrequency", r.frequency}, {"repositoryFilters", filters}});
    }
    return {{"scanType", c.scan_type}, {"rules", rules}};
}

Result<registry::ScanningConfiguration> read_configuration(const json& in) {
    registry::ScanningConfiguration c;
    auto type = optional_string(in, "scanType");
    if (!type) {
        return type.error();
    }
    c.scan_type = type->value_or("BASIC");
    if (auto rules = in.find("rules"); rules != in.end()) {
        if (!rules->is_array()) {
            return Error{Errc::bad_request, "rules must be a list", {{"kind", "validation"}}};
        }
        for (const json& r : *rules) {
            if (!r.is_object()) {
                return Error{Errc::bad_request, "each rule must be an object",
                             {{"kind", "validation"}}};
            }
            if (auto known = only_members(r, {"scanFrequency", "repositoryFilters"}); !known) {
                return known.error();
            }
            auto freq = required_string(r, "scanFrequency");
            if (!freq) {
                return freq.error();
            }
            registry::ScanningRule rule{*freq, {}};
            auto filters = r.find("repositoryFilters");
            if (filters == r.end() || !filters->is_array()) {
                return Error{Errc::bad_request,
                             "1 validation error detected: Value null at "
                             "'rules.member.repositoryFilters' failed to satisfy constraint: "
                             "Member must not be null",
                             {{"kind", "validation"}}};
            }
            for (const json& f : *filters) {
                if (!f.is_object()) {
                    return Error{Errc::bad_request, "each repository filter must be an object",
                                 {{"kind", "validation"}}};
                }
                auto filter = required_string(f, "filter");
                auto ftype = required_string(f, "filterType");
                if (!filter || !ftype) {
                    return !filter ? filter.error() : ftype.error();
                }
                if (*ftype != "WILDCARD") {
                    return Error{Errc::bad_request,
                                 fmt::format("1 validation error detected: Value '{}' at "
                                             "'rules.member.repositoryFilters.member.filterType' "
                                             "failed to satisfy constraint: Member must satisfy "
                                             "enum value set: [WILDCARD]",
                                             *ftype),
                                 {{"kind", "validation"}}};
                }
                rule.filters.push_back(*filter);
            }
            c.rules.push_back(std::move(rule));
        }
    }
    return c;
}

json scan_status_shape(const registry::ImageScan& scan) {
    json status{{"status", scan.record.status}};
    if (!scan.record.description.empty()) {
        status["description"] = scan.record.description;
    }
    return status;
}

std::string score_text(const json& f) {
    if (!f.contains("score") || !f["score"].is_number()) {
        return {};
    }
    return fmt::format("{:.1f}", f["score"].get<double>());
}

// A basic finding: ECR's AWS_NATIVE attribute keys.
json basic_finding(const json& f) {
    const json& p = f["package"];
    json attributes = json::array();
    auto attr = [&](const char* key, const std::string& value) {
        if (!value.empty()) {
            attributes.push_back({{"key", key}, {"value", value}});
        }
    };
    attr("package_name", p.value("name", std::string()));
    attr("package_version", p.value("version", std::string()));
    attr("package_manager", p.value("type", std::string()));
    attr("source_package_name", p.value("sourceName", std::string()));
    attr("fixed_in_version", f.value("fixedIn", std::string()));
    attr("file_path", p.value("path", std::string()));
    attr("CVSS3_VECTOR", f.value("vector", std::string()));
    attr("CVSS3_SCORE", score_text(f));
    json out{{"name", f.value("id", std::string())},
             {"severity", f.value("severity", std::string("UNDEFINED"))},
             {"attributes", attributes}};
    const std::string description = f.value("description", std::string());
    out["description"] = description.empty() ? f.value("summary", std::string()) : description;
    if (const std::string uri = f.value("uri", std::string()); !uri.empty()) {
        out["uri"] = uri;
    }
    return out;
}

// An enhanced finding: the Amazon Inspector shape ECR returns for ENHANCED scanning.
json enhanced_finding(const json& f, const registry::ImageScan& scan, const registry::ImageInfo& image,
                      const model::RepoName& repo, const registry::Registry& reg) {
    const json& p = f["package"];
    const std::string id = f.value("id", std::string());
    const double completed = scan.record.completed_at ? to_unix_seconds(*scan.record.completed_at)
                                                      : to_unix_seconds(scan.record.queued_at);
    json vulnerable{{"name", p.value("name", std::string())},
                    {"version", p.value("version", std::string())},
                    {"packageManager", p.value("type", std::string())},
                    {"filePath", p.value("path", std::string())},
                    {"sourceLayerHash", p.value("layer", std::string())},
                    {"arch", p.value("arch", std::string())}};
    if (const std::string fixed = f.value("fixedIn", std::string()); !fixed.empty()) {
        vulnerable["fixedInVersion"] = fixed;
    }
    json cvss = json::array();
    if (const std::string vector = f.value("vector", std::string()); !vector.empty()) {
        cvss.push_back({{"baseScore", f.value("score", 0.0)},
                        {"scoringVector", vector},
                        {"source", f.value("severitySource", std::string())},
                        {"version", vector.rfind("CVSS:3.0", 0) == 0 ? "3.0" : "3.1"}});
    }
    json details{{"vulnerabilityId", id},
                 {"source", f.value("ecosystem", std::string())},
                 {"sourceUrl", f.value("uri", std::string())},
                 {"vendorSeverity", f.value("severity", std::string())},
                 {"relatedVulnerabilities", f.value("related", json::array())},
                 {"referenceUrls", json::array({f.value("uri", std::string())})},
                 {"cvss", cvss},
                 {"vulnerablePackages", json::array({vulnerable})}};
    const std::string arn = fmt::format("arn:aws:ecr:{}:{}:finding/{}/{}/{}",
                                        reg.ctx.options.account.region,
                                        reg.ctx.options.account.account_id,
                                        image.manifest.digest.str(), id, p.value("name", std::string()));
    json out{{"awsAccountId", reg.ctx.options.account.account_id},
             {"findingArn", arn},
             {"title", id + " - " + p.value("name", std::string())},
             {"description", f.value("description", std::string())},
             {"severity", f.value("severity", std::string("UNDEFINED"))},
             {"status", "ACTIVE"},
             {"type", "PACKAGE_VULNERABILITY"},
             {"firstObservedAt", completed},
             {"lastObservedAt", completed},
             {"updatedAt", completed},
             {"fixAvailable", f.value("fixedIn", std::string()).empty() ? "NO" : "YES"},
             {"packageVulnerabilityDetails", details},
             {"remediation",
              {{"recommendation",
                {{"text", f.value("fixedIn", std::string()).empty()
                              ? std::string("No fixed version is known yet.")
                              : "Upgrade " + p.value("name", std::string()) + " to " +
                                    f.value("fixedIn", std::string()) + " or later."}}}}},
             {"resources",
              json::array({{{"type", "AWS_ECR_CONTAINER_IMAGE"},
                            {"id", fmt::format("arn:aws:ecr:{}:{}:repository/{}/{}",
                                               reg.ctx.options.account.region,
                                               reg.ctx.options.account.account_id, repo.str(),
                                               image.manifest.digest.str())},
                            {"details",
                             {{"awsEcrContainerImage",
                               {{"registry", reg.ctx.options.account.account_id},
                                {"repositoryName", repo.str()},
                                {"imageHash", image.manifest.digest.str()},
                                {"imageTags", image.tags},
                                {"pushedAt", to_unix_seconds(image.manifest.pushed_at)}}}}}}})}};
    if (f.contains("score") && f["score"].is_number()) {
        out["score"] = f["score"];
    }
    return out;
}

}  // namespace

Result<json> put_registry_scanning_configuration(EcrCall& call) {
    if (auto known = only_members(call.input, {"scanType", "rules"}); !known) {
        return known.error();
    }
    auto config = read_configuration(call.input);
    if (!config) {
        return config.error();
    }
    auto stored = call.svc.registry.scans.put_configuration(*config);
    if (!stored) {
        return stored.error();
    }
    return json{{"registryScanningConfiguration", configuration_shape(*stored)}};
}

Result<json> get_registry_scanning_configuration(EcrCall& call) {
    if (auto known = only_members(call.input, {}); !known) {
        return known.error();
    }
    auto config = call.svc.registry.scans.configuration();
    if (!config) {
        return config.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"scanningConfiguration", configuration_shape(*config)}};
}

Result<json> start_image_scan(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "imageId"}); !known) {
        return known.error();
    }
    if (auto reg = check_registry_id(in, call.svc.registry); !reg) {
        return reg.error();
    }
    auto name = repository_name(in);
    if (!name) {
        return name.error();
    }
    json wrapped{{"ids", json::array({in.value("imageId", json(nullptr))})}};
    auto ids = read_image_ids(wrapped, "ids", 1, 1);
    if (!ids) {
        return ids.error();
    }
    auto scan = call.svc.registry.scans.start(*name, ids->front());
    if (!scan) {
        return scan.error();
    }
    json image_id{{"imageDigest", scan->record.digest.str()}};
    if (ids->front().tag) {
        image_id["imageTag"] = *ids->front().tag;
    }
    json status = scan_status_shape(*scan);
    if (scan->record.status == "PENDING") {
        status["status"] = "IN_PROGRESS";  // what StartImageScan answers in ECR
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"imageId", image_id},
                {"imageScanStatus", status}};
}

Result<json> describe_image_scan_findings(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(
            in, {"registryId", "repositoryName", "imageId", "nextToken", "maxResults"});
        !known) {
        return known.error();
    }
    if (auto r = check_registry_id(in, reg); !r) {
        return r.error();
    }
    auto name = repository_name(in);
    if (!name) {
        return name.error();
    }
    json wrapped{{"ids", json::array({in.value("imageId", json(nullptr))})}};
    auto ids = read_image_ids(wrapped, "ids", 1, 1);
    auto max = optional_int(in, "maxResults", 1, 1000);
    auto token = optional_string(in, "nextToken");
    if (!ids || !max || !token) {
        return !ids ? ids.error() : !max ? max.error() : token.error();
    }
    std::size_t offset = 0;
    if (*token) {
        auto last = read_token(**token);
        if (!last) {
            return last.error();
        }
        auto [ptr, ec] = std::from_chars(last->data(), last->data() + last->size(), offset);
        if (ec != std::errc() || ptr != last->data() + last->size()) {
            return Error{Errc::bad_request, "Invalid parameter at 'nextToken'"};
        }
    }
    auto found = reg.scans.find(*name, ids->front());
    if (!found) {
        return found.error();
    }
    const auto& [image, scan] = *found;
    auto config = reg.scans.configuration();
    if (!config) {
        return config.error();
    }
    json image_id{{"imageDigest", image.manifest.digest.str()}};
    if (ids->front().tag) {
        image_id["imageTag"] = *ids->front().tag;
    }
    json out{{"registryId", reg.ctx.options.account.account_id},
             {"repositoryName", name->str()},
             {"imageId", image_id},
             {"imageScanStatus", scan_status_shape(scan)}};
    if (scan.record.status != "COMPLETE") {
        return out;
    }
    json findings_out{{"findingSeverityCounts", scan.counts}};
    if (scan.record.completed_at) {
        findings_out["imageScanCompletedAt"] = to_unix_seconds(*scan.record.completed_at);
    }
    if (scan.record.vulndb_updated_at) {
        findings_out["vulnerabilitySourceUpdatedAt"] = to_unix_seconds(*scan.record.vulndb_updated_at);
    }
    const std::size_t limit = static_cast<std::size_t>(max->value_or(100));
    const bool enhanced = config->scan_type == "ENHANCED";
    json page = json::array();
    for (std::size_t i = offset; i < scan.findings.size() && page.size() < limit; ++i) {
        page.push_back(enhanced ? enhanced_finding(scan.findings[i], scan, image, *name, reg)
                                : basic_finding(scan.findings[i]));
    }
    findings_out[enhanced ? "enhancedFindings" : "findings"] = std::move(page);
    out["imageScanFindings"] = std::move(findings_out);
    if (offset + limit < scan.findings.size()) {
        out["nextToken"] = make_token(std::to_string(offset + limit));
    }
    return out;
}

void add_scan_summaries(json& details, registry::Registry& reg) {
    std::vector<model::Digest> digests;
    for (const json& d : details) {
        auto digest = model::Digest::parse(d.value("imageDigest", std::string()));
        if (!digest) {
            return;
        }
        digests.push_back(std::move(*digest));
    }
    auto scans = reg.scans.find_many(digests);
    if (!scans) {
        return;  // the listing is still right without scan fields
    }
    for (std::size_t i = 0; i < details.size() && i < scans->size(); ++i) {
        const auto& scan = (*scans)[i];
        if (!scan) {
            continue;
        }
        details[i]["imageScanStatus"] = scan_status_shape(*scan);
        if (scan->record.status == "COMPLETE") {
            json summary{{"findingSeverityCounts", scan->counts}};
            if (scan->record.completed_at) {
                summary["imageScanCompletedAt"] = to_unix_seconds(*scan->record.completed_at);
            }
            if (scan->record.vulndb_updated_at) {
                summary["vulnerabilitySourceUpdatedAt"] =
                    to_unix_seconds(*scan->record.vulndb_updated_at);
            }
            details[i]["imageScanFindingsSummary"] = std::move(summary);
        }
    }
}

}  // namespace wharf::ecr
