#pragma once

#include <atomic>
#include <chrono>

#include "common/clock.hpp"

namespace wharf::testing {

// A clock that only moves when told to.
class FakeClock final : public Clock {
public:
    explicit FakeClock(TimePoint start = from_unix_millis(1'790'000'000'000)) : now_(start) {}
    TimePoint now() const override { return now_.load(); }
    void advance(std::chrono::milliseconds by) { now_.store(now_.load() + by); }

private:
    std::atomic<TimePoint> now_;
};

}  // namespace wharf::testing
