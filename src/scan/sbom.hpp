#pragma once

// Software bills of materials for a scanned image: SPDX 2.3 JSON and CycloneDX 1.5 JSON, every
// package with its package URL. Pure and deterministic: the same inventory and image give the
// same bytes, so storing an SBOM again is a no-op.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scan/inventory.hpp"

namespace wharf::scan {

struct SbomSubject {
    std::string repository;  // "team/app"
    std::string digest;      // "sha256:..."
    std::string registry_host;  // for the image's purl repository_url
    std::string created;     // RFC 3339; the image's push time keeps the document stable
    std::string tool;        // "wharf-0.1.0"
};

// pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc, ...
std::string purl(const Package& p, const std::optional<OsRelease>& os);
// pkg:oci/app@sha256%3A...?repository_url=host/team/app
std::string image_purl(const SbomSubject& image);

nlohmann::json spdx_document(const Inventory& inv, const SbomSubject& image);
nlohmann::json cyclonedx_document(const Inventory& inv, const SbomSubject& image);

inline constexpr std::string_view kSpdxMediaType = "application/spdx+json";
inline constexpr std::string_view kCycloneDxMediaType = "application/vnd.cyclonedx+json";

}  // namespace wharf::scan
