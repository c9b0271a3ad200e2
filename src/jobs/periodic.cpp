#include "jobs/periodic.hpp"

namespace wharf::jobs {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> task,
                   Options options)
    : name_(std::move(name)),
      interval_(interval),
      options_(options),
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
    auto wait = options_.first_delay.value_or(interval_);
    for (;;) {
        const bool stop = wake_.wait_for(lock, wait, [&] { return stopping_; });
        wait = interval_;
        if (stop && !options_.run_at_stop) {
            return;
        }
        lock.unlock();
        task_();  // the last run happens after the stop request
        lock.lock();
        if (stop) {
            return;
        }
    }
}

}  // namespace wharf::jobs
