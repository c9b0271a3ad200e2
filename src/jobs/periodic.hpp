#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace wharf::jobs {

// Runs `task` on its own thread every `interval` (the first time after `first_delay`, when
// given) and, with `run_at_stop`, once more when destroyed (so work noted just before a clean
// shutdown is not lost). The task must not throw.
class Periodic {
public:
    struct Options {
        std::optional<std::chrono::milliseconds> first_delay;  // default: one interval
        bool run_at_stop = true;
    };
    Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> task)
        : Periodic(std::move(name), interval, std::move(task), Options{}) {}
    Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> task,
             Options options);
    ~Periodic();
    Periodic(const Periodic&) = delete;
    Periodic& operator=(const Periodic&) = delete;

    const std::string& name() const noexcept { return name_; }

private:
    void run();

    std::string name_;
    std::chrono::milliseconds interval_;
    Options options_;
    std::function<void()> task_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace wharf::jobs
