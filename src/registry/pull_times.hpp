#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "registry/context.hpp"

namespace wharf::registry {

// lastRecordedPullTime, cheaply: a pull only notes (repository, digest, time) in memory; flush()
// writes everything noted since the last flush in one transaction. The composition root flushes
// periodically and at shutdown, so a pull never waits for a write and a burst of pulls of one
// image costs one row update. A crash loses at most one period of pull times, never a pull.
class PullRecorder {
public:
    explicit PullRecorder(ServiceContext& ctx) : ctx_(ctx) {}

    void note(storage::RepoId repo, const model::Digest& digest);  // no I/O; thread-safe
    // Writes the pending pull times; returns how many images were updated. On failure the
    // pending times are kept for the next flush.
    Result<std::size_t> flush();

private:
    ServiceContext& ctx_;
    std::mutex mutex_;
    std::map<std::pair<storage::RepoId, std::string>, TimePoint> pending_;
};

}  // namespace wharf::registry
