#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "model/digest.hpp"

namespace wharf::model {

inline constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;  // as ECR

struct Descriptor {
    std::string media_type;
    Digest digest;
    std::int64_t size = 0;
    std::string artifact_type;  // empty when absent
    std::map<std::string, std::string> annotations;
    std::vector<std::string> urls;
    nlohmann::json platform = nullptr;  // index entries only; null when absent

    nlohmann::json to_json() const;  // OCI descriptor JSON, absent fields omitted
};

enum class ManifestKind { oci_manifest, oci_index, docker_manifest, docker_manifest_list };

bool is_index(ManifestKind kind) noexcept;

// What the registry needs from a pushed manifest; the bytes themselves are stored verbatim.
struct ParsedManifest {
    ManifestKind kind = ManifestKind::oci_manifest;
    std::string media_type;                  // the effective media type (body or Content-Type)
    std::optional<Descriptor> config;        // image manifests only
    std::vector<Descriptor> layers;          // image manifests only
    std::vector<Descriptor> manifests;       // indexes only
    std::optional<Descriptor> subject;       // OCI v1.1 subject
    std::string artifact_type;               // artifactType field, empty when absent
    std::map<std::string, std::string> annotations;

    // The artifactType a referrers response reports: artifactType, else config.mediaType for an
    // image manifest (spec: "artifactType ... or config.mediaType"), else empty.
    std::string effective_artifact_type() const;
    // Every digest this manifest requires to be present: config + distributable layers for image
    // manifests, child manifests for indexes (the subject is not required, per the spec).
    std::vector<Digest> blob_references() const;      // config + layers
    std::vector<Digest> manifest_references() const;  // index children
};

// Parses and validates a manifest body pushed with the given Content-Type (may be empty).
// Rules: valid JSON object within kMaxManifestBytes; schemaVersion 2; Docker schema 1 refused;
// the body's mediaType, when present, must equal the Content-Type's media type (parameters
// ignored); the kind comes from the body's mediaType, else the Content-Type, else is inferred
// (config => image manifest, manifests => index); descriptors well-formed (digest, size >= 0,
// mediaType). Errors: Errc::manifest_invalid (says which field), Errc::too_large,
// Errc::unsupported (schema 1 or unknown media type).
Result<ParsedManifest> parse_manifest(std::string_view body, std::string_view content_type);

}  // namespace wharf::model
