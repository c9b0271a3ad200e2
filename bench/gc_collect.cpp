// Garbage collection throughput: N blobs nobody links (the state after a repository with N
// layers is deleted) are queued for review, then one collection deletes them all. Real parts:
// the SQLite metadata store (full sync) and the filesystem blob store on local disk.
// Usage: bench_gc_collect [N=1000000] [DIR=a new directory under /tmp]
// Target (issue #4): 1,000,000 blobs in under 60 s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "gc/collector.hpp"
#include "storage/blob/fs/fs_blob_store.hpp"
#include "storage/blob/fs/fs_layout.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "measure.hpp"

namespace {

using namespace wharf;
using bench::max_rss_kib;
using bench::seconds_since;
using bench::Steady;

int fail(const std::string& what) {
    std::fprintf(stderr, "bench_gc_collect: %s\n", what.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const std::filesystem::path dir =
        argc > 2 ? std::filesystem::path(argv[2])
                 : std::filesystem::temp_directory_path() /
                       fmt::format("wharf-gc-bench-{}", static_cast<long>(::getpid()));
    std::filesystem::create_directories(dir);
    auto blobs = storage::open_fs_blob_store(dir / "blobs-root");
    auto meta = storage::open_sqlite_metadata_store(dir / "meta.db");
    if (!blobs || !meta) {
        return fail(!blobs ? blobs.error().message : meta.error().message);
    }
    // Setup (not timed as collection): N small blob files in the store's layout, each queued.
    const storage::fs::FsLayout layout(dir / "blobs-root");
    auto setup = Steady::now();
    const std::size_t per_tx = 10'000;
    for (std::size_t first = 0; first < n; first += per_tx) {
        std::vector<model::Digest> batch;
        for (std::size_t i = first; i < std::min(n, first + per_tx); ++i) {
            const std::string content = fmt::format("layer {}", i);
            auto digest = model::Digest::of(content);
            auto file = layout.blob_file(digest);
            auto folder = layout.blob_dir(digest);
            if (!file || !folder) {
                return fail("layout");
            }
            std::filesystem::create_directories(*folder);
            std::ofstream(*file, std::ios::binary) << content;
            batch.push_back(std::move(digest));
        }
        auto queued = (*meta)->write([&](storage::MetadataTx& tx) -> Result<void> {
            for (const auto& d : batch) {
                if (auto q = tx.blob_reviews().enqueue(d, from_unix_millis(0)); !q) {
                    return q;
                }
            }
            return ok();
        });
        if (!queued) {
            return fail(queued.error().message);
        }
    }
    std::printf("setup: %zu blobs written and queued in %.1f s\n", n, seconds_since(setup));

    SystemClock clock;
    gc::Collector collector(**blobs, **meta, clock,
                            gc::Options{.grace = std::chrono::milliseconds(0),
                                        .upload_max_age = std::chrono::hours(24),
                                        .batch = 1000,
                                        .delete_parallelism = 8});
    auto start = Steady::now();
    auto report = collector.collect(false);
    const double took = seconds_since(start);
    if (!report) {
        return fail(report.error().message);
    }
    std::printf("gc: reviewed %llu, deleted %llu blobs (%llu bytes) in %.2f s = %.0f blobs/s; "
                "max RSS %ld MiB\n",
                static_cast<unsigned long long>(report->reviewed),
                static_cast<unsigned long long>(report->blobs_deleted),
                static_cast<unsigned long long>(report->bytes_freed), took,
                static_cast<double>(report->blobs_deleted) / took, max_rss_kib() / 1024);
    std::filesystem::remove_all(dir);
    return report->blobs_deleted == n ? 0 : fail("not every blob was deleted");
}
