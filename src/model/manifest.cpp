#include "model/manifest.hpp"

#include <set>

#include <fmt/format.h>

#include "model/descriptor_json.hpp"
#include "model/media_types.hpp"
#include "model/text.hpp"

namespace wharf::model {
namespace {

using json = nlohmann::json;
namespace mt = media_type;
using detail::manifest_invalid;
using detail::member;
using detail::optional_string;
using detail::parse_annotations;
using detail::parse_descriptor;
using detail::parse_descriptor_list;

constexpr std::string_view kSchema1Message =
    "Docker manifest schema 1 is not supported; push the image as Docker schema 2 or OCI "
    "instead (current docker, podman and buildah clients do; with skopeo use --format v2s2 or "
    "--format oci)";

Error schema1() {
    return Error{Errc::unsupported, std::string(kSchema1Message), nullptr};
}

bool is_schema1(std::string_view media_type) noexcept {
    return detail::iequals(media_type, mt::kDockerSchema1) ||
           detail::iequals(media_type, mt::kDockerSchema1Signed);
}

// "application/vnd.oci.image.manifest.v1+json; charset=utf-8" -> the lower-case media type; empty
// for the generic types clients send when they do not know better.
std::string normalize_content_type(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    const auto bare = detail::trim_ows(content_type.substr(0, semicolon));
    std::string out;
    out.reserve(bare.size());
    for (const char c : bare) {
        out.push_back(detail::to_lower(c));
    }
    if (out == "application/json" || out == "application/octet-stream") {
        out.clear();
    }
    return out;
}

// The kind named by a media type, nullopt when it is not a manifest type we accept.
std::optional<ManifestKind> kind_of(std::string_view media_type) {
    if (detail::iequals(media_type, mt::kOciManifest)) {
        return ManifestKind::oci_manifest;
    }
    if (detail::iequals(media_type, mt::kOciIndex)) {
        return ManifestKind::oci_index;
    }
    if (detail::iequals(media_type, mt::kDockerManifest)) {
        return ManifestKind::docker_manifest;
    }
    if (detail::iequals(media_type, mt::kDockerManifestList)) {
        return ManifestKind::docker_manifest_list;
    }
    return std::nullopt;
}

std::string_view canonical_media_type(ManifestKind kind) noexcept {
    switch (kind) {
        case ManifestKind::oci_manifest:
            return mt::kOciManifest;
        case ManifestKind::oci_index:
            return mt::kOciIndex;
        case ManifestKind::docker_manifest:
            return mt::kDockerManifest;
        case ManifestKind::docker_manifest_list:
            return mt::kDockerManifestList;
    }
    return mt::kOciManifest;
}

Result<void> check_schema_version(const json& doc) {
    const json* version = member(doc, "schemaVersion");
    if (version == nullptr) {
        if (doc.contains("fsLayers") || doc.contains("signatures")) {
            return schema1();
        }
        return manifest_invalid("schemaVersion", "is required and must be 2");
    }
    if (version->is_number_integer()) {  // also true for unsigned
        if (version->is_number_unsigned() && version->get<std::uint64_t>() == 1) {
            return schema1();
        }
        if (version->is_number_unsigned() && version->get<std::uint64_t>() == 2) {
            return ok();
        }
        return manifest_invalid("schemaVersion", fmt::format("must be 2, got {}", version->dump()));
    }
    return manifest_invalid("schemaVersion",
                            fmt::format("must be the number 2, got {}", version->type_name()));
}

// Picks the kind from the body's mediaType, else the Content-Type, else the fields present.
Result<ManifestKind> decide_kind(const json& doc, const std::string& content_type) {
    auto body_type = optional_string(doc, "", "mediaType");
    if (!body_type) {
        return std::move(body_type).error();
    }
    if (member(doc, "mediaType") != nullptr && body_type->empty()) {
        return manifest_invalid("mediaType",
                                "must not be empty; leave it out or name the manifest type");
    }
    if (is_schema1(*body_type)) {
        return schema1();
    }
    if (!body_type->empty() && !content_type.empty() &&
        !detail::iequals(*body_type, content_type)) {
        return manifest_invalid(
            "mediaType", fmt::format("{} does not match the Content-Type {}; push the manifest "
                                     "with Content-Type: {}",
                                     detail::quote(*body_type), detail::quote(content_type),
                                     detail::printable(*body_type)));
    }
    const std::string& declared = body_type->empty() ? content_type : *body_type;
    if (!declared.empty()) {
        if (auto kind = kind_of(declared)) {
            return *kind;
        }
        return Error{Errc::unsupported,
                     fmt::format("media type {} is not a manifest type this registry accepts; "
                                 "push one of {}, {}, {} or {}",
                                 detail::quote(declared), mt::kOciManifest, mt::kOciIndex,
                                 mt::kDockerManifest, mt::kDockerManifestList),
                     {{"mediaType", detail::printable(declared)}}};
    }
    const bool has_config = member(doc, "config") != nullptr;
    const bool has_manifests = member(doc, "manifests") != nullptr;
    if (has_config && has_manifests) {
        return manifest_invalid(
            "",
            "it has both config and manifests, so it could be an image manifest "
            "or an index; set mediaType to say which");
    }
    if (has_manifests) {
        return ManifestKind::oci_index;
    }
    if (has_config || member(doc, "layers") != nullptr) {
        return ManifestKind::oci_manifest;
    }
    return manifest_invalid(
        "", fmt::format("cannot tell what kind of manifest it is; set mediaType (e.g. "
                        "{}) or send it as the Content-Type",
                        mt::kOciManifest));
}

Result<ParsedManifest> parse_document(const json& doc, const std::string& content_type) {
    if (!doc.is_object()) {
        return manifest_invalid(
            "", fmt::format("the body must be a JSON object, got {}", doc.type_name()));
    }
    if (auto version = check_schema_version(doc); !version) {
        return std::move(version).error();
    }
    auto kind = decide_kind(doc, content_type);
    if (!kind) {
        return std::move(kind).error();
    }
    ParsedManifest out;
    out.kind = *kind;
    out.media_type = std::string(canonical_media_type(*kind));
    if (is_index(*kind)) {
        // Refusing the other kind's fields closes the confusion of CVE-2021-41190 (one document
        // that reads as an image to one client and as an index to another).
        for (const auto key : {"config", "layers"}) {
            if (member(doc, key) != nullptr) {
                return manifest_invalid(key,
                                        fmt::format("is not allowed in an index ({}); did you mean "
                                                    "an image manifest?",
                                                    out.media_type));
            }
        }
        auto manifests = parse_descriptor_list(doc, "manifests", true, "an index");
        if (!manifests) {
            return std::move(manifests).error();
        }
        out.manifests = std::move(*manifests);
    } else {
        if (member(doc, "manifests") != nullptr) {
            return manifest_invalid("manifests",
                                    fmt::format("is not allowed in an image manifest ({}); "
                                                "did you mean an index?",
                                                out.media_type));
        }
        const json* config = member(doc, "config");
        if (config == nullptr) {
            return manifest_invalid("config",
                                    "is required in an image manifest (a descriptor; use "
                                    "application/vnd.oci.empty.v1+json for an artifact)");
        }
        auto parsed = parse_descriptor(*config, "config", false);
        if (!parsed) {
            return std::move(parsed).error();
        }
        out.config = std::move(*parsed);
        auto layers = parse_descriptor_list(doc, "layers", false, "an image manifest");
        if (!layers) {
            return std::move(layers).error();
        }
        out.layers = std::move(*layers);
    }
    if (const json* subject = member(doc, "subject")) {
        auto parsed = parse_descriptor(*subject, "subject", false);
        if (!parsed) {
            return std::move(parsed).error();
        }
        out.subject = std::move(*parsed);
    }
    auto artifact_type = optional_string(doc, "", "artifactType");
    if (!artifact_type) {
        return std::move(artifact_type).error();
    }
    out.artifact_type = std::move(*artifact_type);
    auto annotations = parse_annotations(doc, "");
    if (!annotations) {
        return std::move(annotations).error();
    }
    out.annotations = std::move(*annotations);
    return out;
}

void append_unique(std::vector<Digest>& out, std::set<std::string_view>& seen, const Digest& d) {
    if (seen.insert(d.str()).second) {
        out.push_back(d);
    }
}

}  // namespace

bool is_index(ManifestKind kind) noexcept {
    return kind == ManifestKind::oci_index || kind == ManifestKind::docker_manifest_list;
}

std::string ParsedManifest::effective_artifact_type() const {
    if (!artifact_type.empty()) {
        return artifact_type;
    }
    if (config) {
        return config->media_type;
    }
    return {};
}

std::vector<Digest> ParsedManifest::blob_references() const {
    std::vector<Digest> out;
    std::set<std::string_view> seen;
    if (config) {
        append_unique(out, seen, config->digest);
    }
    for (const auto& layer : layers) {
        if (!media_type::is_non_distributable_layer(layer.media_type)) {
            append_unique(out, seen, layer.digest);
        }
    }
    return out;
}

std::vector<Digest> ParsedManifest::manifest_references() const {
    std::vector<Digest> out;
    std::set<std::string_view> seen;
    for (const auto& child : manifests) {
        append_unique(out, seen, child.digest);
    }
    return out;
}

Result<ParsedManifest> parse_manifest(std::string_view body, std::string_view content_type) {
    if (body.size() > kMaxManifestBytes) {
        return Error{Errc::too_large,
                     fmt::format("manifest is {} bytes; the limit is {} bytes (4 MiB)", body.size(),
                                 kMaxManifestBytes),
                     {{"size", body.size()}, {"limit", kMaxManifestBytes}}};
    }
    const std::string type = normalize_content_type(content_type);
    if (is_schema1(type)) {
        return schema1();
    }
    json doc;
    try {
        doc = json::parse(body.begin(), body.end());
    } catch (const json::parse_error& e) {
        // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
        std::string_view what = e.what();
        if (const auto bracket = what.find("] "); bracket != std::string_view::npos) {
            what.remove_prefix(bracket + 2);
        }
        return Error{Errc::manifest_invalid,
                     fmt::format("invalid manifest: the body is not valid JSON: {}",
                                 detail::printable(what, 300)),
                     {{"position", e.byte}}};  // 1-based, like line and column
    } catch (const json::exception& e) {
        return Error{Errc::manifest_invalid,
                     fmt::format("invalid manifest: the body is not valid JSON: {}",
                                 detail::printable(e.what(), 300)),
                     nullptr};
    }
    try {
        return parse_document(doc, type);
    } catch (const json::exception& e) {
        // Every access above is type-checked first; reaching this is a bug, not bad input.
        return Error{Errc::internal, fmt::format("manifest validation failed: {}", e.what()),
                     nullptr};
    }
}

}  // namespace wharf::model
