// The Node.js Security WG reader: its own JSON shape with node-semver range strings, kept as
// strings on the Range (evaluated with version::NpmRange) rather than turned into events,
// because "||" unions and "^"/"~" ranges do not map one-to-one onto OSV events.
#include "scan/vulndb/advisory.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb {
namespace {

using detail::bad;
using nlohmann::json;

// A string field; "" when absent or null; refuses other types.
Result<std::string> text(const json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return std::string();
    }
    if (!it->is_string()) {
        return bad(fmt::format("{} must be a string, not {}", key, it->type_name()));
    }
    return it->get<std::string>();
}

Result<std::vector<std::string>> strings(const json& obj, const char* key) {
    std::vector<std::string> out;
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        return bad(fmt::format("{} must be an array of strings", key));
    }
    for (const auto& v : *it) {
        if (!v.is_string()) {
            return bad(fmt::format("{} must hold only strings", key));
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

bool is_cvss3(std::string_view v) {
    return v.starts_with("CVSS:3.");
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// The one affected entry a WG advisory has: node-semver range strings instead of OSV events.
Affected npm_affected(std::string name, std::string vulnerable, std::string patched) {
    Affected a;
    a.ecosystem = "npm";
    a.name = std::move(name);
    Range range;
    range.type = "SEMVER";
    range.npm_vulnerable = std::move(vulnerable);
    range.npm_patched = std::move(patched);
    a.ranges.push_back(std::move(range));
    return a;
}

Result<Advisory> read_npm(const json& root, std::string_view stem) {
    Advisory adv;
    adv.id = fmt::format("NSWG-ECO-{}", stem);
    auto module = text(root, "module_name");
    auto vulnerable = text(root, "vulnerable_versions");
    auto patched = text(root, "patched_versions");
    auto cves = strings(root, "cves");
    auto vector = text(root, "cvss_vector");
    auto title = text(root, "title");
    auto overview = text(root, "overview");
    auto created = text(root, "created_at");
    auto updated = text(root, "updated_at");
    auto refs = strings(root, "references");
    for (const auto* r :
         {&module, &vulnerable, &patched, &vector, &title, &overview, &created, &updated}) {
        if (!*r) {
            return r->error();
        }
    }
    if (!cves) {
        return std::move(cves).error();
    }
    if (!refs) {
        return std::move(refs).error();
    }
    if (module->empty()) {
        return bad("module_name is required: the npm package the advisory is about");
    }
    if (vulnerable->empty()) {
        return bad("vulnerable_versions is required: the node-semver range that is affected");
    }
    adv.aliases = std::move(*cves);
    adv.summary = std::move(*title);
    adv.details = std::move(*overview);
    adv.published = std::move(*created);
    adv.modified = std::move(*updated);
    adv.references = std::move(*refs);
    if (is_cvss3(*vector)) {
        adv.cvss_v3.push_back(std::move(*vector));
    }
    adv.affected.push_back(
        npm_affected(std::move(*module), std::move(*vulnerable), std::move(*patched)));
    return adv;
}

Result<Advisory> read_core(const json& root, std::string_view stem) {
    Advisory adv;
    adv.id = fmt::format("NSWG-CORE-{}", stem);
    auto cves = strings(root, "cve");
    auto vulnerable = text(root, "vulnerable");
    auto patched = text(root, "patched");
    auto description = text(root, "description");
    auto overview = text(root, "overview");
    auto ref = text(root, "ref");
    auto severity = text(root, "severity");
    auto cvss = text(root, "cvss");
    for (const auto* r : {&vulnerable, &patched, &description, &overview, &ref, &severity, &cvss}) {
        if (!*r) {
            return r->error();
        }
    }
    if (!cves) {
        return std::move(cves).error();
    }
    if (vulnerable->empty()) {
        return bad("vulnerable is required: the node-semver range of affected Node.js versions");
    }
    adv.aliases = std::move(*cves);
    adv.summary = std::move(*description);
    adv.details = std::move(*overview);
    if (!ref->empty()) {
        adv.references.push_back(std::move(*ref));
    }
    adv.severity = upper(std::move(*severity));
    if (is_cvss3(*cvss)) {
        adv.cvss_v3.push_back(std::move(*cvss));
    }
    adv.affected.push_back(npm_affected("node", std::move(*vulnerable), std::move(*patched)));
    return adv;
}

}  // namespace

namespace detail {

Result<Advisory> advisory_from_nodejs_wg(const json& root, std::string_view file_stem, bool core) {
    if (!root.is_object()) {
        return bad("a Node.js Security WG advisory must be a JSON object");
    }
    if (file_stem.empty() || file_stem.size() > 64) {
        return bad("the advisory's file name gives its number; it is empty or too long");
    }
    try {
        return core ? read_core(root, file_stem) : read_npm(root, file_stem);
    } catch (const std::exception& e) {
        return bad(fmt::format("malformed Node.js Security WG advisory: {}", e.what()));
    }
}

}  // namespace detail

Result<Advisory> parse_nodejs_wg(std::string_view text, std::string_view file_stem, bool core) {
    json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
        return detail::bad("the Node.js Security WG advisory is not valid JSON");
    }
    return detail::advisory_from_nodejs_wg(root, file_stem, core);
}

}  // namespace wharf::scan::vulndb
