#include "registry/pull_times.hpp"

namespace wharf::registry {

void PullRecorder::note(storage::RepoId repo, const model::Digest& digest) {
    const auto now = ctx_.clock.now();
    std::lock_guard lock(mutex_);
    auto& at = pending_[{repo, digest.str()}];
    at = std::max(at, now);
}

Result<std::size_t> PullRecorder::flush() {
    decltype(pending_) batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
    }
    if (batch.empty()) {
        return std::size_t{0};
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        for (const auto& [key, at] : batch) {
            auto digest = model::Digest::parse(key.second);
            if (!digest) {
                continue;  // noted from a parsed Digest: cannot happen
            }
            // An image deleted since its pull updates nothing: mark_pulled matches no row.
            if (auto marked = tx.manifests().mark_pulled(key.first, *digest, at); !marked) {
                return marked;
            }
        }
        return ok();
    });
    if (!done) {
        std::lock_guard lock(mutex_);
        for (const auto& [key, at] : batch) {  // keep them for the next attempt
            auto& pending = pending_[key];
            pending = std::max(pending, at);
        }
        return done.error();
    }
    return batch.size();
}

}  // namespace wharf::registry
