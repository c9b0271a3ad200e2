// The stored form of an Advisory: compact JSON with short keys and empty fields left out, so a
// version file stays small and a lookup decodes only what it returns. Only this file knows it;
// a change of shape needs a new kSchema in the database (database_schema.cpp).
#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb::detail {
namespace {

using nlohmann::json;

void put(json& obj, const char* key, const std::string& value) {
    if (!value.empty()) {
        obj[key] = value;
    }
}

void put(json& obj, const char* key, const std::vector<std::string>& values) {
    if (!values.empty()) {
        obj[key] = values;
    }
}

json encode_range(const Range& r) {
    json out = json::object();
    put(out, "t", r.type);
    if (!r.events.empty()) {
        json events = json::array();
        for (const auto& e : r.events) {
            // Exactly one field is set (the readers guarantee it); the key says which.
            if (!e.introduced.empty()) {
                events.push_back({{"i", e.introduced}});
            } else if (!e.fixed.empty()) {
                events.push_back({{"f", e.fixed}});
            } else if (!e.last_affected.empty()) {
                events.push_back({{"l", e.last_affected}});
            } else if (!e.limit.empty()) {
                events.push_back({{"x", e.limit}});
            }
        }
        out["e"] = std::move(events);
    }
    put(out, "nv", r.npm_vulnerable);
    put(out, "np", r.npm_patched);
    return out;
}

json encode_affected(const Affected& a) {
    json out = json::object();
    out["e"] = a.ecosystem;
    out["n"] = a.name;
    if (!a.ranges.empty()) {
        json ranges = json::array();
        for (const auto& r : a.ranges) {
            ranges.push_back(encode_range(r));
        }
        out["r"] = std::move(ranges);
    }
    put(out, "v", a.versions);
    put(out, "u", a.urgency);
    put(out, "c", a.cvss_v3);
    return out;
}

// Decoding takes the strings out of the parsed document instead of copying them: lookups of
// big source packages (linux has thousands of records) spend their time here.
std::string get(json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? std::move(it->get_ref<std::string&>())
                                              : std::string();
}

std::vector<std::string> get_list(json& obj, const char* key) {
    std::vector<std::string> out;
    const auto it = obj.find(key);
    if (it != obj.end() && it->is_array()) {
        out.reserve(it->size());
        for (auto& v : *it) {
            if (v.is_string()) {
                out.push_back(std::move(v.get_ref<std::string&>()));
            }
        }
    }
    return out;
}

Range decode_range(json& obj) {
    Range r;
    r.type = get(obj, "t");
    if (const auto it = obj.find("e"); it != obj.end() && it->is_array()) {
        for (auto& e : *it) {
            RangeEvent ev;
            ev.introduced = get(e, "i");
            ev.fixed = get(e, "f");
            ev.last_affected = get(e, "l");
            ev.limit = get(e, "x");
            r.events.push_back(std::move(ev));
        }
    }
    r.npm_vulnerable = get(obj, "nv");
    r.npm_patched = get(obj, "np");
    return r;
}

Affected decode_affected(json& obj) {
    Affected a;
    a.ecosystem = get(obj, "e");
    a.name = get(obj, "n");
    if (const auto it = obj.find("r"); it != obj.end() && it->is_array()) {
        for (auto& r : *it) {
            if (r.is_object()) {
                a.ranges.push_back(decode_range(r));
            }
        }
    }
    a.versions = get_list(obj, "v");
    a.urgency = get(obj, "u");
    a.cvss_v3 = get_list(obj, "c");
    return a;
}

}  // namespace

std::string encode(const Advisory& a) {
    json out = json::object();
    out["id"] = a.id;
    put(out, "al", a.aliases);
    put(out, "su", a.summary);
    put(out, "de", a.details);
    put(out, "pu", a.published);
    put(out, "mo", a.modified);
    put(out, "wi", a.withdrawn);
    put(out, "cv", a.cvss_v3);
    put(out, "se", a.severity);
    put(out, "in", a.informational);
    put(out, "re", a.references);
    if (!a.affected.empty()) {
        json affected = json::array();
        for (const auto& entry : a.affected) {
            affected.push_back(encode_affected(entry));
        }
        out["af"] = std::move(affected);
    }
    // Replace invalid UTF-8 rather than throw: the record came from outside.
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Advisory> decode(std::string_view stored) {
    json obj = json::parse(stored, nullptr, /*allow_exceptions=*/false);
    if (!obj.is_object()) {
        return Error{Errc::internal,
                     "a stored advisory is not a JSON object; the database "
                     "file is damaged, import the sources again"};
    }
    Advisory a;
    a.id = get(obj, "id");
    a.aliases = get_list(obj, "al");
    a.summary = get(obj, "su");
    a.details = get(obj, "de");
    a.published = get(obj, "pu");
    a.modified = get(obj, "mo");
    a.withdrawn = get(obj, "wi");
    a.cvss_v3 = get_list(obj, "cv");
    a.severity = get(obj, "se");
    a.informational = get(obj, "in");
    a.references = get_list(obj, "re");
    if (const auto it = obj.find("af"); it != obj.end() && it->is_array()) {
        a.affected.reserve(it->size());
        for (auto& entry : *it) {
            if (entry.is_object()) {
                a.affected.push_back(decode_affected(entry));
            }
        }
    }
    return a;
}

}  // namespace wharf::scan::vulndb::detail
