#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage::sqlite {
namespace {

constexpr std::string_view kColumns = "id, principal_id, sealed_secret, active, created_at";

AccessKeyRecord read_key(const Statement& row) {
    return AccessKeyRecord{row.column_text(0), row.column_int(1), row.column_text(2),
                           row.column_int(3) != 0, column_time(row, 4)};
}

}  // namespace

Result<std::optional<AccessKeyRecord>> SqliteAccessKeyTable::find(
    const std::string& access_key_id) {
    static const std::string sql =
        fmt::format("SELECT {} FROM access_keys WHERE id = ?1", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, access_key_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<AccessKeyRecord>{};
    }
    return std::optional<AccessKeyRecord>{read_key(*stmt)};
}

Result<void> SqliteAccessKeyTable::create(const AccessKeyRecord& key) {
    auto stmt = db_.prepare(
        "INSERT INTO access_keys (id, principal_id, sealed_secret, active, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!stmt) {
        return stmt.error();
    }
    auto done = stmt->bind(1, key.access_key_id)
                    .bind(2, key.principal_id)
                    .bind(3, key.sealed_secret)
                    .bind(4, std::int64_t{key.active ? 1 : 0})
                    .bind(5, to_unix_millis(key.created_at))
                    .run();
    if (!done) {
        if (is_unique_violation(done.error())) {
            return Error{Errc::already_exists,
                         fmt::format("access key {} already exists", key.access_key_id)};
        }
        return map_foreign_key(std::move(done).error(), Errc::not_found,
                               fmt::format("no principal with id {}", key.principal_id));
    }
    return ok();
}

Result<std::vector<AccessKeyRecord>> SqliteAccessKeyTable::list(
    std::optional<std::int64_t> principal) {
    static const std::string all =
        fmt::format("SELECT {} FROM access_keys ORDER BY created_at, rowid", kColumns);
    static const std::string one = fmt::format(
        "SELECT {} FROM access_keys WHERE principal_id = ?1 ORDER BY created_at, rowid", kColumns);
    auto stmt = db_.prepare(principal ? one : all);
    if (!stmt) {
        return stmt.error();
    }
    if (principal) {
        stmt->bind(1, *principal);
    }
    return collect_rows<AccessKeyRecord>(
        *stmt, [](const Statement& row) -> Result<AccessKeyRecord> { return read_key(row); });
}

Result<bool> SqliteAccessKeyTable::set_active(const std::string& access_key_id, bool active) {
    auto stmt = db_.prepare("UPDATE access_keys SET active = ?2 WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, access_key_id).bind(2, std::int64_t{active ? 1 : 0}).run();
        !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<bool> SqliteAccessKeyTable::remove(const std::string& access_key_id) {
    auto stmt = db_.prepare("DELETE FROM access_keys WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, access_key_id).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

}  // namespace wharf::storage::sqlite
