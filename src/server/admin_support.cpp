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
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) {
        return Error{Errc::bad_request,
                     fmt::format("{} '{}': give an instant like 2026-11-22T10:00:00Z", flag, text)};
    }
    return TimePoint(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(timegm(&tm))));
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
