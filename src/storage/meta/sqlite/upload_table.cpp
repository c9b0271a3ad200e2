#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<UploadRecord>> SqliteUploadTable::find(const model::UploadId& id) {
    auto stmt = db_.prepare(
        "SELECT repo_id, started_at, updated_at, part_state FROM uploads WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, id.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<UploadRecord>{};
    }
    return std::optional<UploadRecord>{UploadRecord{id, stmt->column_int(0), column_time(*stmt, 1),
                                                    column_time(*stmt, 2),
                                                    static_cast<int>(stmt->column_int(3))}};
}

Result<void> SqliteUploadTable::create(const UploadRecord& upload) {
    auto stmt = db_.prepare(
        "INSERT INTO uploads (id, repo_id, started_at, updated_at) VALUES (?1, ?2, ?3, ?4)");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, upload.id.str())
                        .bind(2, std::int64_t{upload.repo_id})
                        .bind(3, to_unix_millis(upload.started_at))
                        .bind(4, to_unix_millis(upload.updated_at))
                        .run();
        !done) {
        Error error = std::move(done).error();
        if (is_unique_violation(error)) {  // ids are random UUIDs: a repeat is a bug upstream
            return Error{Errc::internal, fmt::format("upload {} already exists", upload.id.str())};
        }
        return map_foreign_key(std::move(error), Errc::name_unknown,
                               fmt::format("no repository with id {}", upload.repo_id));
    }
    return ok();
}

Result<void> SqliteUploadTable::touch(const model::UploadId& id, TimePoint now) {
    auto stmt = db_.prepare("UPDATE uploads SET updated_at = ?2 WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, id.str()).bind(2, to_unix_millis(now)).run(); !done) {
        return done;
    }
    if (db_.changes() == 0) {
        return Error{Errc::blob_upload_unknown, fmt::format("no upload {}", id.str())};
    }
    return ok();
}

Result<bool> SqliteUploadTable::remove(const model::UploadId& id) {
    auto stmt = db_.prepare("DELETE FROM uploads WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, id.str()).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<std::vector<UploadRecord>> SqliteUploadTable::stale(TimePoint before, std::size_t limit) {
    if (limit == 0) {
        return std::vector<UploadRecord>{};
    }
    auto stmt = db_.prepare(
        "SELECT id, repo_id, started_at, updated_at, part_state FROM uploads "
        "WHERE updated_at < ?1 ORDER BY updated_at, id LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, to_unix_millis(before)).bind(2, sql_limit(limit));
    return collect_rows<UploadRecord>(*stmt, [](const Statement& row) -> Result<UploadRecord> {
        auto id = model::UploadId::parse(row.column_text(0));
        if (!id) {
            return Error{Errc::internal,
                         fmt::format("uploads.id holds '{}', not an upload id", row.column_text(0))};
        }
        return UploadRecord{std::move(*id), row.column_int(1), column_time(row, 2),
                            column_time(row, 3), static_cast<int>(row.column_int(4))};
    });
}

Result<void> SqliteUploadTable::set_part_state(const model::UploadId& id, int state) {
    auto stmt = db_.prepare("UPDATE uploads SET part_state = ?2 WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, id.str()).bind(2, std::int64_t{state}).run();
}

}  // namespace wharf::storage::sqlite
