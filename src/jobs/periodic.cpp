#include "jobs/periodic.hpp"

namespace wharf::jobs {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> task)
    : name_(std::move(name)),
      interval_(interval),
      task_(std::move(task)),
      thread_([this] { run(); }) {}

Periodic::~Periodic() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Periodic::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        const bool stop = wake_.wait_for(lock, interval_, [&] { return stopping_; });
        lock.unlock();
        task_();  // the last run happens after the stop request
        lock.lock();
        if (stop) {
            return;
        }
    }
}

}  // namespace wharf::jobs
