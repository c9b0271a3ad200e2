#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<RepositoryRecord>> SqliteRepositoryTable::find(const model::RepoName& name) {
    auto stmt = db_.prepare("SELECT id, created_at FROM repositories WHERE name = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, name.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<RepositoryRecord>{};
    }
    return std::optional<RepositoryRecord>{
        RepositoryRecord{stmt->column_int(0), name, column_time(*stmt, 1)}};
}

Result<RepositoryRecord> SqliteRepositoryTable::create(const model::RepoName& name, TimePoint now) {
    {
        auto stmt = db_.prepare(
            "INSERT INTO repositories (name, created_at) VALUES (?1, ?2) "
            "ON CONFLICT (name) DO NOTHING");
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, name.str()).bind(2, to_unix_millis(now)).run(); !done) {
            return done.error();
        }
    }
    auto record = find(name);
    if (!record) {
        return record.error();
    }
    if (!*record) {  // cannot happen inside one transaction; guard against a broken database
        return Error{Errc::internal,
                     fmt::format("repository {} vanished right after creation", name.str())};
    }
    return std::move(**record);
}

Result<std::vector<model::RepoName>> SqliteRepositoryTable::list(
    const std::optional<model::RepoName>& after, std::size_t limit) {
    std::vector<model::RepoName> names;
    if (limit == 0) {
        return names;
    }
    // Every valid name sorts after the empty string.
    const std::string start = after ? after->str() : std::string();
    auto stmt = db_.prepare("SELECT name FROM repositories WHERE name > ?1 ORDER BY name LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, start).bind(2, sql_limit(limit));
    for (;;) {
        auto row = stmt->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return names;
        }
        auto name = column_repo_name(*stmt, 0);
        if (!name) {
            return name.error();
        }
        names.push_back(std::move(*name));
    }
}

Result<void> SqliteRepositoryTable::remove(RepoId id) {
    // Children first, explicitly: the ON DELETE CASCADE clauses are a second line of defence,
    // not the mechanism (they depend on a per-connection pragma).
    static constexpr const char* kDeletes[] = {
        "DELETE FROM tags WHERE repo_id = ?1",      "DELETE FROM manifest_refs WHERE repo_id = ?1",
        "DELETE FROM manifests WHERE repo_id = ?1", "DELETE FROM blob_links WHERE repo_id = ?1",
        "DELETE FROM uploads WHERE repo_id = ?1",   "DELETE FROM repositories WHERE id = ?1",
    };
    for (const char* sql : kDeletes) {
        auto stmt = db_.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, std::int64_t{id}).run(); !done) {
            return done;
        }
    }
    return ok();
}

}  // namespace wharf::storage::sqlite
