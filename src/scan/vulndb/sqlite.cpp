// SQLite plumbing and the schema of a version file.
//
//   advisory(key UNIQUE, id, source, modified, withdrawn, json)  one row per record; json is the
//                                                               stored form (codec.cpp)
//   alias(alias, adv)       the record's id and every alias, for by_alias and folding
//   affected(ecosystem, name_norm, adv)   one row per package the record names
//   source(name, records, imported_at, newest_modified)
//   meta(key, value)        schema, version, built_at, counts
//
// `adv` is the advisory's rowid: an integer join key keeps the index rows small.
#include "scan/vulndb/store.hpp"

#include <charconv>

#include <fmt/format.h>

namespace wharf::scan::vulndb::detail {
namespace {

// Meta values are written by this module; a damaged one reads as 0 rather than throwing.
std::int64_t to_int64(std::string_view s) {
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

}  // namespace

Error sqlite_error(sqlite3* db, std::string_view doing) {
    return Error{Errc::internal, fmt::format("vulnerability database: {}: {}", doing,
                                             db != nullptr ? sqlite3_errmsg(db) : "out of memory")};
}

Result<SqliteHandle> open_sqlite(const std::filesystem::path& file, bool read_only) {
    sqlite3* raw = nullptr;
    const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
    SqliteHandle db(raw);
    if (rc != SQLITE_OK) {
        return sqlite_error(raw, fmt::format("opening {}", file.string()));
    }
    return db;
}

Result<void> exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error e{Errc::internal, fmt::format("vulnerability database: {}: {}", sql,
                                            message != nullptr ? message : "error")};
        sqlite3_free(message);
        return e;
    }
    return ok();
}

Result<Statement> Statement::prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return sqlite_error(db, fmt::format("preparing {}", sql));
    }
    return Statement(db, stmt);
}

void Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
}

Result<bool> Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return sqlite_error(db_, "running a statement");
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) {
        return {};
    }
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

Result<void> create_schema(sqlite3* db) {
    return exec(db, R"sql(
CREATE TABLE IF NOT EXISTS advisory(
    key TEXT NOT NULL UNIQUE, id TEXT NOT NULL, source TEXT NOT NULL,
    modified TEXT NOT NULL, withdrawn TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS advisory_source ON advisory(source, modified);
CREATE TABLE IF NOT EXISTS alias(alias TEXT NOT NULL, adv INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS alias_by_alias ON alias(alias, adv);
CREATE INDEX IF NOT EXISTS alias_by_adv ON alias(adv);
CREATE TABLE IF NOT EXISTS affected(ecosystem TEXT NOT NULL, name_norm TEXT NOT NULL,
                                    adv INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS affected_by_name ON affected(ecosystem, name_norm, adv);
CREATE INDEX IF NOT EXISTS affected_by_adv ON affected(adv);
CREATE TABLE IF NOT EXISTS source(name TEXT PRIMARY KEY, records INTEGER NOT NULL,
                                  imported_at TEXT NOT NULL, newest_modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql");
}

Result<Status> read_status(sqlite3* db) {
    Status status;
    auto meta = Statement::prepare(db, "SELECT key, value FROM meta");
    if (!meta) {
        return std::move(meta).error();
    }
    for (;;) {
        auto row = meta->step();
        if (!row) {
            return std::move(row).error();
        }
        if (!*row) {
            break;
        }
        const auto key = meta->text(0);
        const std::string value(meta->text(1));
        if (key == "schema" && value != kSchemaVersion) {
            return Error{Errc::internal,
                         fmt::format("vulnerability database schema {} is not {}, which this "
                                     "build reads; import the sources again",
                                     value, kSchemaVersion)};
        }
        if (key == "version") {
            status.version = to_int64(value);
        } else if (key == "built_at") {
            status.built_at = value;
        } else if (key == "advisories") {
            status.advisories = to_int64(value);
        } else if (key == "affected_rows") {
            status.affected_rows = to_int64(value);
        }
    }
    auto sources = Statement::prepare(
        db, "SELECT name, records, imported_at, newest_modified FROM source ORDER BY name");
    if (!sources) {
        return std::move(sources).error();
    }
    for (;;) {
        auto row = sources->step();
        if (!row) {
            return std::move(row).error();
        }
        if (!*row) {
            break;
        }
        SourceStatus s;
        s.name = sources->text(0);
        s.records = sources->int64(1);
        s.imported_at = sources->text(2);
        s.newest_modified = sources->text(3);
        status.sources.push_back(std::move(s));
    }
    return status;
}

}  // namespace wharf::scan::vulndb::detail
