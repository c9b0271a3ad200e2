#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "jobs/work_queue.hpp"

namespace wharf::jobs {
namespace {

TEST(WorkQueue, RunsTasksInOrderOnOneThread) {
    std::vector<int> seen;
    {
        WorkQueue queue("order", 16);
        for (int i = 0; i < 10; ++i) {
            ASSERT_TRUE(queue.post([&seen, i] { seen.push_back(i); }));
        }
    }  // destruction runs what is queued
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(WorkQueue, RefusesPastCapacity) {
    std::promise<void> release;
    auto gate = release.get_future().share();
    std::atomic<int> ran{0};
    WorkQueue queue("bounded", 2);
    std::promise<void> started;
    ASSERT_TRUE(queue.post([&] {
        started.set_value();
        gate.wait();
        ++ran;
    }));
    started.get_future().wait();  // the first task holds the worker; two may wait
    EXPECT_TRUE(queue.post([&] { ++ran; }));
    EXPECT_TRUE(queue.post([&] { ++ran; }));
    EXPECT_FALSE(queue.post([&] { ++ran; }));
    release.set_value();
}

}  // namespace
}  // namespace wharf::jobs
