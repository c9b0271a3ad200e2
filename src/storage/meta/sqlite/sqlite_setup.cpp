#include "storage/meta/sqlite/sqlite_setup.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace wharf::storage::sqlite {
namespace {

Result<void> set_pragma(Connection& db, std::string_view pragma, std::string_view expected) {
    auto value = db.query_text(fmt::format("PRAGMA {}", pragma));
    if (!value) {
        return value.error();
    }
    if (!expected.empty() && (!*value || **value != expected)) {
        return Error{Errc::internal, fmt::format("sqlite: PRAGMA {} gave '{}', wanted '{}'", pragma,
                                                 value->value_or(""), expected)};
    }
    return ok();
}

}  // namespace

Result<std::unique_ptr<Connection>> open_connection(const std::filesystem::path& file, Role role,
                                                    const SqliteOptions& options) {
    auto db = Connection::open(file);
    if (!db) {
        return db.error();
    }
    Connection& c = **db;
    const int busy_ms = static_cast<int>(kBusyTimeout.count());
    if (const int rc = sqlite3_busy_timeout(c.handle(), busy_ms); rc != SQLITE_OK) {
        return sqlite_error(c.handle(), rc, "cannot set busy_timeout");
    }
    // Pragmas that do not return a row are checked by reading them back.
    if (auto fk = c.exec("PRAGMA foreign_keys = ON"); !fk) {
        return fk.error();
    }
    if (auto fk = set_pragma(c, "foreign_keys", "1"); !fk) {
        return fk.error();  // SQLite built without foreign key support
    }
    if (role == Role::writer) {
        if (auto wal = set_pragma(c, "journal_mode = WAL", "wal"); !wal) {
            return wal.error();
        }
        const char* sync =
            options.full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
        if (auto s = c.exec(sync); !s) {
            return s.error();
        }
        if (auto s = set_pragma(c, "synchronous", options.full_sync ? "2" : "1"); !s) {
            return s.error();
        }
    } else {
        if (auto q = c.exec("PRAGMA query_only = ON"); !q) {
            return q.error();
        }
    }
    return db;
}

}  // namespace wharf::storage::sqlite
