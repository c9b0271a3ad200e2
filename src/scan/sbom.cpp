#include "scan/sbom.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/hash.hpp"

namespace wharf::scan {
namespace {

using nlohmann::json;

// purl-spec: percent-encode everything outside the unreserved set (so '+' in Debian versions
// becomes %2B); `keep_slash` for namespaces made of several segments.
std::string encode(std::string_view s, bool keep_slash = false) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' ||
            (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string distro_of(const std::optional<OsRelease>& os) {
    if (!os || os->id.empty()) {
        return {};
    }
    return os->id == "alpine" ? os->version_id.substr(0, os->version_id.rfind('.'))
                              : os->id + "-" + os->version_id;
}

// A stable id for an SPDX element / CycloneDX bom-ref.
std::string ref_of(const Package& p, std::size_t index) {
    const std::string key = fmt::format("{}|{}|{}|{}|{}", to_string(p.type), p.name, p.version,
                                        p.found_in, index);
    return hex_digest(HashAlgorithm::sha256, key).substr(0, 16);
}

}  // namespace

std::string purl(const Package& p, const std::optional<OsRelease>& os) {
    std::vector<std::string> qualifiers;
    std::string ns;
    std::string name = p.name;
    std::string version = p.version;
    switch (p.type) {
        case PackageType::deb:
        case PackageType::apk:
        case PackageType::rpm: {
            ns = os && !os->id.empty() ? os->id : std::string(p.type == PackageType::deb ? "debian"
                                                              : p.type == PackageType::apk ? "alpine"
                                                                                          : "redhat");
            if (p.type == PackageType::rpm) {
                if (const auto colon = version.find(':'); colon != std::string::npos) {
                    qualifiers.push_back("epoch=" + version.substr(0, colon));
                    version = version.substr(colon + 1);
                }
            }
            if (!p.arch.empty()) {
                qualifiers.insert(qualifiers.begin(), "arch=" + encode(p.arch));
            }
            if (const std::string d = distro_of(os); !d.empty()) {
                qualifiers.push_back("distro=" + encode(d));
            }
            if (!p.source_name.empty() && p.source_name != p.name) {
                qualifiers.push_back("upstream=" + encode(p.source_name));
            }
            break;
        }
        case PackageType::npm:
            if (name.starts_with('@') && name.find('/') != std::string::npos) {
                ns = name.substr(0, name.find('/'));
                name = name.substr(name.find('/') + 1);
            }
            break;
        case PackageType::pypi:
            name = normalize_pypi_name(name);
            break;
        case PackageType::golang:
            if (const auto slash = name.rfind('/'); slash != std::string::npos) {
                ns = name.substr(0, slash);
                name = name.substr(slash + 1);
            }
            break;
        case PackageType::maven:
            if (const auto colon = name.find(':'); colon != std::string::npos) {
                ns = name.substr(0, colon);
                name = name.substr(colon + 1);
            }
            break;
        case PackageType::cargo:
            break;
    }
    std::sort(qualifiers.begin(), qualifiers.end());  // purl-spec: qualifiers sorted by key
    std::string out = fmt::format("pkg:{}/", to_string(p.type));
    if (!ns.empty()) {
        out += encode(ns, true) + "/";
    }
    out += encode(name);
    if (!version.empty()) {
        out += "@" + encode(version);
    }
    for (std::size_t i = 0; i < qualifiers.size(); ++i) {
        out += (i == 0 ? "?" : "&") + qualifiers[i];
    }
    return out;
}

std::string image_purl(const SbomSubject& image) {
    const auto slash = image.repository.rfind('/');
    const std::string name =
        slash == std::string::npos ? image.repository : image.repository.substr(slash + 1);
    return fmt::format("pkg:oci/{}@{}?repository_url={}", encode(name), encode(image.digest),
                       encode(image.registry_host + "/" + image.repository, true));
}

json spdx_document(const Inventory& inv, const SbomSubject& image) {
    json packages = json::array();
    json relationships = json::array();
    packages.push_back({{"SPDXID", "SPDXRef-Image"},
                        {"name", image.repository},
                        {"versionInfo", image.digest},
                        {"primaryPackagePurpose", "CONTAINER"},
                        {"downloadLocation", "NOASSERTION"},
                        {"filesAnalyzed", false},
                        {"externalRefs",
                         json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                       {"referenceType", "purl"},
                                       {"referenceLocator", image_purl(image)}}})}});
    relationships.push_back({{"spdxElementId", "SPDXRef-DOCUMENT"},
                             {"relationshipType", "DESCRIBES"},
                             {"relatedSpdxElement", "SPDXRef-Image"}});
    if (inv.os && !inv.os->id.empty()) {
        packages.push_back({{"SPDXID", "SPDXRef-OperatingSystem"},
                            {"name", inv.os->id},
                            {"versionInfo", inv.os->version_id},
                            {"primaryPackagePurpose", "OPERATING-SYSTEM"},
                            {"downloadLocation", "NOASSERTION"},
                            {"filesAnalyzed", false}});
        relationships.push_back({{"spdxElementId", "SPDXRef-Image"},
                                 {"relationshipType", "CONTAINS"},
                                 {"relatedSpdxElement", "SPDXRef-OperatingSystem"}});
    }
    for (std::size_t i = 0; i < inv.packages.size(); ++i) {
        const Package& p = inv.packages[i];
        const std::string id = "SPDXRef-Package-" + ref_of(p, i);
        json pkg{{"SPDXID", id},
                 {"name", p.name},
                 {"versionInfo", p.version},
                 {"supplier", p.maintainer.empty() ? "NOASSERTION" : "Organization: " + p.maintainer},
                 {"downloadLocation", "NOASSERTION"},
                 {"filesAnalyzed", false},
                 {"licenseDeclared", p.license.empty() ? "NOASSERTION" : p.license},
                 {"externalRefs",
                  json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                {"referenceType", "purl"},
                                {"referenceLocator", purl(p, inv.os)}}})}};
        if (!p.source_name.empty()) {
            pkg["sourceInfo"] = fmt::format("built from source package {} {}", p.source_name,
                                            p.source_version);
        }
        packages.push_back(std::move(pkg));
        relationships.push_back({{"spdxElementId", "SPDXRef-Image"},
                                 {"relationshipType", "CONTAINS"},
                                 {"relatedSpdxElement", id}});
    }
    return {{"spdxVersion", "SPDX-2.3"},
            {"dataLicense", "CC0-1.0"},
            {"SPDXID", "SPDXRef-DOCUMENT"},
            {"name", image.repository + "@" + image.digest},
            {"documentNamespace",
             fmt::format("https://{}/spdx/{}/{}", image.registry_host, image.repository,
                         image.digest)},
            {"creationInfo", {{"created", image.created}, {"creators", {"Tool: " + image.tool}}}},
            {"packages", std::move(packages)},
            {"relationships", std::move(relationships)}};
}

json cyclonedx_document(const Inventory& inv, const SbomSubject& image) {
    json components = json::array();
    json depends = json::array();
    if (inv.os && !inv.os->id.empty()) {
        components.push_back({{"type", "operating-system"},
                              {"bom-ref", "os"},
                              {"name", inv.os->id},
                              {"version", inv.os->version_id}});
        depends.push_back("os");
    }
    for (std::size_t i = 0; i < inv.packages.size(); ++i) {
        const Package& p = inv.packages[i];
        const std::string ref = ref_of(p, i);
        json properties = json::array();
        auto prop = [&](const char* name, const std::string& value) {
            if (!value.empty()) {
                properties.push_back({{"name", name}, {"value", value}});
            }
        };
        prop("wharf:package:type", std::string(to_string(p.type)));
        prop("wharf:package:source_name", p.source_name);
        prop("wharf:package:source_version", p.source_version);
        prop("wharf:package:path", p.found_in);
        prop("wharf:layer:digest", i < inv.layers.size() ? inv.layers[i] : std::string());
        json c{{"type", "library"},
               {"bom-ref", ref},
               {"name", p.name},
               {"version", p.version},
               {"purl", purl(p, inv.os)},
               {"properties", std::move(properties)}};
        if (!p.license.empty()) {
            c["licenses"] = json::array({{{"license", {{"name", p.license}}}}});
        }
        components.push_back(std::move(c));
        depends.push_back(ref);
    }
    // A stable serial number from the digest (urn:uuid form), so the document is deterministic.
    const std::string h = hex_digest(HashAlgorithm::sha256, image.digest + "|cyclonedx");
    const std::string uuid = fmt::format("{}-{}-4{}-8{}-{}", h.substr(0, 8), h.substr(8, 4),
                                         h.substr(13, 3), h.substr(17, 3), h.substr(20, 12));
    return {{"bomFormat", "CycloneDX"},
            {"specVersion", "1.5"},
            {"serialNumber", "urn:uuid:" + uuid},
            {"version", 1},
            {"metadata",
             {{"timestamp", image.created},
              {"tools", {{"components", json::array({{{"type", "application"},
                                                       {"name", "wharf"},
                                                       {"version", image.tool}}})}}},
              {"component",
               {{"type", "container"},
                {"bom-ref", "image"},
                {"name", image.repository},
                {"version", image.digest},
                {"purl", image_purl(image)}}}}},
            {"components", std::move(components)},
            {"dependencies", json::array({{{"ref", "image"}, {"dependsOn", std::move(depends)}}})}};
}

}  // namespace wharf::scan
