#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<std::uint64_t>> SqliteBlobLinkTable::find(RepoId repo,
                                                               const model::Digest& d) {
    auto stmt = db_.prepare("SELECT size FROM blob_links WHERE repo_id = ?1 AND digest = ?2");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::uint64_t>{};
    }
    return std::optional<std::uint64_t>{static_cast<std::uint64_t>(stmt->column_int(0))};
}

Result<void> SqliteBlobLinkTable::link(RepoId repo, const model::Digest& d, std::uint64_t size,
                                       TimePoint now) {
    auto stmt = db_.prepare(
        "INSERT INTO blob_links (repo_id, digest, size, linked_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (repo_id, digest) DO NOTHING");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo})
                        .bind(2, d.str())
                        .bind(3, static_cast<std::int64_t>(size))
                        .bind(4, to_unix_millis(now))
                        .run();
        !done) {
        return map_foreign_key(std::move(done).error(), Errc::name_unknown,
                               fmt::format("no repository with id {}", repo));
    }
    return ok();
}

Result<bool> SqliteBlobLinkTable::unlink(RepoId repo, const model::Digest& d) {
    auto stmt = db_.prepare("DELETE FROM blob_links WHERE repo_id = ?1 AND digest = ?2");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

}  // namespace wharf::storage::sqlite
