#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace wharf::http {

struct AccessRecord {
    std::string_view method;
    std::string_view target;
    std::string_view route;
    int status = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::chrono::microseconds duration{0};
    std::string_view remote;
    std::string_view request_id;
    std::string_view principal;  // "" when the request carried no valid credentials
};

// One JSON line per request on stdout (line-buffered; one write per line, so lines from
// several threads never interleave).
void write_access_log(const AccessRecord& record);

}  // namespace wharf::http
