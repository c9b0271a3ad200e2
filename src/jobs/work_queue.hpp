#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace wharf::jobs {

// A bounded queue of tasks run one at a time on its own thread, in order. post() refuses (returns
// false) when `capacity` tasks are already waiting, so a burst of requests cannot queue unbounded
// work; callers report that as "busy". Destruction runs what is queued, then joins. Tasks must
// not throw.
class WorkQueue {
public:
    WorkQueue(std::string name, std::size_t capacity);
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    bool post(std::function<void()> task);
    const std::string& name() const noexcept { return name_; }

private:
    void run();

    std::string name_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace wharf::jobs
