#include "http/access_log.hpp"

#include <cstdio>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/json_text.hpp"

namespace wharf::http {

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
