// Vulnerability database import micro-benchmark: the full Debian OSV snapshot (44,181 records,
// 8.8 MB .tar.xz, 312 MB of JSON) imported into an empty temp directory, as `wharf admin vulndb
// import` does: libarchive streams the archive, each record is parsed and normalised, and one
// transaction writes the version file, which is then fsynced and published. Target: well under
// 60 s on 2 cores (Release). Prints records, seconds and records/s; the snapshot path can be
// overridden with WHARF_VULNDB_SNAPSHOT.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "scan/vulndb/database.hpp"

namespace {

namespace fs = std::filesystem;

fs::path snapshot() {
    if (const char* p = std::getenv("WHARF_VULNDB_SNAPSHOT")) {
        return p;
    }
    return WHARF_VULNDB_DIR "/debian/debian-osv-snapshot-2025-02-12.tar.xz";
}

void BM_ImportDebianSnapshot(benchmark::State& state) {
    const fs::path archive = snapshot();
    std::int64_t records = 0;
    double seconds = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const fs::path dir =
            fs::temp_directory_path() / ("wharf-bench-vulndb-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        state.ResumeTiming();
        const auto start = std::chrono::steady_clock::now();
        auto report = wharf::scan::vulndb::import_paths(dir, {archive}, "2025-02-12T00:00:00Z");
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        state.PauseTiming();
        if (!report) {
            state.SkipWithError(report.error().message.c_str());
            fs::remove_all(dir);
            break;
        }
        records = report->advisories;
        std::fprintf(stderr, "imported %lld records in %.2f s: %.0f records/s (%zu problems)\n",
                     static_cast<long long>(records), seconds,
                     static_cast<double>(records) / seconds, report->problems.size());
        fs::remove_all(dir);
        state.ResumeTiming();
    }
    state.counters["records"] = static_cast<double>(records);
    state.counters["records_per_s"] =
        benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ImportDebianSnapshot)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
