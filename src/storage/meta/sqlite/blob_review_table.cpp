#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<void> queue_reviews(Connection& db, std::string_view select_sql, std::int64_t a,
                           const std::string& b, TimePoint at) {
    // "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    const std::string sql = fmt::format(
        "INSERT INTO blob_reviews (digest, queued_at) SELECT q.digest, ?3 FROM ({}) q WHERE true "
        "ON CONFLICT (digest) DO UPDATE SET queued_at = max(queued_at, excluded.queued_at)",
        select_sql);
    auto stmt = db.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, a).bind(3, to_unix_millis(at));
    if (!b.empty()) {
        stmt->bind(2, b);
    }
    return stmt->run();
}

Result<void> SqliteBlobReviewTable::enqueue(const model::Digest& d, TimePoint at) {
    auto stmt = db_.prepare(
        "INSERT INTO blob_reviews (digest, queued_at) VALUES (?1, ?2) "
        "ON CONFLICT (digest) DO UPDATE SET queued_at = max(queued_at, excluded.queued_at)");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, d.str()).bind(2, to_unix_millis(at)).run();
}

Result<std::vector<model::Digest>> SqliteBlobReviewTable::due(TimePoint due, std::size_t limit) {
    if (limit == 0) {
        return std::vector<model::Digest>{};
    }
    auto stmt = db_.prepare(
        "SELECT digest FROM blob_reviews WHERE queued_at <= ?1 ORDER BY queued_at, digest "
        "LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, to_unix_millis(due)).bind(2, sql_limit(limit));
    return collect_digests(*stmt);
}

Result<bool> SqliteBlobReviewTable::finish(const model::Digest& d, TimePoint due) {
    auto stmt = db_.prepare("DELETE FROM blob_reviews WHERE digest = ?1 AND queued_at <= ?2");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, d.str()).bind(2, to_unix_millis(due)).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<std::uint64_t> SqliteBlobReviewTable::pending() {
    auto stmt = db_.prepare("SELECT count(*) FROM blob_reviews");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    return *row ? static_cast<std::uint64_t>(stmt->column_int(0)) : 0;
}

Result<void> SqliteBlobReviewTable::mark_deleting(const model::Digest& d) {
    auto stmt = db_.prepare("INSERT OR IGNORE INTO blob_deletions (digest) VALUES (?1)");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, d.str()).run();
}

Result<bool> SqliteBlobReviewTable::is_deleting(const model::Digest& d) {
    auto stmt = db_.prepare("SELECT EXISTS (SELECT 1 FROM blob_deletions WHERE digest = ?1)");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, d.str()).step();
    if (!row) {
        return row.error();
    }
    return *row && stmt->column_int(0) != 0;
}

Result<std::vector<model::Digest>> SqliteBlobReviewTable::deleting(std::size_t limit) {
    if (limit == 0) {
        return std::vector<model::Digest>{};
    }
    auto stmt = db_.prepare("SELECT digest FROM blob_deletions ORDER BY digest LIMIT ?1");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, sql_limit(limit));
    return collect_digests(*stmt);
}

Result<void> SqliteBlobReviewTable::clear_deleting(const model::Digest& d) {
    auto stmt = db_.prepare("DELETE FROM blob_deletions WHERE digest = ?1");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, d.str()).run();
}

}  // namespace wharf::storage::sqlite
