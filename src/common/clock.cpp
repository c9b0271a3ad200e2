#include "common/clock.hpp"

#include <ctime>

#include <fmt/format.h>

namespace wharf {

TimePoint SystemClock::now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

std::int64_t to_unix_millis(TimePoint t) noexcept { return t.time_since_epoch().count(); }

double to_unix_seconds(TimePoint t) noexcept {
    return static_cast<double>(to_unix_millis(t)) / 1000.0;
}

TimePoint from_unix_millis(std::int64_t ms) noexcept {
    return TimePoint{std::chrono::milliseconds{ms}};
}

std::string to_rfc3339(TimePoint t) {
    const auto ms = to_unix_millis(t);
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

}  // namespace wharf
