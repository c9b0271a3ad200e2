#include "storage/meta/sqlite/migrations.hpp"

#include <array>
#include <charconv>
#include <string>

#include <fmt/format.h>

namespace wharf::storage::sqlite {
namespace {

// Times are unix milliseconds; names, tags and digests compare as bytes (BINARY collation), which
// is the lexical order the listing APIs promise.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE repositories (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE manifests (
    repo_id          INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest           TEXT    NOT NULL,
    media_type       TEXT    NOT NULL,
    payload          BLOB    NOT NULL,
    config_digest    TEXT,
    subject          TEXT,
    artifact_type    TEXT    NOT NULL DEFAULT '',
    annotations_json TEXT    NOT NULL DEFAULT '{}',
    pushed_at        INTEGER NOT NULL,
    last_pulled_at   INTEGER,
    PRIMARY KEY (repo_id, digest)
);
-- referrers(repo, subject), ordered by digest
CREATE INDEX manifests_by_subject ON manifests (repo_id, subject, digest)
    WHERE subject IS NOT NULL;

CREATE TABLE manifest_refs (
    repo_id       INTEGER NOT NULL,
    parent_digest TEXT    NOT NULL,
    child_digest  TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('blob', 'manifest')),
    PRIMARY KEY (repo_id, parent_digest, child_digest, kind),
    FOREIGN KEY (repo_id, parent_digest) REFERENCES manifests (repo_id, digest)
        ON DELETE CASCADE
) WITHOUT ROWID;
-- parents(repo, child) and blob_referenced(repo, blob)
CREATE INDEX manifest_refs_by_child ON manifest_refs (repo_id, child_digest);

CREATE TABLE tags (
    repo_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    digest     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (repo_id, name),
    FOREIGN KEY (repo_id, digest) REFERENCES manifests (repo_id, digest) ON DELETE CASCADE
) WITHOUT ROWID;
-- tags_of(repo, digest)
CREATE INDEX tags_by_digest ON tags (repo_id, digest);

CREATE TABLE blob_links (
    repo_id   INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest    TEXT    NOT NULL,
    size      INTEGER NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (repo_id, digest)
) WITHOUT ROWID;

CREATE TABLE uploads (
    id         TEXT    PRIMARY KEY,
    repo_id    INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX uploads_by_repo ON uploads (repo_id);
)sql";

// The control plane: repository settings, policies and tags; registry documents; principals,
// their policies and access keys; image sizes as ECR reports them.
constexpr std::string_view kControlPlane = R"sql(
ALTER TABLE repositories ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE repositories ADD COLUMN policy_text   TEXT;
ALTER TABLE repositories ADD COLUMN tags_json     TEXT NOT NULL DEFAULT '[]';

ALTER TABLE uploads ADD COLUMN part_state INTEGER NOT NULL DEFAULT 0;

ALTER TABLE manifests ADD COLUMN image_size INTEGER NOT NULL DEFAULT 0;
UPDATE manifests SET image_size = (
    SELECT coalesce(sum(b.size), 0) FROM manifest_refs r
    JOIN blob_links b ON b.repo_id = r.repo_id AND b.digest = r.child_digest
    WHERE r.repo_id = manifests.repo_id AND r.parent_digest = manifests.digest
      AND r.kind = 'blob');
UPDATE manifests SET image_size = (
    SELECT coalesce(max(c.image_size), 0) FROM manifest_refs r
    JOIN manifests c ON c.repo_id = r.repo_id AND c.digest = r.child_digest
    WHERE r.repo_id = manifests.repo_id AND r.parent_digest = manifests.digest
      AND r.kind = 'manifest')
WHERE EXISTS (SELECT 1 FROM manifest_refs r WHERE r.repo_id = manifests.repo_id
              AND r.parent_digest = manifests.digest AND r.kind = 'manifest');

CREATE TABLE registry_documents (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE principals (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('user', 'role')),
    name       TEXT    NOT NULL,
    unique_id  TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    tags_json  TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (kind, name)
);

CREATE TABLE principal_policies (
    principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    document     TEXT    NOT NULL,
    PRIMARY KEY (principal_id, name)
) WITHOUT ROWID;

CREATE TABLE access_keys (
    id            TEXT    PRIMARY KEY,
    principal_id  INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    sealed_secret TEXT    NOT NULL,
    active        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX access_keys_by_principal ON access_keys (principal_id);
)sql";

// Lifecycle policies and previews, the archive storage class, and the collector's review queue.
// Every blob linked before this version is queued once, so links that nothing references any
// more (uploads whose manifest never came) are found by the first collection.
constexpr std::string_view kLifecycle = R"sql(
ALTER TABLE manifests ADD COLUMN image_status      TEXT NOT NULL DEFAULT 'ACTIVE'
    CHECK (image_status IN ('ACTIVE', 'ARCHIVED'));
ALTER TABLE manifests ADD COLUMN last_archived_at  INTEGER;
ALTER TABLE manifests ADD COLUMN last_activated_at INTEGER;

CREATE TABLE lifecycle_policies (
    repo_id      INTEGER PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
    policy_text  TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    evaluated_at INTEGER
);

CREATE TABLE lifecycle_previews (
    repo_id      INTEGER PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL,
    policy_text  TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    results_json TEXT    NOT NULL DEFAULT ''
);

-- links_of(digest) for the collector
CREATE INDEX blob_links_by_digest ON blob_links (digest);

CREATE TABLE blob_reviews (
    digest    TEXT    PRIMARY KEY,
    queued_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX blob_reviews_by_time ON blob_reviews (queued_at, digest);
-- blobs the collector decided to delete: committed before their bytes go, cleared after
CREATE TABLE blob_deletions (
    digest TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO blob_reviews (digest, queued_at) SELECT digest, max(linked_at) FROM blob_links
    GROUP BY digest;

CREATE INDEX uploads_by_age ON uploads (updated_at);
)sql";

// Vulnerability scans (keyed by manifest digest) and the per-layer analysis cache.
constexpr std::string_view kScans = R"sql(
CREATE TABLE image_scans (
    digest            TEXT    PRIMARY KEY,
    repository        TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    queued_at         INTEGER NOT NULL,
    completed_at      INTEGER,
    vulndb_version    INTEGER NOT NULL DEFAULT 0,
    vulndb_updated_at INTEGER,
    inventory_json    TEXT    NOT NULL DEFAULT '',
    findings_json     TEXT    NOT NULL DEFAULT '',
    counts_json       TEXT    NOT NULL DEFAULT '{}',
    manual_scan_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX image_scans_unfinished ON image_scans (queued_at)
    WHERE status IN ('PENDING', 'IN_PROGRESS');
CREATE INDEX image_scans_by_db ON image_scans (vulndb_version) WHERE inventory_json <> '';

CREATE TABLE layer_analyses (
    digest      TEXT    NOT NULL,
    analyzer    INTEGER NOT NULL,
    record_json TEXT    NOT NULL,
    analyzed_at INTEGER NOT NULL,
    PRIMARY KEY (digest, analyzer)
) WITHOUT ROWID;
)sql";

// Scans and layer analyses of deleted images are collected: "which repository still holds this
// manifest digest" needs an index on the digest alone.
constexpr std::string_view kScanCollection = R"sql(
CREATE INDEX manifests_by_digest ON manifests (digest);
)sql";

constexpr std::array kMigrations{
    Migration{1, "repositories, manifests, manifest_refs, tags, blob_links, uploads",
              kInitialSchema},
    Migration{2, "control plane: settings, policies, principals, access keys, image sizes",
              kControlPlane},
    Migration{3, "lifecycle policies and previews, archive, collector review queue", kLifecycle},
    Migration{4, "vulnerability scans and the layer analysis cache", kScans},
    Migration{5, "manifests by digest, for collecting the scans of deleted images",
              kScanCollection},
};

Result<void> apply_one(Connection& db, const Migration& migration, TimePoint now) {
    if (auto begin = db.exec("BEGIN IMMEDIATE"); !begin) {
        return begin;
    }
    auto body = [&]() -> Result<bool> {
        {
            auto applied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
            if (!applied) {
                return applied.error();
            }
            auto row = applied->bind(1, std::int64_t{migration.version}).step();
            if (!row || *row) {  // error, or another process applied it meanwhile
                return row;
            }
        }
        if (auto done = db.exec(std::string(migration.sql)); !done) {
            return done.error();
        }
        auto record =
            db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
        if (!record) {
            return record.error();
        }
        if (auto done =
                record->bind(1, std::int64_t{migration.version}).bind(2, to_unix_millis(now)).run();
            !done) {
            return done.error();
        }
        return false;
    };
    auto result = body();
    if (!result) {
        (void)db.exec("ROLLBACK");
        return Error{Errc::internal, fmt::format("migration {} ({}) failed: {}", migration.version,
                                                 migration.description, result.error().message)};
    }
    if (auto commit = db.exec("COMMIT"); !commit) {
        (void)db.exec("ROLLBACK");
        return commit;
    }
    return ok();
}

}  // namespace

std::span<const Migration> all_migrations() {
    return kMigrations;
}

Result<int> schema_version(Connection& db) {
    auto version = db.query_text("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!version) {
        return version.error();
    }
    const std::string text = version->value_or("0");
    int value = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{}) {
        return Error{Errc::internal, fmt::format("schema_migrations holds version '{}'", text)};
    }
    return value;
}

Result<int> apply_migrations(Connection& db, std::span<const Migration> list, TimePoint now) {
    if (auto made = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                            "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        !made) {
        return made.error();
    }
    auto current = schema_version(db);
    if (!current) {
        return current.error();
    }
    const int known = list.empty() ? 0 : list.back().version;
    if (*current > known) {
        return Error{Errc::internal,
                     fmt::format("the database is at schema version {}, newer than this build "
                                 "knows ({}); run a newer wharf",
                                 *current, known)};
    }
    for (const Migration& migration : list) {
        if (migration.version <= *current) {
            continue;
        }
        if (auto applied = apply_one(db, migration, now); !applied) {
            return applied.error();
        }
    }
    return schema_version(db);
}

}  // namespace wharf::storage::sqlite
