#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "storage/meta/records.hpp"

namespace wharf::storage {

// Per-table interfaces. Every method runs inside the transaction that handed out the table;
// errors are Errc::internal (database failure) unless stated. Reads never see uncommitted data
// of other transactions.

class RepositoryTable {
public:
    virtual ~RepositoryTable() = default;
    virtual Result<std::optional<RepositoryRecord>> find(const model::RepoName& name) = 0;
    // Returns the existing record when the name is taken (idempotent: settings not changed).
    virtual Result<RepositoryRecord> create(const model::RepoName& name,
                                            const RepositorySettings& settings, TimePoint now) = 0;
    Result<RepositoryRecord> create(const model::RepoName& name, TimePoint now) {
        return create(name, RepositorySettings{}, now);
    }
    // Replaces settings, policy and tags of an existing repository (by id).
    virtual Result<void> update(const RepositoryRecord& record) = 0;
    // Names in lexical (byte) order strictly after `after`, at most `limit`.
    virtual Result<std::vector<model::RepoName>> list(const std::optional<model::RepoName>& after,
                                                      std::size_t limit) = 0;
    // Deletes the repository with its tags, manifests, links and uploads; its blobs are queued
    // for the collector's review as of `now`. Idempotent.
    virtual Result<void> remove(RepoId id, TimePoint now) = 0;
};

class ManifestTable {
public:
    virtual ~ManifestTable() = default;
    virtual Result<std::optional<ManifestRecord>> find(RepoId repo, const model::Digest& d) = 0;
    // The manifest a tag points to, in one lookup (the hot path of a pull by tag).
    virtual Result<std::optional<ManifestRecord>> find_by_tag(RepoId repo, const model::Tag& t) = 0;
    // Stores the manifest with its references; idempotent for an identical digest.
    virtual Result<void> put(RepoId repo, const ManifestRecord& m,
                             const std::vector<ManifestRef>& refs) = 0;
    // Removes the manifest, its references and every tag pointing to it, and queues the blobs
    // it referenced for the collector's review as of `now`; false when absent.
    virtual Result<bool> remove(RepoId repo, const model::Digest& d, TimePoint now) = 0;
    // Digests of manifests in the repository whose references include `child`.
    virtual Result<std::vector<model::Digest>> parents(RepoId repo, const model::Digest& child) = 0;
    // Manifests whose subject is `subject`, ordered by digest.
    virtual Result<std::vector<ReferrerRecord>> referrers(RepoId repo,
                                                          const model::Digest& subject) = 0;
    // Referrers pushed at or before `pushed_before` whose subject their repository does not
    // hold (deleted, or never pushed), no index listing them, up to `limit`, in any repository.
    virtual Result<std::vector<ManifestKey>> orphaned_referrers(TimePoint pushed_before,
                                                                std::size_t limit) = 0;
    // Whether any manifest in the repository references the blob.
    virtual Result<bool> blob_referenced(RepoId repo, const model::Digest& blob) = 0;
    // Manifests in digest order strictly after `after`, at most `limit` (payload included).
    virtual Result<std::vector<ManifestRecord>> list(RepoId repo,
                                                     const std::optional<model::Digest>& after,
                                                     std::size_t limit) = 0;
    // Records a pull (coarse: callers batch these).
    virtual Result<void> mark_pulled(RepoId repo, const model::Digest& d, TimePoint at) = 0;
    // Archives or restores the manifest (last_archived_at / last_activated_at = now); false
    // when absent. Setting the status it already has changes nothing.
    virtual Result<bool> set_status(RepoId repo, const model::Digest& d, ImageStatus status,
                                    TimePoint now) = 0;
    // Every index -> child edge of the repository (lifecycle evaluation, in one query).
    virtual Result<std::vector<IndexEdge>> index_edges(RepoId repo) = 0;
    // The blobs the manifest references directly (config and layers).
    virtual Result<std::vector<model::Digest>> blobs_of(RepoId repo, const model::Digest& d) = 0;
};

class TagTable {
public:
    virtual ~TagTable() = default;
    virtual Result<std::optional<TagRecord>> find(RepoId repo, const model::Tag& t) = 0;
    // Points the tag at the manifest (which must exist); returns the previous target if any.
    virtual Result<std::optional<model::Digest>> put(RepoId repo, const model::Tag& t,
                                                     const model::Digest& d, TimePoint now) = 0;
    virtual Result<bool> remove(RepoId repo, const model::Tag& t) = 0;  // false when absent
    // Tags in lexical (byte) order strictly after `after`, at most `limit`.
    virtual Result<std::vector<model::Tag>> list(RepoId repo,
                                                 const std::optional<model::Tag>& after,
                                                 std::size_t limit) = 0;
    virtual Result<std::vector<model::Tag>> tags_of(RepoId repo, const model::Digest& d) = 0;
    // Every tag of the repository with its target, in name order.
    virtual Result<std::vector<TagRecord>> all(RepoId repo) = 0;
};

// Which blobs a repository may serve: a blob is readable through a repository only if linked.
class BlobLinkTable {
public:
    virtual ~BlobLinkTable() = default;
    // Size of the linked blob; nullopt when the repository does not link it.
    virtual Result<std::optional<std::uint64_t>> find(RepoId repo, const model::Digest& d) = 0;
    // Idempotent. A new link queues the blob for the collector's review as of `now` (an upload
    // whose manifest never comes leaves a link nothing references).
    virtual Result<void> link(RepoId repo, const model::Digest& d, std::uint64_t size,
                              TimePoint now) = 0;
    // False when absent; queues the blob for review as of `now`.
    virtual Result<bool> unlink(RepoId repo, const model::Digest& d, TimePoint now) = 0;
    // Every repository that links the blob.
    virtual Result<std::vector<BlobLinkRecord>> links_of(const model::Digest& d) = 0;
    virtual Result<LinkUsage> usage(RepoId repo) = 0;
};

class UploadTable {
public:
    virtual ~UploadTable() = default;
    virtual Result<std::optional<UploadRecord>> find(const model::UploadId& id) = 0;
    virtual Result<void> create(const UploadRecord& upload) = 0;
    virtual Result<void> touch(const model::UploadId& id, TimePoint now) = 0;
    virtual Result<void> set_part_state(const model::UploadId& id, int state) = 0;
    virtual Result<bool> remove(const model::UploadId& id) = 0;  // false when absent
    // Uploads not written to since `before`, oldest first, at most `limit`.
    virtual Result<std::vector<UploadRecord>> stale(TimePoint before, std::size_t limit) = 0;
};

// The collector's review queue: blobs that may have lost their last reference. A blob is queued
// whenever a link is made or a reference or link goes away; the collector reviews it once it has
// been quiet for the grace period (a later event postpones the review).
class BlobReviewTable {
public:
    virtual ~BlobReviewTable() = default;
    // Queues (or postpones to `at`, never earlier) the review of the blob.
    virtual Result<void> enqueue(const model::Digest& d, TimePoint at) = 0;
    // Blobs queued at or before `due`, oldest first, at most `limit`.
    virtual Result<std::vector<model::Digest>> due(TimePoint due, std::size_t limit) = 0;
    // Ends the review of the blob if it is still queued at or before `due` (a newer event keeps
    // it queued); false when it was not.
    virtual Result<bool> finish(const model::Digest& d, TimePoint due) = 0;
    virtual Result<std::uint64_t> pending() = 0;
    // Deletion marks: the collector commits a mark before it deletes a blob's bytes and clears
    // it after, so a push never links bytes that are about to go (it checks is_deleting in its
    // linking transaction) and a crash in between is finished by the next collection.
    virtual Result<void> mark_deleting(const model::Digest& d) = 0;
    virtual Result<bool> is_deleting(const model::Digest& d) = 0;
    virtual Result<std::vector<model::Digest>> deleting(std::size_t limit) = 0;
    virtual Result<void> clear_deleting(const model::Digest& d) = 0;
};

// Lifecycle policies and the latest preview, per repository (both go with the repository).
class LifecycleTable {
public:
    virtual ~LifecycleTable() = default;
    virtual Result<std::optional<LifecyclePolicyRecord>> find_policy(RepoId repo) = 0;
    virtual Result<void> put_policy(RepoId repo, const std::string& text, TimePoint now) = 0;
    virtual Result<bool> remove_policy(RepoId repo) = 0;  // false when absent
    virtual Result<void> mark_evaluated(RepoId repo, TimePoint at) = 0;
    // Repositories that have a policy, by name order.
    virtual Result<std::vector<std::pair<RepoId, model::RepoName>>> with_policy() = 0;
    virtual Result<std::optional<LifecyclePreviewRecord>> find_preview(RepoId repo) = 0;
    virtual Result<void> put_preview(RepoId repo, const LifecyclePreviewRecord& preview) = 0;
};

// Registry-wide documents by key: the registry policy, creation templates, account settings.
class RegistryDocumentTable {
public:
    virtual ~RegistryDocumentTable() = default;
    virtual Result<std::optional<std::string>> get(const std::string& key) = 0;
    virtual Result<void> put(const std::string& key, const std::string& value, TimePoint now) = 0;
    virtual Result<bool> remove(const std::string& key) = 0;  // false when absent
    // (key, value) pairs whose key starts with prefix, in key order.
    virtual Result<std::vector<std::pair<std::string, std::string>>> list(
        const std::string& prefix) = 0;
};

// Users and roles of the account, their identity policies and their access keys.
class PrincipalTable {
public:
    virtual ~PrincipalTable() = default;
    virtual Result<std::optional<PrincipalRecord>> find(PrincipalKind kind,
                                                        const std::string& name) = 0;
    virtual Result<std::optional<PrincipalRecord>> find_by_id(std::int64_t id) = 0;
    // Errc::already_exists when the name is taken for that kind.
    virtual Result<PrincipalRecord> create(PrincipalKind kind, const std::string& name,
                                           const std::string& unique_id, TimePoint now) = 0;
    virtual Result<std::vector<PrincipalRecord>> list(PrincipalKind kind) = 0;
    virtual Result<bool> remove(std::int64_t id) = 0;  // with its policies and keys
    // Identity policies: (name, document) in name order.
    virtual Result<void> put_policy(std::int64_t id, const std::string& name,
                                    const std::string& document) = 0;
    virtual Result<bool> remove_policy(std::int64_t id, const std::string& name) = 0;
    virtual Result<std::vector<std::pair<std::string, std::string>>> policies(std::int64_t id) = 0;
    virtual Result<void> set_tags(std::int64_t id, const ResourceTags& tags) = 0;
};

class AccessKeyTable {
public:
    virtual ~AccessKeyTable() = default;
    virtual Result<std::optional<AccessKeyRecord>> find(const std::string& access_key_id) = 0;
    virtual Result<void> create(const AccessKeyRecord& key) = 0;
    // All keys, or those of one principal, in creation order.
    virtual Result<std::vector<AccessKeyRecord>> list(std::optional<std::int64_t> principal) = 0;
    virtual Result<bool> set_active(const std::string& access_key_id, bool active) = 0;
    virtual Result<bool> remove(const std::string& access_key_id) = 0;
};

// Vulnerability scans and the per-layer analysis cache.
class ScanTable {
public:
    virtual ~ScanTable() = default;
    virtual Result<std::optional<ImageScanRecord>> find(const model::Digest& d) = 0;
    virtual Result<void> put(const ImageScanRecord& scan) = 0;  // insert or replace
    // Scans waiting or interrupted (PENDING, IN_PROGRESS), oldest first.
    virtual Result<std::vector<model::Digest>> unfinished(std::size_t limit) = 0;
    // Scans with an inventory matched against a database older than `version`.
    virtual Result<std::vector<model::Digest>> matched_before(std::int64_t version,
                                                              std::size_t limit) = 0;
    // The cached analysis of a layer by the analyzer of that revision (a newer analyzer ignores
    // older rows).
    virtual Result<std::optional<std::string>> find_layer(const model::Digest& layer,
                                                          int analyzer) = 0;
    // Stores a layer's analysis; rows of other analyzer revisions for the layer go.
    virtual Result<void> put_layer(const model::Digest& layer, int analyzer,
                                   const std::string& record_json, TimePoint now) = 0;
    // Drops every cached analysis of a layer (its bytes are being deleted).
    virtual Result<void> forget_layer(const model::Digest& layer) = 0;
    // Scans, neither waiting nor running, of manifests no repository holds any more (the image
    // was deleted), up to `limit`.
    virtual Result<std::vector<model::Digest>> orphaned(std::size_t limit) = 0;
    // Removes the scan of `d` if it is still orphaned (a push may have brought the manifest back
    // since orphaned() was read); whether it did.
    virtual Result<bool> remove_orphaned(const model::Digest& d) = 0;
};

// One transaction's view of all tables.
class MetadataTx {
public:
    virtual ~MetadataTx() = default;
    virtual RepositoryTable& repositories() = 0;
    virtual ManifestTable& manifests() = 0;
    virtual TagTable& tags() = 0;
    virtual BlobLinkTable& blob_links() = 0;
    virtual UploadTable& uploads() = 0;
    virtual RegistryDocumentTable& documents() = 0;
    virtual PrincipalTable& principals() = 0;
    virtual AccessKeyTable& access_keys() = 0;
    virtual BlobReviewTable& blob_reviews() = 0;
    virtual LifecycleTable& lifecycle() = 0;
    virtual ScanTable& scans() = 0;
};

// Transactional metadata. Thread-safe; methods block.
class MetadataStore {
public:
    using TxFn = std::function<Result<void>(MetadataTx&)>;
    virtual ~MetadataStore() = default;
    // Runs fn in a read-only snapshot; concurrent with other reads and with writes.
    virtual Result<void> read(const TxFn& fn) = 0;
    // Runs fn in a write transaction: committed durably when fn returns ok, rolled back when it
    // returns an error (which is passed through). Writers are serialised; busy is retried.
    virtual Result<void> write(const TxFn& fn) = 0;
};

}  // namespace wharf::storage
