#pragma once

// Internals of the database files: SQLite handles, the version files under the directory, the
// schema, and the readers that turn import paths into advisories. Not part of the interface.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"
#include "scan/vulndb/database.hpp"
#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb::detail {

// --- SQLite ---------------------------------------------------------------------------------
struct SqliteClose {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteClose>;

Error sqlite_error(sqlite3* db, std::string_view doing);
Result<SqliteHandle> open_sqlite(const std::filesystem::path& file, bool read_only);
Result<void> exec(sqlite3* db, const char* sql);

// A prepared statement; reset() before reuse. Text is bound without a copy (SQLITE_STATIC):
// the caller keeps it alive until the step.
class Statement {
public:
    static Result<Statement> prepare(sqlite3* db, const char* sql);
    Statement(Statement&& other) noexcept
        : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
    Statement& operator=(Statement&&) = delete;
    ~Statement() { sqlite3_finalize(stmt_); }

    void bind(int index, std::string_view text);
    void bind(int index, std::int64_t value);
    // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else an error.
    Result<bool> step();
    void reset();
    std::string_view text(int column) const;
    std::int64_t int64(int column) const;

private:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// --- schema ---------------------------------------------------------------------------------
inline constexpr std::string_view kSchemaVersion = "1";
Result<void> create_schema(sqlite3* db);
// Counts, sources and meta of an open version file.
Result<Status> read_status(sqlite3* db);

// Writes records into a version file under construction, inside one transaction that begin()
// opens and finish() commits. A record whose key is already stored replaces it (with its alias
// and affected rows).
class VersionWriter {
public:
    static Result<std::unique_ptr<VersionWriter>> begin(sqlite3* db);
    Result<void> put(const Advisory& a, Format format);
    // Recounts the sources this import touched, writes meta and commits.
    Result<Status> finish(std::int64_t version, std::string_view now_rfc3339);
    ~VersionWriter();

private:
    struct Statements;
    VersionWriter(sqlite3* db, std::unique_ptr<Statements> s);

    sqlite3* db_;
    std::unique_ptr<Statements> s_;
    std::set<std::string> touched_;
};

// --- version files ---------------------------------------------------------------------------
// "vulndb-<n>.sqlite"
std::string version_file_name(std::int64_t n);
// The version `current` names: 0 (and no file) when there is no `current`; an error when it is
// unreadable, malformed, or names a file that is missing.
struct CurrentVersion {
    std::int64_t number = 0;
    std::filesystem::path file;  // empty when number == 0
};
Result<CurrentVersion> read_current(const std::filesystem::path& dir);
// Makes `file` (a complete, closed version file in dir) version n: fsync it, rename it to its
// final name, write `current` by temp+fsync+rename, fsync the directory, then delete versions
// older than n - 1.
Result<void> publish_version(const std::filesystem::path& dir, const std::filesystem::path& file,
                             std::int64_t n);

// An exclusive lock on <dir>/import.lock, held while an import builds a version, so two imports
// never build the same version number. Blocks until the lock is free.
class ImportLock {
public:
    static Result<ImportLock> acquire(const std::filesystem::path& dir);
    ImportLock(ImportLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ImportLock& operator=(ImportLock&&) = delete;
    ~ImportLock();

private:
    explicit ImportLock(int fd) : fd_(fd) {}
    int fd_;
};

// --- reading import paths ---------------------------------------------------------------------
using AdvisorySink = std::function<Result<void>(Advisory&&, Format)>;
// Reads one import path (file, directory, archive), handing each advisory to sink. Files that
// are not advisories are counted in report.skipped; malformed advisories are problems. Fails only
// when the path itself cannot be read (missing, unreadable, a corrupt archive) or sink fails.
Result<void> read_import_path(const std::filesystem::path& path, ImportReport& report,
                              const AdvisorySink& sink);

}  // namespace wharf::scan::vulndb::detail
