#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Time is injected so services can be tested with a FakeClock (tests/support).
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override;
};

std::int64_t to_unix_millis(TimePoint t) noexcept;
TimePoint from_unix_millis(std::int64_t ms) noexcept;
// Seconds with a fraction: AWS JSON 1.1 timestamps.
double to_unix_seconds(TimePoint t) noexcept;
// RFC 3339 in UTC with millisecond precision, e.g. 2026-11-22T14:56:11.123Z.
std::string to_rfc3339(TimePoint t);
// Reads "2026-11-22T14:56:11Z", with optional fraction and a "Z" or "+hh:mm" offset (a bare
// date-time is UTC); nullopt for anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace wharf
