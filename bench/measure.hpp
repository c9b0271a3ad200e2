#pragma once

// What the whole-process benchmarks report about themselves: wall time and peak memory.

#include <sys/resource.h>

#include <chrono>

namespace wharf::bench {

using Steady = std::chrono::steady_clock;

inline double seconds_since(Steady::time_point start) {
    return std::chrono::duration<double>(Steady::now() - start).count();
}

// The process's peak resident set so far (getrusage), in KiB.
inline long max_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace wharf::bench
