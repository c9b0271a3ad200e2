#include "storage/meta/sqlite/sqlite_tables.hpp"

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"

namespace wharf::storage::sqlite {
namespace {

constexpr std::string_view kColumns =
    "m.digest, m.media_type, m.payload, m.config_digest, m.subject, m.artifact_type, "
    "m.annotations_json, m.pushed_at, m.last_pulled_at, m.image_size, m.image_status, "
    "m.last_archived_at, m.last_activated_at";

// Reads the kColumns of the current row.
Result<ManifestRecord> read_manifest(const Statement& row) {
    auto digest = column_digest(row, 0);
    auto config = column_optional_digest(row, 3);
    auto subject = column_optional_digest(row, 4);
    if (!digest || !config || !subject) {
        return !digest ? digest.error() : !config ? config.error() : subject.error();
    }
    ManifestRecord m{.digest = std::move(*digest),
                     .media_type = row.column_text(1),
                     .payload = row.column_text(2),
                     .config_digest = std::move(*config),
                     .subject = std::move(*subject),
                     .artifact_type = row.column_text(5),
                     .annotations_json = row.column_text(6),
                     .pushed_at = column_time(row, 7),
                     .last_pulled_at = std::nullopt,
                     .image_size = static_cast<std::uint64_t>(row.column_int(9)),
                     .status = storage::ImageStatus::active,
                     .last_archived_at = std::nullopt,
                     .last_activated_at = std::nullopt};
    if (!row.is_null(8)) {
        m.last_pulled_at = column_time(row, 8);
    }
    m.status = row.column_text(10) == "ARCHIVED" ? ImageStatus::archived : ImageStatus::active;
    if (!row.is_null(11)) {
        m.last_archived_at = column_time(row, 11);
    }
    if (!row.is_null(12)) {
        m.last_activated_at = column_time(row, 12);
    }
    return m;
}

Result<std::optional<ManifestRecord>> find_one(Statement& stmt) {
    auto row = stmt.step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<ManifestRecord>{};
    }
    auto m = read_manifest(stmt);
    if (!m) {
        return m.error();
    }
    return std::optional<ManifestRecord>{std::move(*m)};
}

const std::string& kind_name(RefKind kind) {
    static const std::string kBlob = "blob";
    static const std::string kManifest = "manifest";
    return kind == RefKind::blob ? kBlob : kManifest;
}

}  // namespace

Result<std::optional<ManifestRecord>> SqliteManifestTable::find(RepoId repo,
                                                                const model::Digest& d) {
    static const std::string sql =
        fmt::format("SELECT {} FROM manifests m WHERE m.repo_id = ?1 AND m.digest = ?2", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, d.str());
    return find_one(*stmt);
}

Result<std::optional<ManifestRecord>> SqliteManifestTable::find_by_tag(RepoId repo,
                                                                       const model::Tag& t) {
    static const std::string sql = fmt::format(
        "SELECT {} FROM tags t JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest "
        "WHERE t.repo_id = ?1 AND t.name = ?2",
        kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, t.str());
    return find_one(*stmt);
}

Result<void> SqliteManifestTable::put(RepoId repo, const ManifestRecord& m,
                                      const std::vector<ManifestRef>& refs) {
    {
        auto stmt = db_.prepare(
            "INSERT INTO manifests (repo_id, digest, media_type, payload, config_digest, subject, "
            "artifact_type, annotations_json, pushed_at, last_pulled_at, image_size) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
            "ON CONFLICT (repo_id, digest) DO NOTHING");
        if (!stmt) {
            return stmt.error();
        }
        stmt->bind(1, std::int64_t{repo})
            .bind(2, m.digest.str())
            .bind(3, m.media_type)
            .bind_blob(4, m.payload)
            .bind(7, m.artifact_type)
            .bind(8, m.annotations_json)
            .bind(9, to_unix_millis(m.pushed_at))
            .bind(11, static_cast<std::int64_t>(m.image_size));
        if (m.config_digest) {
            stmt->bind(5, m.config_digest->str());
        } else {
            stmt->bind_null(5);
        }
        if (m.subject) {
            stmt->bind(6, m.subject->str());
        } else {
            stmt->bind_null(6);
        }
        if (m.last_pulled_at) {
            stmt->bind(10, to_unix_millis(*m.last_pulled_at));
        } else {
            stmt->bind_null(10);
        }
        if (auto done = stmt->run(); !done) {
            return map_foreign_key(std::move(done).error(), Errc::name_unknown,
                                   fmt::format("no repository with id {}", repo));
        }
    }
    // Identical digest means identical content and references: re-inserting them is a no-op.
    for (const ManifestRef& ref : refs) {
        auto stmt = db_.prepare(
            "INSERT OR IGNORE INTO manifest_refs (repo_id, parent_digest, child_digest, kind) "
            "VALUES (?1, ?2, ?3, ?4)");
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, std::int64_t{repo})
                            .bind(2, m.digest.str())
                            .bind(3, ref.digest.str())
                            .bind(4, kind_name(ref.kind))
                            .run();
            !done) {
            return done;
        }
    }
    return ok();
}

Result<bool> SqliteManifestTable::remove(RepoId repo, const model::Digest& d, TimePoint now) {
    if (auto queued = queue_reviews(db_,
                                    "SELECT child_digest AS digest FROM manifest_refs "
                                    "WHERE repo_id = ?1 AND parent_digest = ?2 AND kind = 'blob'",
                                    repo, d.str(), now);
        !queued) {
        return queued.error();
    }
    static constexpr const char* kDeletes[] = {
        "DELETE FROM tags WHERE repo_id = ?1 AND digest = ?2",
        "DELETE FROM manifest_refs WHERE repo_id = ?1 AND parent_digest = ?2",
        "DELETE FROM manifests WHERE repo_id = ?1 AND digest = ?2",  // last: changes() below
    };
    for (const char* sql : kDeletes) {
        auto stmt = db_.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).run(); !done) {
            return done.error();
        }
    }
    return db_.changes() > 0;
}

Result<std::vector<model::Digest>> SqliteManifestTable::parents(RepoId repo,
                                                                const model::Digest& child) {
    auto stmt = db_.prepare(
        "SELECT DISTINCT parent_digest FROM manifest_refs "
        "WHERE repo_id = ?1 AND child_digest = ?2 ORDER BY parent_digest");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, child.str());
    return collect_digests(*stmt);
}

Result<std::vector<ReferrerRecord>> SqliteManifestTable::referrers(RepoId repo,
                                                                   const model::Digest& subject) {
    auto stmt = db_.prepare(
        "SELECT digest, media_type, length(payload), artifact_type, annotations_json "
        "FROM manifests WHERE repo_id = ?1 AND subject = ?2 ORDER BY digest");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, subject.str());
    return collect_rows<ReferrerRecord>(*stmt, [](const Statement& row) -> Result<ReferrerRecord> {
        auto digest = column_digest(row, 0);
        if (!digest) {
            return digest.error();
        }
        return ReferrerRecord{std::move(*digest), row.column_text(1),
                              static_cast<std::uint64_t>(row.column_int(2)), row.column_text(3),
                              row.column_text(4)};
    });
}

Result<std::vector<ManifestKey>> SqliteManifestTable::orphaned_referrers(TimePoint pushed_before,
                                                                         std::size_t limit) {
    auto stmt = db_.prepare(
        "SELECT m.repo_id, m.digest FROM manifests m "
        "WHERE m.subject IS NOT NULL AND m.pushed_at <= ?1 "
        "AND NOT EXISTS (SELECT 1 FROM manifests s "
        "                WHERE s.repo_id = m.repo_id AND s.digest = m.subject) "
        "AND NOT EXISTS (SELECT 1 FROM manifest_refs r "
        "                WHERE r.repo_id = m.repo_id AND r.child_digest = m.digest) "
        "ORDER BY m.repo_id, m.digest LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, to_unix_millis(pushed_before)).bind(2, sql_limit(limit));
    return collect_rows<ManifestKey>(*stmt, [](const Statement& row) -> Result<ManifestKey> {
        auto digest = column_digest(row, 1);
        if (!digest) {
            return digest.error();
        }
        return ManifestKey{row.column_int(0), std::move(*digest)};
    });
}

Result<bool> SqliteManifestTable::blob_referenced(RepoId repo, const model::Digest& blob) {
    auto stmt = db_.prepare(
        "SELECT EXISTS (SELECT 1 FROM manifest_refs WHERE repo_id = ?1 AND child_digest = ?2)");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, std::int64_t{repo}).bind(2, blob.str()).step();
    if (!row) {
        return row.error();
    }
    return *row && stmt->column_int(0) != 0;
}

Result<std::vector<ManifestRecord>> SqliteManifestTable::list(
    RepoId repo, const std::optional<model::Digest>& after, std::size_t limit) {
    if (limit == 0) {
        return std::vector<ManifestRecord>{};
    }
    static const std::string sql = fmt::format(
        "SELECT {} FROM manifests m WHERE m.repo_id = ?1 AND m.digest > ?2 ORDER BY m.digest "
        "LIMIT ?3",
        kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    const std::string start = after ? after->str() : std::string();
    stmt->bind(1, std::int64_t{repo}).bind(2, start).bind(3, sql_limit(limit));
    return collect_rows<ManifestRecord>(*stmt, read_manifest);
}

Result<bool> SqliteManifestTable::set_status(RepoId repo, const model::Digest& d,
                                             ImageStatus status, TimePoint now) {
    const bool archive = status == ImageStatus::archived;
    auto stmt = db_.prepare(
        archive ? "UPDATE manifests SET image_status = 'ARCHIVED', last_archived_at = ?3 "
                  "WHERE repo_id = ?1 AND digest = ?2 AND image_status <> 'ARCHIVED'"
                : "UPDATE manifests SET image_status = 'ACTIVE', last_activated_at = ?3 "
                  "WHERE repo_id = ?1 AND digest = ?2 AND image_status <> 'ACTIVE'");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).bind(3, to_unix_millis(now)).run();
        !done) {
        return done.error();
    }
    if (db_.changes() > 0) {
        return true;
    }
    auto exists = find(repo, d);
    if (!exists) {
        return exists.error();
    }
    return exists->has_value();
}

Result<std::vector<IndexEdge>> SqliteManifestTable::index_edges(RepoId repo) {
    auto stmt = db_.prepare(
        "SELECT parent_digest, child_digest FROM manifest_refs "
        "WHERE repo_id = ?1 AND kind = 'manifest' ORDER BY parent_digest, child_digest");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo});
    return collect_rows<IndexEdge>(*stmt, [](const Statement& row) -> Result<IndexEdge> {
        auto parent = column_digest(row, 0);
        auto child = column_digest(row, 1);
        if (!parent || !child) {
            return !parent ? parent.error() : child.error();
        }
        return IndexEdge{std::move(*parent), std::move(*child)};
    });
}

Result<std::vector<model::Digest>> SqliteManifestTable::blobs_of(RepoId repo,
                                                                 const model::Digest& d) {
    auto stmt = db_.prepare(
        "SELECT child_digest FROM manifest_refs "
        "WHERE repo_id = ?1 AND parent_digest = ?2 AND kind = 'blob' ORDER BY child_digest");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, std::int64_t{repo}).bind(2, d.str());
    return collect_digests(*stmt);
}

Result<void> SqliteManifestTable::mark_pulled(RepoId repo, const model::Digest& d, TimePoint at) {
    auto stmt = db_.prepare(
        "UPDATE manifests SET last_pulled_at = max(coalesce(last_pulled_at, 0), ?3) "
        "WHERE repo_id = ?1 AND digest = ?2");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, std::int64_t{repo}).bind(2, d.str()).bind(3, to_unix_millis(at)).run();
}

}  // namespace wharf::storage::sqlite
