// import_paths: builds version N+1 from version N plus the new records, in a temp file, and
// publishes it only when every path was read; a failed import leaves `current` as it was.
#include "scan/vulndb/database.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "scan/vulndb/store.hpp"

namespace wharf::scan::vulndb {
namespace {

namespace fs = std::filesystem;

// Removes the temp file unless the import got as far as publishing it.
class TempFile {
public:
    explicit TempFile(fs::path path) : path_(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (!released_) {
            std::error_code ec;
            fs::remove(path_, ec);
        }
    }
    const fs::path& path() const { return path_; }
    void release() { released_ = true; }

private:
    fs::path path_;
    bool released_ = false;
};

Result<void> build(const fs::path& file, const std::vector<fs::path>& paths, std::int64_t version,
                   std::string_view now, ImportReport& report) {
    auto db = detail::open_sqlite(file, /*read_only=*/false);
    if (!db) {
        return std::move(db).error();
    }
    // The temp file is private until it is published, and publishing fsyncs it: SQLite's own
    // journal and syncs would only slow the bulk insert down.
    if (auto r = detail::exec(db->get(),
                              "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                              "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY");
        !r) {
        return r;
    }
    auto writer = detail::VersionWriter::begin(db->get());
    if (!writer) {
        return std::move(writer).error();
    }
    const detail::AdvisorySink sink = [&](Advisory&& adv, detail::Format format) {
        return (*writer)->put(adv, format);
    };
    for (const auto& path : paths) {
        if (auto r = detail::read_import_path(path, report, sink); !r) {
            return r;  // the transaction rolls back when the connection closes
        }
    }
    auto status = (*writer)->finish(version, now);
    if (!status) {
        return std::move(status).error();
    }
    report.status = std::move(*status);
    writer->reset();
    return ok();
}

}  // namespace

Result<ImportReport> import_paths(const fs::path& dir, const std::vector<fs::path>& paths,
                                  std::string_view now_rfc3339) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return Error{Errc::internal, fmt::format("cannot create the database directory {}: {}",
                                                 dir.string(), ec.message())};
    }
    auto lock = detail::ImportLock::acquire(dir);
    if (!lock) {
        return std::move(lock).error();
    }
    auto current = detail::read_current(dir);
    if (!current) {
        return std::move(current).error();
    }
    const std::int64_t next = current->number + 1;
    TempFile temp(dir / fmt::format("{}.tmp-{}", detail::version_file_name(next), ::getpid()));
    fs::remove(temp.path(), ec);
    if (current->number > 0) {
        fs::copy_file(current->file, temp.path(), fs::copy_options::overwrite_existing, ec);
        if (ec) {
            return Error{Errc::internal, fmt::format("cannot copy {} to start the next version: {}",
                                                     current->file.string(), ec.message())};
        }
    }
    ImportReport report;
    if (auto built = build(temp.path(), paths, next, now_rfc3339, report); !built) {
        return std::move(built).error();
    }
    if (auto published = detail::publish_version(dir, temp.path(), next); !published) {
        return std::move(published).error();
    }
    temp.release();
    return report;
}

}  // namespace wharf::scan::vulndb
