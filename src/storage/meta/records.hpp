#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"

namespace wharf::storage {

using RepoId = std::int64_t;

// A key/value tag on a resource (ECR resource tags, IAM principal tags), in insertion order.
using ResourceTags = std::vector<std::pair<std::string, std::string>>;

// Per-repository settings of the control plane. Strings hold ECR's enum spellings; they are
// validated by the registry before they are stored.
struct RepositorySettings {
    std::string tag_mutability = "MUTABLE";          // MUTABLE|IMMUTABLE|*_WITH_EXCLUSION
    std::vector<std::string> mutability_exclusions;  // WILDCARD filters
    bool scan_on_push = false;
    std::string encryption_type = "AES256";  // AES256|KMS|KMS_DSSE
    std::string kms_key;
    // Beyond ECR: re-pushing the digest an immutable tag already names succeeds (CI retries).
    bool immutable_allows_identical = false;
};

struct RepositoryRecord {
    RepoId id = 0;
    model::RepoName name;
    TimePoint created_at;
    RepositorySettings settings;
    std::optional<std::string> policy_text;  // the repository (resource) policy
    ResourceTags tags;
};

// ECR's storage classes as an image's state: archived images are listed but not pullable.
enum class ImageStatus { active, archived };

// A stored manifest. The payload is kept verbatim (its digest is the manifest's identity).
struct ManifestRecord {
    model::Digest digest;
    std::string media_type;
    std::string payload;
    std::optional<model::Digest> config_digest;
    std::optional<model::Digest> subject;
    std::string artifact_type;     // effective artifactType, for referrers
    std::string annotations_json;  // the manifest's annotations object, "{}" when none
    TimePoint pushed_at;
    std::optional<TimePoint> last_pulled_at;
    // Sum of the referenced blobs' sizes; for an index the largest child's (as ECR reports).
    std::uint64_t image_size = 0;
    ImageStatus status = ImageStatus::active;
    std::optional<TimePoint> last_archived_at{};
    std::optional<TimePoint> last_activated_at{};  // restored from the archive
};

// An edge from an index to a manifest it lists (both in the same repository).
// One manifest of one repository.
struct ManifestKey {
    RepoId repo = 0;
    model::Digest digest;
    bool operator==(const ManifestKey&) const = default;
};

struct IndexEdge {
    model::Digest parent;
    model::Digest child;
};

// A repository's lifecycle policy as stored (validated before it is written).
struct LifecyclePolicyRecord {
    std::string text;
    TimePoint updated_at;
    std::optional<TimePoint> evaluated_at;  // last time a run (not a preview) evaluated it
};

// The repository's latest lifecycle preview: the policy it evaluated and, when finished, the
// results document (the adapter's business: the store keeps it opaque).
struct LifecyclePreviewRecord {
    std::string status;  // IN_PROGRESS | COMPLETE | FAILED
    std::string policy_text;
    TimePoint started_at;
    std::optional<TimePoint> finished_at;
    std::string results_json;  // "" until finished
};

// One repository's link to a blob.
struct BlobLinkRecord {
    RepoId repo_id = 0;
    std::uint64_t size = 0;
    TimePoint linked_at;
};

// Bytes a repository holds: every blob it links once, and those no other repository links
// (what deleting the repository would let the collector free).
struct LinkUsage {
    std::uint64_t blob_count = 0;
    std::uint64_t stored_bytes = 0;
    std::uint64_t exclusive_bytes = 0;
};

// What the referrers API lists about a manifest (no payload).
struct ReferrerRecord {
    model::Digest digest;
    std::string media_type;
    std::uint64_t size = 0;
    std::string artifact_type;
    std::string annotations_json;
};

enum class RefKind { blob, manifest };

// A manifest's dependency: a config/layer blob or, for an index, a child manifest.
struct ManifestRef {
    model::Digest digest;
    RefKind kind = RefKind::blob;
};

struct TagRecord {
    model::Tag name;
    model::Digest digest;
    TimePoint updated_at;
};

enum class PrincipalKind { user, role };

// A user or role of the account; identity policies are stored beside it by name.
struct PrincipalRecord {
    std::int64_t id = 0;
    PrincipalKind kind = PrincipalKind::user;
    std::string name;
    std::string unique_id;  // AIDA... for users, AROA... for roles (aws:userid)
    TimePoint created_at;
    ResourceTags tags;
};

struct AccessKeyRecord {
    std::string access_key_id;  // AKIA...
    std::int64_t principal_id = 0;
    std::string sealed_secret;  // encrypted with the master key; never stored in clear
    bool active = true;
    TimePoint created_at;
};

struct UploadRecord {
    model::UploadId id;
    RepoId repo_id = 0;
    TimePoint started_at;
    TimePoint updated_at;
    // ECR's part rule (parts >= 5 MiB except the last): 0 no small part yet, 1 the latest part
    // was small, 2 a small part was followed by another (CompleteLayerUpload then refuses).
    int part_state = 0;
};

// One image's vulnerability scan (keyed by manifest digest: the same content scans the same in
// every repository). The documents are the scanner's business; the store keeps them opaque.
// A row in PENDING or IN_PROGRESS is the durable scan queue: a restart picks it up again.
struct ImageScanRecord {
    ImageScanRecord(model::Digest d, model::RepoName repo)
        : digest(std::move(d)), repository(std::move(repo)) {}
    model::Digest digest;
    model::RepoName repository;  // where the manifest was pushed (to read it back)
    std::string status;          // PENDING|IN_PROGRESS|COMPLETE|FAILED|UNSUPPORTED_IMAGE
    std::string description;     // why it failed or is unsupported, "" otherwise
    TimePoint queued_at;
    std::optional<TimePoint> completed_at{};
    std::int64_t vulndb_version = 0;  // the database version the findings were matched against
    std::optional<TimePoint> vulndb_updated_at{};
    std::string inventory_json;  // the packages found (re-matched when the database changes)
    std::string findings_json;   // the findings, worst first
    std::string counts_json = "{}";  // findingSeverityCounts
    std::optional<TimePoint> manual_scan_at{};  // last StartImageScan (ECR's one-a-day limit)
};

}  // namespace wharf::storage
