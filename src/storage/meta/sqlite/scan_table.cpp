#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {
namespace {

void bind_optional_time(Statement& stmt, int index, const std::optional<TimePoint>& t) {
    if (t) {
        stmt.bind(index, to_unix_millis(*t));
    } else {
        stmt.bind_null(index);
    }
}

std::optional<TimePoint> column_optional_time(const Statement& row, int column) {
    if (row.is_null(column)) {
        return std::nullopt;
    }
    return column_time(row, column);
}

}  // namespace

Result<std::optional<ImageScanRecord>> SqliteScanTable::find(const model::Digest& d) {
    auto stmt = db_.prepare(
        "SELECT repository, status, description, queued_at, completed_at, vulndb_version, "
        "vulndb_updated_at, inventory_json, findings_json, counts_json, manual_scan_at "
        "FROM image_scans WHERE digest = ?1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, d.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<ImageScanRecord>{};
    }
    auto repository = column_repo_name(*stmt, 0);
    if (!repository) {
        return repository.error();
    }
    ImageScanRecord scan(d, std::move(*repository));
    scan.status = stmt->column_text(1);
    scan.description = stmt->column_text(2);
    scan.queued_at = column_time(*stmt, 3);
    scan.completed_at = column_optional_time(*stmt, 4);
    scan.vulndb_version = stmt->column_int(5);
    scan.vulndb_updated_at = column_optional_time(*stmt, 6);
    scan.inventory_json = stmt->column_text(7);
    scan.findings_json = stmt->column_text(8);
    scan.counts_json = stmt->column_text(9);
    scan.manual_scan_at = column_optional_time(*stmt, 10);
    return std::optional<ImageScanRecord>{std::move(scan)};
}

Result<void> SqliteScanTable::put(const ImageScanRecord& scan) {
    auto stmt = db_.prepare(
        "INSERT OR REPLACE INTO image_scans (digest, repository, status, description, queued_at, "
        "completed_at, vulndb_version, vulndb_updated_at, inventory_json, findings_json, "
        "counts_json, manual_scan_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, scan.digest.str())
        .bind(2, scan.repository.str())
        .bind(3, scan.status)
        .bind(4, scan.description)
        .bind(5, to_unix_millis(scan.queued_at))
        .bind(7, scan.vulndb_version)
        .bind(9, scan.inventory_json)
        .bind(10, scan.findings_json)
        .bind(11, scan.counts_json);
    bind_optional_time(*stmt, 6, scan.completed_at);
    bind_optional_time(*stmt, 8, scan.vulndb_updated_at);
    bind_optional_time(*stmt, 12, scan.manual_scan_at);
    return stmt->run();
}

Result<std::vector<model::Digest>> SqliteScanTable::unfinished(std::size_t limit) {
    auto stmt = db_.prepare(
        "SELECT digest FROM image_scans WHERE status IN ('PENDING', 'IN_PROGRESS') "
        "ORDER BY queued_at LIMIT ?1");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, sql_limit(limit));
    return collect_digests(*stmt);
}

Result<std::vector<model::Digest>> SqliteScanTable::matched_before(std::int64_t version,
                                                                   std::size_t limit) {
    auto stmt = db_.prepare(
        "SELECT digest FROM image_scans WHERE inventory_json <> '' AND vulndb_version < ?1 "
        "AND status = 'COMPLETE' ORDER BY digest LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, version).bind(2, sql_limit(limit));
    return collect_digests(*stmt);
}

Result<std::optional<std::string>> SqliteScanTable::find_layer(const model::Digest& layer,
                                                               int analyzer) {
    auto stmt =
        db_.prepare("SELECT record_json FROM layer_analyses WHERE digest = ?1 AND analyzer = ?2");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, layer.str()).bind(2, std::int64_t{analyzer}).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>{stmt->column_text(0)};
}

Result<void> SqliteScanTable::put_layer(const model::Digest& layer, int analyzer,
                                        const std::string& record_json, TimePoint now) {
    // An analyzer revision replaces the rows of the ones before it (or after, on a downgrade).
    auto older = db_.prepare("DELETE FROM layer_analyses WHERE digest = ?1 AND analyzer <> ?2");
    if (!older) {
        return older.error();
    }
    if (auto gone = older->bind(1, layer.str()).bind(2, std::int64_t{analyzer}).run(); !gone) {
        return gone;
    }
    auto stmt = db_.prepare(
        "INSERT OR REPLACE INTO layer_analyses (digest, analyzer, record_json, analyzed_at) "
        "VALUES (?1, ?2, ?3, ?4)");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, layer.str())
        .bind(2, std::int64_t{analyzer})
        .bind(3, record_json)
        .bind(4, to_unix_millis(now))
        .run();
}

Result<void> SqliteScanTable::forget_layer(const model::Digest& layer) {
    auto stmt = db_.prepare("DELETE FROM layer_analyses WHERE digest = ?1");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, layer.str()).run();
}

// A scan is orphaned when it is finished and no repository holds its manifest (an index's
// platform manifests are manifests of the repository too, so their scans stay while it does).
constexpr std::string_view kOrphaned =
    "status NOT IN ('PENDING', 'IN_PROGRESS') "
    "AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.digest = image_scans.digest)";

Result<std::vector<model::Digest>> SqliteScanTable::orphaned(std::size_t limit) {
    auto stmt = db_.prepare(fmt::format(
        "SELECT digest FROM image_scans WHERE {} ORDER BY digest LIMIT ?1", kOrphaned));
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, sql_limit(limit));
    return collect_digests(*stmt);
}

Result<bool> SqliteScanTable::remove_orphaned(const model::Digest& d) {
    auto stmt =
        db_.prepare(fmt::format("DELETE FROM image_scans WHERE digest = ?1 AND {}", kOrphaned));
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, d.str()).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

}  // namespace wharf::storage::sqlite
