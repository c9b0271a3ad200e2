#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {

Result<std::optional<LifecyclePolicyRecord>> SqliteLifecycleTable::find_policy(RepoId repo) {
    auto stmt = db_.prepare(
        "SELECT policy_text, updated_at, evaluated_at FROM lifecycle_policies WHERE repo_id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<LifecyclePolicyRecord>{};
    }
    LifecyclePolicyRecord record{stmt->column_text(0), column_time(*stmt, 1), std::nullopt};
    if (!stmt->is_null(2)) {
        record.evaluated_at = column_time(*stmt, 2);
    }
    return std::optional<LifecyclePolicyRecord>{std::move(record)};
}

Result<void> SqliteLifecycleTable::put_policy(RepoId repo, const std::string& text,
                                              TimePoint now) {
    auto stmt = db_.prepare(
        "INSERT INTO lifecycle_policies (repo_id, policy_text, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (repo_id) DO UPDATE SET policy_text = excluded.policy_text, "
        "updated_at = excluded.updated_at");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done =
            stmt->bind(1, std::int64_t{repo}).bind(2, text).bind(3, to_unix_millis(now)).run();
        !done) {
        return map_foreign_key(std::move(done).error(), Errc::name_unknown,
                               fmt::format("no repository with id {}", repo));
    }
    return ok();
}

Result<bool> SqliteLifecycleTable::remove_policy(RepoId repo) {
    auto stmt = db_.prepare("DELETE FROM lifecycle_policies WHERE repo_id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo}).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<void> SqliteLifecycleTable::mark_evaluated(RepoId repo, TimePoint at) {
    auto stmt = db_.prepare("UPDATE lifecycle_policies SET evaluated_at = ?2 WHERE repo_id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, std::int64_t{repo}).bind(2, to_unix_millis(at)).run();
}

Result<std::vector<std::pair<RepoId, model::RepoName>>> SqliteLifecycleTable::with_policy() {
    auto stmt = db_.prepare(
        "SELECT r.id, r.name FROM lifecycle_policies p JOIN repositories r ON r.id = p.repo_id "
        "ORDER BY r.name");
    if (!stmt) {
        return stmt.error();
    }
    using Row = std::pair<RepoId, model::RepoName>;
    return collect_rows<Row>(*stmt, [](const Statement& row) -> Result<Row> {
        auto name = column_repo_name(row, 1);
        if (!name) {
            return name.error();
        }
        return Row{row.column_int(0), std::move(*name)};
    });
}

Result<std::optional<LifecyclePreviewRecord>> SqliteLifecycleTable::find_preview(RepoId repo) {
    auto stmt = db_.prepare(
        "SELECT status, policy_text, started_at, finished_at, results_json "
        "FROM lifecycle_previews WHERE repo_id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<LifecyclePreviewRecord>{};
    }
    LifecyclePreviewRecord record{stmt->column_text(0), stmt->column_text(1),
                                  column_time(*stmt, 2), std::nullopt, stmt->column_text(4)};
    if (!stmt->is_null(3)) {
        record.finished_at = column_time(*stmt, 3);
    }
    return std::optional<LifecyclePreviewRecord>{std::move(record)};
}

Result<void> SqliteLifecycleTable::put_preview(RepoId repo, const LifecyclePreviewRecord& p) {
    auto stmt = db_.prepare(
        "INSERT OR REPLACE INTO lifecycle_previews "
        "(repo_id, status, policy_text, started_at, finished_at, results_json) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo})
        .bind(2, p.status)
        .bind(3, p.policy_text)
        .bind(4, to_unix_millis(p.started_at))
        .bind(6, p.results_json);
    if (p.finished_at) {
        stmt->bind(5, to_unix_millis(*p.finished_at));
    } else {
        stmt->bind_null(5);
    }
    if (auto done = stmt->run(); !done) {
        return map_foreign_key(std::move(done).error(), Errc::name_unknown,
                               fmt::format("no repository with id {}", repo));
    }
    return ok();
}

}  // namespace wharf::storage::sqlite
