#include "common/clock.hpp"

#include <cstdio>
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

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    char tail[64] = {0};
    const std::string copy(text.substr(0, 60));
    const int n = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%63s", &y, &mo, &d, &h, &mi,
                              &sec, tail);
    if (n < 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1970) {
        return std::nullopt;
    }
    std::string_view rest(tail);
    std::int64_t millis = 0;
    if (rest.starts_with('.')) {
        std::size_t i = 1;
        int scale = 100;
        for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
            millis += (rest[i] - '0') * scale;
            scale /= 10;
        }
        if (i == 1) {
            return std::nullopt;
        }
        rest.remove_prefix(i);
    }
    std::int64_t offset = 0;
    if (rest == "Z" || rest == "z" || rest.empty()) {
        offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        const int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
        const int om = (rest[4] - '0') * 10 + (rest[5] - '0');
        if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return std::nullopt;
        }
        offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const std::int64_t secs = static_cast<std::int64_t>(timegm(&tm)) - offset;
    return from_unix_millis(secs * 1000 + millis);
}

}  // namespace wharf
