#include "server/admin_support.hpp"

#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

namespace wharf::server::admin {

Result<TimePoint> parse_instant(const std::string& text, std::string_view flag) {
    auto at = parse_rfc3339(text);
    if (!at) {
        return Error{Errc::bad_request,
                     fmt::format("{} '{}': give an instant like 2026-11-22T10:00:00Z", flag, text)};
    }
    return *at;
}

Result<std::string> read_input(const std::string& file) {
    if (file == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    }
    std::ifstream in(file);
    if (!in) {
        return Error{Errc::bad_request, fmt::format("cannot read {}", file)};
    }
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace wharf::server::admin
