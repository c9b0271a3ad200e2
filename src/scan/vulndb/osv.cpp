// The OSV reader: one record (JSON, or YAML already turned into JSON) to the Advisory model.
// Strict about types (a field of the wrong type refuses the record, naming it), lenient about
// absence (null and missing fields are empty) because every source omits different fields.
#include "scan/vulndb/advisory.hpp"

#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb {
namespace {

using detail::bad;
using nlohmann::json;

constexpr std::size_t kMaxIdChars = 256;

// A string field; "" when absent or null.
Result<std::string> text(const json& obj, const char* key, std::string_view where) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return std::string();
    }
    if (!it->is_string()) {
        return bad(fmt::format("{}{} must be a string, not {}", where, key, it->type_name()));
    }
    return it->get<std::string>();
}

// An array of strings; empty when absent or null.
Result<std::vector<std::string>> strings(const json& obj, const char* key, std::string_view where) {
    std::vector<std::string> out;
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        return bad(
            fmt::format("{}{} must be an array of strings, not {}", where, key, it->type_name()));
    }
    out.reserve(it->size());
    for (const auto& v : *it) {
        if (!v.is_string()) {
            return bad(
                fmt::format("{}{} must hold only strings, found {}", where, key, v.type_name()));
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

// An object field, or nullptr when absent, null or not an object (the *_specific objects are
// free-form; a different shape there is not an error).
const json* object(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_object() ? &*it : nullptr;
}

// severity[]: CVSS_V3 vectors only (v2 scores are not used, v4 needs tables we do not have).
Result<std::vector<std::string>> cvss_vectors(const json& obj, std::string_view where) {
    std::vector<std::string> out;
    const auto it = obj.find("severity");
    if (it == obj.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        return bad(fmt::format("{}severity must be an array, not {}", where, it->type_name()));
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& s = (*it)[i];
        if (!s.is_object()) {
            return bad(fmt::format("{}severity[{}] must be an object", where, i));
        }
        auto type = text(s, "type", fmt::format("{}severity[{}].", where, i));
        auto score = text(s, "score", fmt::format("{}severity[{}].", where, i));
        if (!type) {
            return std::move(type).error();
        }
        if (!score) {
            return std::move(score).error();
        }
        if (*type == "CVSS_V3" && !score->empty()) {
            out.push_back(std::move(*score));
        }
    }
    return out;
}

Result<RangeEvent> read_event(const json& e, const std::string& where) {
    if (!e.is_object()) {
        return bad(fmt::format("{} must be an object", where));
    }
    RangeEvent ev;
    int set = 0;
    for (const auto& [key, value] : e.items()) {
        std::string* field = key == "introduced"      ? &ev.introduced
                             : key == "fixed"         ? &ev.fixed
                             : key == "last_affected" ? &ev.last_affected
                             : key == "limit"         ? &ev.limit
                                                      : nullptr;
        if (field == nullptr) {
            continue;  // unknown keys are the schema's future, not an error
        }
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
            return bad(fmt::format("{}.{} must be a non-empty string", where, key));
        }
        *field = value.get<std::string>();
        ++set;
    }
    if (set != 1) {
        return bad(fmt::format(
            "{} must have exactly one of introduced, fixed, last_affected, limit", where));
    }
    return ev;
}

Result<Range> read_range(const json& r, const std::string& where) {
    if (!r.is_object()) {
        return bad(fmt::format("{} must be an object", where));
    }
    Range range;
    auto type = text(r, "type", where + ".");
    if (!type) {
        return std::move(type).error();
    }
    range.type = std::move(*type);
    const auto events = r.find("events");
    if (events == r.end() || !events->is_array()) {
        return bad(fmt::format("{}.events must be an array", where));
    }
    range.events.reserve(events->size());
    for (std::size_t i = 0; i < events->size(); ++i) {
        auto ev = read_event((*events)[i], fmt::format("{}.events[{}]", where, i));
        if (!ev) {
            return std::move(ev).error();
        }
        range.events.push_back(std::move(*ev));
    }
    return range;
}

// One affected[] entry; nullopt (not an error) when it names no package, as the GIT-only
// entries of Debian's records do: there is nothing to look up by.
Result<std::optional<Affected>> read_affected(const json& a, std::size_t index,
                                              std::string& informational) {
    const std::string where = fmt::format("affected[{}]", index);
    if (!a.is_object()) {
        return bad(where + " must be an object");
    }
    const json* package = object(a, "package");
    if (package == nullptr) {
        return std::optional<Affected>();
    }
    Affected out;
    auto ecosystem = text(*package, "ecosystem", where + ".package.");
    auto name = text(*package, "name", where + ".package.");
    if (!ecosystem) {
        return std::move(ecosystem).error();
    }
    if (!name) {
        return std::move(name).error();
    }
    if (ecosystem->empty() || name->empty()) {
        return std::optional<Affected>();
    }
    out.ecosystem = std::move(*ecosystem);
    out.name = std::move(*name);
    if (const auto ranges = a.find("ranges"); ranges != a.end() && !ranges->is_null()) {
        if (!ranges->is_array()) {
            return bad(where + ".ranges must be an array");
        }
        for (std::size_t i = 0; i < ranges->size(); ++i) {
            auto range = read_range((*ranges)[i], fmt::format("{}.ranges[{}]", where, i));
            if (!range) {
                return std::move(range).error();
            }
            out.ranges.push_back(std::move(*range));
        }
    }
    auto versions = strings(a, "versions", where + ".");
    if (!versions) {
        return std::move(versions).error();
    }
    out.versions = std::move(*versions);
    if (const json* eco = object(a, "ecosystem_specific")) {
        auto urgency = text(*eco, "urgency", where + ".ecosystem_specific.");
        if (!urgency) {
            return std::move(urgency).error();
        }
        out.urgency = std::move(*urgency);
    }
    auto cvss = cvss_vectors(a, where + ".");
    if (!cvss) {
        return std::move(cvss).error();
    }
    out.cvss_v3 = std::move(*cvss);
    // RustSec puts `informational` per affected package.
    if (const json* db = object(a, "database_specific"); db != nullptr && informational.empty()) {
        if (const auto it = db->find("informational"); it != db->end() && it->is_string()) {
            informational = it->get<std::string>();
        }
    }
    return std::optional<Affected>(std::move(out));
}

Result<Advisory> read_record(const json& root) {
    if (!root.is_object()) {
        return bad(fmt::format("an OSV record must be a JSON object, not {}", root.type_name()));
    }
    Advisory adv;
    auto id = text(root, "id", "");
    if (!id) {
        return std::move(id).error();
    }
    if (id->empty()) {
        return bad("id is required: an OSV record needs a non-empty id");
    }
    if (id->size() > kMaxIdChars) {
        return bad(
            fmt::format("id has {} characters; at most {} are accepted", id->size(), kMaxIdChars));
    }
    adv.id = std::move(*id);
    for (auto [key, field] : {std::pair{"summary", &adv.summary},
                              {"details", &adv.details},
                              {"published", &adv.published},
                              {"modified", &adv.modified},
                              {"withdrawn", &adv.withdrawn}}) {
        auto value = text(root, key, "");
        if (!value) {
            return std::move(value).error();
        }
        *field = std::move(*value);
    }
    auto aliases = strings(root, "aliases", "");
    if (!aliases) {
        return std::move(aliases).error();
    }
    adv.aliases = std::move(*aliases);
    // A DSA/DLA names the CVEs it fixes in related[]; for folding they work as aliases. Other
    // records' related[] (a CVE's list of RHSA, USN, ...) are only loosely related and would
    // fold unrelated CVEs together, so they are not kept.
    if (detail::is_debian_bundle(adv.id)) {
        auto related = strings(root, "related", "");
        if (!related) {
            return std::move(related).error();
        }
        adv.aliases.insert(adv.aliases.end(), related->begin(), related->end());
    }
    auto cvss = cvss_vectors(root, "");
    if (!cvss) {
        return std::move(cvss).error();
    }
    adv.cvss_v3 = std::move(*cvss);
    if (const json* db = object(root, "database_specific")) {
        if (const auto it = db->find("severity"); it != db->end() && it->is_string()) {
            adv.severity = it->get<std::string>();
        }
        if (const auto it = db->find("informational"); it != db->end() && it->is_string()) {
            adv.informational = it->get<std::string>();
        }
    }
    if (const auto refs = root.find("references"); refs != root.end() && !refs->is_null()) {
        if (!refs->is_array()) {
            return bad("references must be an array");
        }
        for (std::size_t i = 0; i < refs->size(); ++i) {
            const auto& r = (*refs)[i];
            if (!r.is_object()) {
                return bad(fmt::format("references[{}] must be an object", i));
            }
            auto url = text(r, "url", fmt::format("references[{}].", i));
            if (!url) {
                return std::move(url).error();
            }
            if (!url->empty()) {
                adv.references.push_back(std::move(*url));
            }
        }
    }
    if (const auto affected = root.find("affected");
        affected != root.end() && !affected->is_null()) {
        if (!affected->is_array()) {
            return bad("affected must be an array");
        }
        for (std::size_t i = 0; i < affected->size(); ++i) {
            auto entry = read_affected((*affected)[i], i, adv.informational);
            if (!entry) {
                return std::move(entry).error();
            }
            if (*entry) {
                adv.affected.push_back(std::move(**entry));
            }
        }
    }
    return adv;
}

}  // namespace

namespace detail {

Error bad(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

Result<Advisory> advisory_from_osv(const json& root) {
    try {
        return read_record(root);
    } catch (const std::exception& e) {  // nlohmann type errors; not expected after the checks
        return bad(fmt::format("malformed OSV record: {}", e.what()));
    }
}

}  // namespace detail

Result<Advisory> parse_osv_json(std::string_view text) {
    json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) {
        return detail::bad("the OSV record is not valid JSON");
    }
    return detail::advisory_from_osv(root);
}

Result<Advisory> parse_osv_yaml(std::string_view text) {
    auto root = detail::yaml_to_json(text);
    if (!root) {
        return std::move(root).error();
    }
    return detail::advisory_from_osv(*root);
}

}  // namespace wharf::scan::vulndb
