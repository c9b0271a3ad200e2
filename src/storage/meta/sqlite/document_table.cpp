#include "storage/meta/sqlite/sqlite_rows.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<std::string>> SqliteRegistryDocumentTable::get(const std::string& key) {
    auto stmt = db_.prepare("SELECT value FROM registry_documents WHERE key = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, key).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>{stmt->column_text(0)};
}

Result<void> SqliteRegistryDocumentTable::put(const std::string& key, const std::string& value,
                                              TimePoint now) {
    auto stmt = db_.prepare(
        "INSERT INTO registry_documents (key, value, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, key).bind(2, value).bind(3, to_unix_millis(now)).run();
}

Result<bool> SqliteRegistryDocumentTable::remove(const std::string& key) {
    auto stmt = db_.prepare("DELETE FROM registry_documents WHERE key = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, key).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteRegistryDocumentTable::list(
    const std::string& prefix) {
    // substr() compares bytes, unlike LIKE (case-insensitive for ASCII, and '%'/'_' are special).
    auto stmt = db_.prepare(
        "SELECT key, value FROM registry_documents WHERE substr(key, 1, length(?1)) = ?1 "
        "ORDER BY key");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, prefix);
    return collect_pairs(*stmt);
}

}  // namespace wharf::storage::sqlite
