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
    if (db_.changes() == 0) {
        return ok();  // already linked: nothing new for the collector
    }
    return SqliteBlobReviewTable(db_).enqueue(d, now);
}

Result<bool> SqliteBlobLinkTable::unlink(RepoId repo, const model::Digest& d, TimePoint now) {
    auto stmt = db_.prepare("DELETE FROM blob_links WHERE repo_id = ?1 AND digest = ?2");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).run(); !done) {
        return done.error();
    }
    if (db_.changes() == 0) {
        return false;
    }
    if (auto queued = SqliteBlobReviewTable(db_).enqueue(d, now); !queued) {
        return queued.error();
    }
    return true;
}

Result<std::vector<BlobLinkRecord>> SqliteBlobLinkTable::links_of(const model::Digest& d) {
    auto stmt = db_.prepare(
        "SELECT repo_id, size, linked_at FROM blob_links WHERE digest = ?1 ORDER BY repo_id");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, d.str());
    return collect_rows<BlobLinkRecord>(*stmt, [](const Statement& row) -> Result<BlobLinkRecord> {
        return BlobLinkRecord{row.column_int(0), static_cast<std::uint64_t>(row.column_int(1)),
                              column_time(row, 2)};
    });
}

Result<LinkUsage> SqliteBlobLinkTable::usage(RepoId repo) {
    auto stmt = db_.prepare(
        "SELECT count(*), coalesce(sum(b.size), 0), coalesce(sum(CASE WHEN NOT EXISTS ("
        "  SELECT 1 FROM blob_links o WHERE o.digest = b.digest AND o.repo_id <> b.repo_id)"
        "  THEN b.size ELSE 0 END), 0) "
        "FROM blob_links b WHERE b.repo_id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return LinkUsage{};
    }
    return LinkUsage{static_cast<std::uint64_t>(stmt->column_int(0)),
                     static_cast<std::uint64_t>(stmt->column_int(1)),
                     static_cast<std::uint64_t>(stmt->column_int(2))};
}

}  // namespace wharf::storage::sqlite
