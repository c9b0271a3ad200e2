#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<TagRecord>> SqliteTagTable::find(RepoId repo, const model::Tag& t) {
    auto stmt = db_.prepare("SELECT digest, updated_at FROM tags WHERE repo_id = ?1 AND name = ?2");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).bind(2, t.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<TagRecord>{};
    }
    auto digest = column_digest(*stmt, 0);
    if (!digest) {
        return digest.error();
    }
    return std::optional<TagRecord>{TagRecord{t, std::move(*digest), column_time(*stmt, 1)}};
}

Result<std::optional<model::Digest>> SqliteTagTable::put(RepoId repo, const model::Tag& t,
                                                         const model::Digest& d, TimePoint now) {
    std::optional<model::Digest> previous;
    {
        auto current = find(repo, t);
        if (!current) {
            return current.error();
        }
        if (*current) {
            previous = std::move((*current)->digest);
        }
    }
    auto stmt = db_.prepare(
        "INSERT INTO tags (repo_id, name, digest, updated_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, "
        "updated_at = excluded.updated_at");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo})
                        .bind(2, t.str())
                        .bind(3, d.str())
                        .bind(4, to_unix_millis(now))
                        .run();
        !done) {
        return map_foreign_key(std::move(done).error(), Errc::manifest_unknown,
                               fmt::format("tag {} cannot point to {}: no such manifest in the "
                                           "repository",
                                           t.str(), d.str()));
    }
    return previous;
}

Result<bool> SqliteTagTable::remove(RepoId repo, const model::Tag& t) {
    auto stmt = db_.prepare("DELETE FROM tags WHERE repo_id = ?1 AND name = ?2");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo}).bind(2, t.str()).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<std::vector<model::Tag>> SqliteTagTable::list(RepoId repo,
                                                     const std::optional<model::Tag>& after,
                                                     std::size_t limit) {
    if (limit == 0) {
        return std::vector<model::Tag>{};
    }
    const std::string start = after ? after->str() : std::string();
    auto stmt = db_.prepare(
        "SELECT name FROM tags WHERE repo_id = ?1 AND name > ?2 ORDER BY name LIMIT ?3");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, start).bind(3, sql_limit(limit));
    return collect_tags(*stmt);
}

Result<std::vector<TagRecord>> SqliteTagTable::all(RepoId repo) {
    auto stmt = db_.prepare(
        "SELECT name, digest, updated_at FROM tags WHERE repo_id = ?1 ORDER BY name");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo});
    return collect_rows<TagRecord>(*stmt, [](const Statement& row) -> Result<TagRecord> {
        auto tag = column_tag(row, 0);
        auto digest = column_digest(row, 1);
        if (!tag || !digest) {
            return !tag ? tag.error() : digest.error();
        }
        return TagRecord{std::move(*tag), std::move(*digest), column_time(row, 2)};
    });
}

Result<std::vector<model::Tag>> SqliteTagTable::tags_of(RepoId repo, const model::Digest& d) {
    auto stmt =
        db_.prepare("SELECT name FROM tags WHERE repo_id = ?1 AND digest = ?2 ORDER BY name");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, d.str());
    return collect_tags(*stmt);
}

}  // namespace wharf::storage::sqlite
