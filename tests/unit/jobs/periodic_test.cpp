#include "jobs/periodic.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace wharf {
namespace {

using namespace std::chrono_literals;

TEST(Periodic, RunsEveryIntervalAndOnceMoreWhenDestroyed) {
    std::atomic<int> runs{0};
    {
        jobs::Periodic p("count", 10ms, [&] { ++runs; });
        while (runs.load() < 3) {
            std::this_thread::sleep_for(1ms);
        }
    }
    const int after = runs.load();
    EXPECT_GE(after, 4);  // three periodic runs, then the last one at destruction
    std::this_thread::sleep_for(30ms);
    EXPECT_EQ(runs.load(), after);  // and nothing after that
}

TEST(Periodic, DestructionDoesNotWaitForTheInterval) {
    std::atomic<int> runs{0};
    const auto start = std::chrono::steady_clock::now();
    {
        jobs::Periodic p("slow", std::chrono::hours(1), [&] { ++runs; });
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(runs.load(), 1);  // only the final run
}

}  // namespace
}  // namespace wharf
