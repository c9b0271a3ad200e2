#include "http/access_log.hpp"

#include <cstdio>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "common/clock.hpp"

namespace wharf::http {
namespace {

// JSON string escaping per RFC 8259; bytes that are not valid text (a hostile path) come out as
// \u00XX escapes, so every line stays one valid JSON object.
void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c >= 0x7f) {
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

}  // namespace

void write_access_log(const AccessRecord& r) {
    std::string line;
    line.reserve(256 + r.target.size());
    line += "{\"time\":";
    append_json_string(line, to_rfc3339(SystemClock{}.now()));
    line += ",\"request_id\":";
    append_json_string(line, r.request_id);
    line += ",\"remote\":";
    append_json_string(line, r.remote);
    line += ",\"method\":";
    append_json_string(line, r.method);
    line += ",\"path\":";
    append_json_string(line, r.target);
    line += ",\"route\":";
    append_json_string(line, r.route);
    if (!r.principal.empty()) {
        line += ",\"principal\":";
        append_json_string(line, r.principal);
    }
    fmt::format_to(std::back_inserter(line),
                   ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_ms\":{:.3f}}}\n",
                   r.status, r.bytes_in, r.bytes_out,
                   static_cast<double>(r.duration.count()) / 1000.0);
    std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace wharf::http
