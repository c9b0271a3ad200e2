#include "http/access_log.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace wharf::http {

void write_access_log(const AccessRecord& r) {
    nlohmann::json line{
        {"time", to_rfc3339(SystemClock{}.now())},
        {"request_id", r.request_id},
        {"remote", r.remote},
        {"method", r.method},
        {"path", r.target},
        {"route", r.route},
        {"status", r.status},
        {"bytes_in", r.bytes_in},
        {"bytes_out", r.bytes_out},
        {"duration_ms", static_cast<double>(r.duration.count()) / 1000.0},
    };
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace wharf::http
