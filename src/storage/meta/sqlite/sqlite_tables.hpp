#pragma once

#include "storage/meta/metadata_store.hpp"
#include "storage/meta/sqlite/sqlite_connection.hpp"

// The per-table interfaces over one connection that is inside a transaction. Each table class
// lives in its own .cpp (<name>_table.cpp); the SQL stays in those files.
namespace wharf::storage::sqlite {

class SqliteRepositoryTable final : public RepositoryTable {
public:
    explicit SqliteRepositoryTable(Connection& db) : db_(db) {}
    Result<std::optional<RepositoryRecord>> find(const model::RepoName& name) override;
    using RepositoryTable::create;
    Result<RepositoryRecord> create(const model::RepoName& name, const RepositorySettings& settings,
                                    TimePoint now) override;
    Result<void> update(const RepositoryRecord& record) override;
    Result<std::vector<model::RepoName>> list(const std::optional<model::RepoName>& after,
                                              std::size_t limit) override;
    Result<void> remove(RepoId id, TimePoint now) override;

private:
    Connection& db_;
};

class SqliteManifestTable final : public ManifestTable {
public:
    explicit SqliteManifestTable(Connection& db) : db_(db) {}
    Result<std::optional<ManifestRecord>> find(RepoId repo, const model::Digest& d) override;
    Result<std::optional<ManifestRecord>> find_by_tag(RepoId repo, const model::Tag& t) override;
    Result<void> put(RepoId repo, const ManifestRecord& m,
                     const std::vector<ManifestRef>& refs) override;
    Result<bool> remove(RepoId repo, const model::Digest& d, TimePoint now) override;
    Result<std::vector<model::Digest>> parents(RepoId repo, const model::Digest& child) override;
    Result<std::vector<ReferrerRecord>> referrers(RepoId repo,
                                                  const model::Digest& subject) override;
    Result<std::vector<ManifestKey>> orphaned_referrers(TimePoint pushed_before,
                                                        std::size_t limit) override;
    Result<bool> blob_referenced(RepoId repo, const model::Digest& blob) override;
    Result<std::vector<ManifestRecord>> list(RepoId repo, const std::optional<model::Digest>& after,
                                             std::size_t limit) override;
    Result<void> mark_pulled(RepoId repo, const model::Digest& d, TimePoint at) override;
    Result<bool> set_status(RepoId repo, const model::Digest& d, ImageStatus status,
                            TimePoint now) override;
    Result<std::vector<IndexEdge>> index_edges(RepoId repo) override;
    Result<std::vector<model::Digest>> blobs_of(RepoId repo, const model::Digest& d) override;

private:
    Connection& db_;
};

class SqliteTagTable final : public TagTable {
public:
    explicit SqliteTagTable(Connection& db) : db_(db) {}
    Result<std::optional<TagRecord>> find(RepoId repo, const model::Tag& t) override;
    Result<std::optional<model::Digest>> put(RepoId repo, const model::Tag& t,
                                             const model::Digest& d, TimePoint now) override;
    Result<bool> remove(RepoId repo, const model::Tag& t) override;
    Result<std::vector<model::Tag>> list(RepoId repo, const std::optional<model::Tag>& after,
                                         std::size_t limit) override;
    Result<std::vector<model::Tag>> tags_of(RepoId repo, const model::Digest& d) override;
    Result<std::vector<TagRecord>> all(RepoId repo) override;

private:
    Connection& db_;
};

class SqliteBlobLinkTable final : public BlobLinkTable {
public:
    explicit SqliteBlobLinkTable(Connection& db) : db_(db) {}
    Result<std::optional<std::uint64_t>> find(RepoId repo, const model::Digest& d) override;
    Result<void> link(RepoId repo, const model::Digest& d, std::uint64_t size,
                      TimePoint now) override;
    Result<bool> unlink(RepoId repo, const model::Digest& d, TimePoint now) override;
    Result<std::vector<BlobLinkRecord>> links_of(const model::Digest& d) override;
    Result<LinkUsage> usage(RepoId repo) override;

private:
    Connection& db_;
};

class SqliteUploadTable final : public UploadTable {
public:
    explicit SqliteUploadTable(Connection& db) : db_(db) {}
    Result<std::optional<UploadRecord>> find(const model::UploadId& id) override;
    Result<void> create(const UploadRecord& upload) override;
    Result<void> touch(const model::UploadId& id, TimePoint now) override;
    Result<void> set_part_state(const model::UploadId& id, int state) override;
    Result<bool> remove(const model::UploadId& id) override;
    Result<std::vector<UploadRecord>> stale(TimePoint before, std::size_t limit) override;

private:
    Connection& db_;
};

class SqliteRegistryDocumentTable final : public RegistryDocumentTable {
public:
    explicit SqliteRegistryDocumentTable(Connection& db) : db_(db) {}
    Result<std::optional<std::string>> get(const std::string& key) override;
    Result<void> put(const std::string& key, const std::string& value, TimePoint now) override;
    Result<bool> remove(const std::string& key) override;
    Result<std::vector<std::pair<std::string, std::string>>> list(
        const std::string& prefix) override;

private:
    Connection& db_;
};

class SqlitePrincipalTable final : public PrincipalTable {
public:
    explicit SqlitePrincipalTable(Connection& db) : db_(db) {}
    Result<std::optional<PrincipalRecord>> find(PrincipalKind kind,
                                                const std::string& name) override;
    Result<std::optional<PrincipalRecord>> find_by_id(std::int64_t id) override;
    Result<PrincipalRecord> create(PrincipalKind kind, const std::string& name,
                                   const std::string& unique_id, TimePoint now) override;
    Result<std::vector<PrincipalRecord>> list(PrincipalKind kind) override;
    Result<bool> remove(std::int64_t id) override;
    Result<void> put_policy(std::int64_t id, const std::string& name,
                            const std::string& document) override;
    Result<bool> remove_policy(std::int64_t id, const std::string& name) override;
    Result<std::vector<std::pair<std::string, std::string>>> policies(std::int64_t id) override;
    Result<void> set_tags(std::int64_t id, const ResourceTags& tags) override;

private:
    Connection& db_;
};

class SqliteAccessKeyTable final : public AccessKeyTable {
public:
    explicit SqliteAccessKeyTable(Connection& db) : db_(db) {}
    Result<std::optional<AccessKeyRecord>> find(const std::string& access_key_id) override;
    Result<void> create(const AccessKeyRecord& key) override;
    Result<std::vector<AccessKeyRecord>> list(std::optional<std::int64_t> principal) override;
    Result<bool> set_active(const std::string& access_key_id, bool active) override;
    Result<bool> remove(const std::string& access_key_id) override;

private:
    Connection& db_;
};

class SqliteBlobReviewTable final : public BlobReviewTable {
public:
    explicit SqliteBlobReviewTable(Connection& db) : db_(db) {}
    Result<void> enqueue(const model::Digest& d, TimePoint at) override;
    Result<std::vector<model::Digest>> due(TimePoint due, std::size_t limit) override;
    Result<bool> finish(const model::Digest& d, TimePoint due) override;
    Result<std::uint64_t> pending() override;
    Result<void> mark_deleting(const model::Digest& d) override;
    Result<bool> is_deleting(const model::Digest& d) override;
    Result<std::vector<model::Digest>> deleting(std::size_t limit) override;
    Result<void> clear_deleting(const model::Digest& d) override;

private:
    Connection& db_;
};

// Queues the review of the blobs `select_sql` yields (one digest column; ?1 and ?2 are bound
// to `a` and `b`) as of `at`, postponing reviews already queued. Shared by the tables whose
// changes can orphan a blob.
Result<void> queue_reviews(Connection& db, std::string_view select_sql, std::int64_t a,
                           const std::string& b, TimePoint at);

class SqliteLifecycleTable final : public LifecycleTable {
public:
    explicit SqliteLifecycleTable(Connection& db) : db_(db) {}
    Result<std::optional<LifecyclePolicyRecord>> find_policy(RepoId repo) override;
    Result<void> put_policy(RepoId repo, const std::string& text, TimePoint now) override;
    Result<bool> remove_policy(RepoId repo) override;
    Result<void> mark_evaluated(RepoId repo, TimePoint at) override;
    Result<std::vector<std::pair<RepoId, model::RepoName>>> with_policy() override;
    Result<std::optional<LifecyclePreviewRecord>> find_preview(RepoId repo) override;
    Result<void> put_preview(RepoId repo, const LifecyclePreviewRecord& preview) override;

private:
    Connection& db_;
};

class SqliteScanTable final : public ScanTable {
public:
    explicit SqliteScanTable(Connection& db) : db_(db) {}
    Result<std::optional<ImageScanRecord>> find(const model::Digest& d) override;
    Result<void> put(const ImageScanRecord& scan) override;
    Result<std::vector<model::Digest>> unfinished(std::size_t limit) override;
    Result<std::vector<model::Digest>> matched_before(std::int64_t version,
                                                      std::size_t limit) override;
    Result<std::optional<std::string>> find_layer(const model::Digest& layer,
                                                  int analyzer) override;
    Result<void> put_layer(const model::Digest& layer, int analyzer,
                           const std::string& record_json, TimePoint now) override;
    Result<void> forget_layer(const model::Digest& layer) override;
    Result<std::vector<model::Digest>> orphaned(std::size_t limit) override;
    Result<bool> remove_orphaned(const model::Digest& d) override;

private:
    Connection& db_;
};

// All tables of one transaction; cheap to construct (references only).
class SqliteTx final : public MetadataTx {
public:
    explicit SqliteTx(Connection& db)
        : repositories_(db),
          manifests_(db),
          tags_(db),
          blob_links_(db),
          uploads_(db),
          documents_(db),
          principals_(db),
          access_keys_(db),
          blob_reviews_(db),
          lifecycle_(db),
          scans_(db) {}
    RepositoryTable& repositories() override { return repositories_; }
    ManifestTable& manifests() override { return manifests_; }
    TagTable& tags() override { return tags_; }
    BlobLinkTable& blob_links() override { return blob_links_; }
    UploadTable& uploads() override { return uploads_; }
    RegistryDocumentTable& documents() override { return documents_; }
    PrincipalTable& principals() override { return principals_; }
    AccessKeyTable& access_keys() override { return access_keys_; }
    BlobReviewTable& blob_reviews() override { return blob_reviews_; }
    LifecycleTable& lifecycle() override { return lifecycle_; }
    ScanTable& scans() override { return scans_; }

private:
    SqliteRepositoryTable repositories_;
    SqliteManifestTable manifests_;
    SqliteTagTable tags_;
    SqliteBlobLinkTable blob_links_;
    SqliteUploadTable uploads_;
    SqliteRegistryDocumentTable documents_;
    SqlitePrincipalTable principals_;
    SqliteAccessKeyTable access_keys_;
    SqliteBlobReviewTable blob_reviews_;
    SqliteLifecycleTable lifecycle_;
    SqliteScanTable scans_;
};

}  // namespace wharf::storage::sqlite
