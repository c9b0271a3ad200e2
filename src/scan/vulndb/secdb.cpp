// The Alpine secdb reader. A secdb file lists, per origin package, the apk version that fixed
// each CVE; we turn every (CVE, package) into an OSV-like advisory "introduced 0, fixed <ver>"
// in the ecosystem "Alpine:<distroversion>".
#include "scan/vulndb/advisory.hpp"

#include <map>

#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb {
namespace {

using detail::bad;
using nlohmann::json;

constexpr std::size_t kMaxIdChars = 256;

// secfixes entries are usually a bare id, sometimes followed by a remark
// ("CVE-2019-1234 (regression)"): the id is the first word.
std::string first_word(std::string_view s) {
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = s.find_first_of(" \t", begin);
    return std::string(s.substr(begin, end == std::string_view::npos ? end : end - begin));
}

Result<std::vector<Advisory>> read_secdb(const json& root) {
    if (!root.is_object()) {
        return bad("an Alpine secdb file must be a JSON object");
    }
    const auto release = root.find("distroversion");
    if (release == root.end() || !release->is_string() ||
        release->get_ref<const std::string&>().empty()) {
        return bad("distroversion must be a non-empty string such as \"v3.19\"");
    }
    const std::string ecosystem = "Alpine:" + release->get<std::string>();
    const auto packages = root.find("packages");
    if (packages == root.end() || !packages->is_array()) {
        return bad("packages must be an array");
    }
    std::vector<Advisory> out;
    for (std::size_t p = 0; p < packages->size(); ++p) {
        const auto& entry = (*packages)[p];
        const auto pkg = entry.is_object() ? entry.find("pkg") : entry.end();
        if (!entry.is_object() || pkg == entry.end() || !pkg->is_object()) {
            return bad(fmt::format("packages[{}].pkg must be an object", p));
        }
        const auto name = pkg->find("name");
        if (name == pkg->end() || !name->is_string() ||
            name->get_ref<const std::string&>().empty()) {
            return bad(fmt::format("packages[{}].pkg.name must be a non-empty string", p));
        }
        const auto secfixes = pkg->find("secfixes");
        if (secfixes == pkg->end() || secfixes->is_null()) {
            continue;
        }
        if (!secfixes->is_object()) {
            return bad(fmt::format("packages[{}].pkg.secfixes must be an object", p));
        }
        // One advisory per id within this package; a CVE listed under two fixed versions gets
        // a range for each (OSV's union: affected below the highest of them).
        std::map<std::string, Advisory> by_id;
        for (const auto& [fixed, ids] : secfixes->items()) {
            if (ids.is_null()) {
                continue;
            }
            if (!ids.is_array()) {
                return bad(
                    fmt::format("packages[{}].pkg.secfixes[\"{}\"] must be an array", p, fixed));
            }
            if (fixed == "0" || fixed.empty()) {
                continue;  // "0": the package was never affected
            }
            for (const auto& id_value : ids) {
                if (!id_value.is_string()) {
                    return bad(fmt::format(
                        "packages[{}].pkg.secfixes[\"{}\"] must hold only strings", p, fixed));
                }
                std::string id = first_word(id_value.get_ref<const std::string&>());
                if (id.empty() || id.size() > kMaxIdChars) {
                    continue;
                }
                auto [it, inserted] = by_id.try_emplace(id);
                Advisory& adv = it->second;
                if (inserted) {
                    adv.id = id;
                    Affected a;
                    a.ecosystem = ecosystem;
                    a.name = name->get<std::string>();
                    adv.affected.push_back(std::move(a));
                }
                Range range;
                range.type = "ECOSYSTEM";
                range.events.resize(2);
                range.events[0].introduced = "0";
                range.events[1].fixed = fixed;
                adv.affected.front().ranges.push_back(std::move(range));
            }
        }
        for (auto& [id, adv] : by_id) {
            out.push_back(std::move(adv));
        }
    }
    return out;
}

}  // namespace

namespace detail {

Result<std::vector<Advisory>> advisories_from_secdb(const json& root) {
    try {
        return read_secdb(root);
    } catch (const std::exception& e) {
        return bad(fmt::format("malformed Alpine secdb file: {}", e.what()));
    }
}

}  // namespace detail

Result<std::vector<Advisory>> parse_alpine_secdb(std::string_view text) {
    json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
        return detail::bad("the Alpine secdb file is not valid JSON");
    }
    return detail::advisories_from_secdb(root);
}

}  // namespace wharf::scan::vulndb
