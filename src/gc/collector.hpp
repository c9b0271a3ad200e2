#pragma once

// Online garbage collection: blobs that no repository links any more are deleted while pushes
// and pulls go on. Reference tracking lives in the metadata store (links, manifest references
// and the review queue they feed); the collector only reviews what the queue says may be free.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "model/digest.hpp"
#include "storage/blob/blob_store.hpp"
#include "storage/meta/metadata_store.hpp"

namespace wharf::gc {

struct Options {
    // How long a blob must have been quiet (no link made, no reference dropped) before it is
    // reviewed, and how old a link nothing references must be before it is dropped. It covers a
    // push that uploaded (or found) a blob and has not yet pushed the manifest naming it.
    std::chrono::milliseconds grace{std::chrono::hours(24)};
    // Upload sessions not written to for this long are abandoned: their bytes are discarded.
    std::chrono::milliseconds upload_max_age{std::chrono::hours(24)};
    std::size_t batch = 1000;  // reviews per write transaction
    std::size_t delete_parallelism = 8;  // blob deletions in flight at once (latency-bound)
};

struct Report {
    bool dry_run = false;
    std::uint64_t reviewed = 0;         // blobs whose review was due
    std::uint64_t links_dropped = 0;    // links no manifest referenced, older than the grace
    std::uint64_t blobs_deleted = 0;    // blobs no repository linked any more
    std::uint64_t bytes_freed = 0;
    std::uint64_t uploads_removed = 0;  // abandoned upload sessions
    std::uint64_t scans_removed = 0;    // vulnerability scans of images no repository holds
    // Referrers (signatures, SBOMs) whose subject was gone for longer than the grace, deleted.
    std::uint64_t referrers_removed = 0;
    std::uint64_t pending = 0;          // reviews still queued (not yet due) afterwards
    // The blobs deleted (or, dry run, that would be), the first 10,000 of them.
    std::vector<model::Digest> deleted;
};

// What collections have done since the process started (for metrics).
struct Totals {
    std::atomic<std::uint64_t> runs{0};
    std::atomic<std::uint64_t> blobs_deleted{0};
    std::atomic<std::uint64_t> bytes_freed{0};
    std::atomic<std::uint64_t> links_dropped{0};
    std::atomic<std::uint64_t> uploads_removed{0};
    std::atomic<std::uint64_t> scans_removed{0};
    std::atomic<std::uint64_t> referrers_removed{0};
    std::atomic<std::uint64_t> pending{0};  // reviews queued after the last run
};

class Collector {
public:
    Collector(storage::BlobStore& blobs, storage::MetadataStore& meta, const Clock& clock,
              Options options)
        : blobs_(blobs), meta_(meta), clock_(clock), options_(options) {}

    // Reviews every blob whose review is due and removes abandoned uploads. A blob is deleted
    // only inside the write transaction that found no link to it, so a push linking it at the
    // same moment either sees it gone (and uploads it again) or keeps it. A dry run changes
    // nothing and reports what a run would do now.
    Result<Report> collect(bool dry_run);
    const Totals& totals() const noexcept { return totals_; }

private:
    Result<void> review_batch(const std::vector<model::Digest>& due, TimePoint cutoff, bool dry_run,
                              Report& report);
    Result<void> remove_abandoned_uploads(bool dry_run, Report& report);
    // Scans (and so findings and inventories) of deleted images; a layer's cached analysis goes
    // when its blob is deleted, in review_batch.
    Result<void> remove_orphaned_scans(bool dry_run, Report& report);
    // Referrers whose subject their repository no longer holds, pushed longer than the grace
    // ago (OCI lets a referrer be pushed before its subject): a signature or SBOM of a deleted
    // image goes with it, as ECR expires them within 24 hours. Runs before the blob reviews, so
    // the blobs they held are reviewed once the grace has passed again.
    Result<void> remove_orphaned_referrers(TimePoint cutoff, bool dry_run, Report& report);
    // Pages through what `list` finds (all at once in a dry run, which only counts), removing
    // each in a write transaction with `remove` (which re-checks it and says whether it went);
    // adds to `count` what went or would go.
    template <typename Item>
    Result<void> sweep(
        bool dry_run, std::uint64_t& count,
        const std::function<Result<std::vector<Item>>(storage::MetadataTx&, std::size_t)>& list,
        const std::function<Result<bool>(storage::MetadataTx&, const Item&)>& remove);
    // Deletes the bytes of blobs marked for deletion, then clears their marks.
    Result<void> delete_marked(const std::vector<model::Digest>& marked);
    Result<void> finish_deletions();

    storage::BlobStore& blobs_;
    storage::MetadataStore& meta_;
    const Clock& clock_;
    Options options_;
    Totals totals_;
};

}  // namespace wharf::gc
