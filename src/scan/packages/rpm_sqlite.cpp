// rpmdb.sqlite (rpm >= 4.16, Fedora 33+, RHEL 9): a Packages(hnum, blob) table of header blobs.
// The bytes are opened in memory, read-only, with SQLite's defensive settings; nothing touches
// the disk and a corrupt file is an error, not a crash.
#include "scan/packages/packages.hpp"

#include <sqlite3.h>

#include <memory>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

// SQLite virtual-machine steps allowed for the whole read: a corrupt file that loops (or a
// huge one) is cut off instead of holding a scan worker.
constexpr int kProgressEvery = 10'000;
constexpr int kMaxProgressCalls = 20'000;  // 200M steps

struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
    void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

Error bad(std::string_view what, sqlite3* db) {
    return Error{Errc::bad_request,
                 std::string("rpmdb.sqlite: ") + std::string(what) + ": " + sqlite3_errmsg(db)};
}

}  // namespace

Result<std::vector<Package>> parse_rpm_sqlite(std::span<const std::uint8_t> db_bytes) {
    if (db_bytes.size() < 100) {
        return Error{Errc::bad_request, "rpmdb.sqlite: shorter than a SQLite header"};
    }
    // rpm keeps the database in WAL mode (header bytes 18-19 == 2), which an in-memory database
    // cannot open; marking the copy as rollback-journal reads the same pages.
    std::vector<unsigned char> copy(db_bytes.begin(), db_bytes.end());
    if (copy[18] == 2 && copy[19] == 2) {
        copy[18] = 1;
        copy[19] = 1;
    }
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        sqlite3_close(raw);
        return Error{Errc::internal, "rpmdb.sqlite: cannot open an in-memory database"};
    }
    const std::unique_ptr<sqlite3, Closer> db(raw);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    int progress_calls = 0;
    sqlite3_progress_handler(
        raw, kProgressEvery,
        [](void* calls) { return ++*static_cast<int*>(calls) > kMaxProgressCalls ? 1 : 0; },
        &progress_calls);
    // The buffer outlives the connection and SQLite never writes or frees it (READONLY, no
    // FREEONCLOSE).
    if (sqlite3_deserialize(raw, "main", copy.data(), static_cast<sqlite3_int64>(copy.size()),
                            static_cast<sqlite3_int64>(copy.size()),
                            SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
        return bad("not a database", raw);
    }
    sqlite3_stmt* raw_stmt = nullptr;
    if (sqlite3_prepare_v2(raw, "SELECT blob FROM Packages", -1, &raw_stmt, nullptr) != SQLITE_OK) {
        return bad("no readable Packages table", raw);
    }
    const std::unique_ptr<sqlite3_stmt, Closer> stmt(raw_stmt);
    detail::RpmPackages out;
    for (;;) {
        const int rc = sqlite3_step(raw_stmt);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            return bad("reading Packages", raw);
        }
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(raw_stmt, 0));
        const int size = sqlite3_column_bytes(raw_stmt, 0);
        if (data && size > 0 && !out.add({data, static_cast<std::size_t>(size)})) {
            break;
        }
    }
    return out.take();
}

}  // namespace wharf::scan
