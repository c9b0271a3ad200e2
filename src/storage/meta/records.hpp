#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"

namespace wharf::storage {

using RepoId = std::int64_t;

struct RepositoryRecord {
    RepoId id = 0;
    model::RepoName name;
    TimePoint created_at;
};

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

struct UploadRecord {
    model::UploadId id;
    RepoId repo_id = 0;
    TimePoint started_at;
    TimePoint updated_at;
};

}  // namespace wharf::storage
