// jobs::Periodic::Options: first_delay and run_at_stop. Short intervals; each test well under
// 200 ms.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "jobs/periodic.hpp"

namespace wharf {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Waits until `runs` reaches `n` or `limit` passes; returns whether it did.
bool wait_for_runs(const std::atomic<int>& runs, int n, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (runs.load() < n) {
        if (Clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

TEST(PeriodicOptions, AShortFirstDelayRunsLongBeforeTheInterval) {
    std::atomic<int> runs{0};
    const auto start = Clock::now();
    {
        jobs::Periodic p(
            "first", std::chrono::hours(1), [&] { ++runs; },
            jobs::Periodic::Options{.first_delay = 5ms, .run_at_stop = false});
        ASSERT_TRUE(wait_for_runs(runs, 1, 500ms));
        EXPECT_GE(Clock::now() - start, 5ms);
        std::this_thread::sleep_for(20ms);
        EXPECT_EQ(runs.load(), 1);  // then the hour-long interval: no second run
    }
    EXPECT_EQ(runs.load(), 1);            // and none at stop
    EXPECT_LT(Clock::now() - start, 1s);  // stopping does not wait for the hour
}

TEST(PeriodicOptions, AZeroFirstDelayRunsAtOnce) {
    std::atomic<int> runs{0};
    const auto start = Clock::now();
    {
        jobs::Periodic p(
            "now", std::chrono::hours(1), [&] { ++runs; },
            jobs::Periodic::Options{.first_delay = 0ms, .run_at_stop = false});
        ASSERT_TRUE(wait_for_runs(runs, 1, 500ms));
    }
    EXPECT_EQ(runs.load(), 1);
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST(PeriodicOptions, ALongFirstDelayIsWaitedThenTheIntervalApplies) {
    std::atomic<int> runs{0};
    std::atomic<std::int64_t> first_at_ms{-1};
    const auto start = Clock::now();
    {
        jobs::Periodic p(
            "late", 5ms,
            [&] {
                if (runs.fetch_add(1) == 0) {
                    first_at_ms =
                        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)
                            .count();
                }
            },
            jobs::Periodic::Options{.first_delay = 80ms, .run_at_stop = false});
        std::this_thread::sleep_for(20ms);
        EXPECT_EQ(runs.load(), 0);  // the 5 ms interval does not apply before the first run
        ASSERT_TRUE(wait_for_runs(runs, 3, 500ms));  // then every 5 ms
    }
    EXPECT_GE(first_at_ms.load(), 80);
}

TEST(PeriodicOptions, RunAtStopFalseSkipsTheRunAtDestruction) {
    std::atomic<int> runs{0};
    const auto start = Clock::now();
    {
        jobs::Periodic p(
            "no-final", std::chrono::hours(1), [&] { ++runs; },
            jobs::Periodic::Options{.first_delay = std::nullopt, .run_at_stop = false});
    }
    EXPECT_EQ(runs.load(), 0);
    EXPECT_LT(Clock::now() - start, 1s);  // stopping does not wait for the interval either
}

TEST(PeriodicOptions, RunAtStopFalseAfterPeriodicRunsAddsNoneAtDestruction) {
    std::atomic<int> runs{0};
    int before_stop = 0;
    {
        jobs::Periodic p(
            "periodic", 5ms, [&] { ++runs; },
            jobs::Periodic::Options{.first_delay = std::nullopt, .run_at_stop = false});
        ASSERT_TRUE(wait_for_runs(runs, 2, 500ms));
        before_stop = runs.load();
    }
    // At most one periodic run may have been under way when the stop came; none is added.
    EXPECT_LE(runs.load(), before_stop + 1);
    const int after = runs.load();
    std::this_thread::sleep_for(15ms);
    EXPECT_EQ(runs.load(), after);
}

TEST(PeriodicOptions, DefaultOptionsWaitOneIntervalAndRunAtStop) {
    std::atomic<int> runs{0};
    {
        jobs::Periodic p(
            "defaults", std::chrono::hours(1), [&] { ++runs; }, jobs::Periodic::Options{});
        std::this_thread::sleep_for(10ms);
        EXPECT_EQ(runs.load(), 0);  // no first_delay: the first run is one interval away
    }
    EXPECT_EQ(runs.load(), 1);  // run_at_stop defaults to true
}

TEST(PeriodicOptions, RunAtStopWithAFirstDelayStillRunsOnceAtDestruction) {
    std::atomic<int> runs{0};
    {
        jobs::Periodic p(
            "delayed-final", std::chrono::hours(1), [&] { ++runs; },
            jobs::Periodic::Options{.first_delay = std::chrono::hours(1), .run_at_stop = true});
    }
    EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace wharf
