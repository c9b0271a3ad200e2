// Java archive metadata: Maven's pom.properties (java.util.Properties syntax) and the jar
// manifest (main section of META-INF/MANIFEST.MF, 72-byte lines folded with a leading space).
#include "scan/packages/packages.hpp"

#include <map>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

// Headers kept from the manifest's main section, and a cap so a huge manifest cannot grow one
// value without end (real ones stay under a few KiB per header).
constexpr std::size_t kMaxManifestValue = 64 * 1024;

bool wanted_manifest_key(std::string_view key) {
    return key == "Implementation-Title" || key == "Implementation-Vendor-Id" ||
           key == "Implementation-Version" || key == "Bundle-SymbolicName" ||
           key == "Bundle-Version" || key == "Bundle-License";
}

}  // namespace

std::optional<Package> parse_pom_properties(std::string_view text) {
    std::string group, artifact, version;
    detail::for_each_line(text, [&](std::string_view line) {
        line = detail::trim(line);
        if (line.empty() || line.front() == '#' || line.front() == '!') {
            return true;
        }
        const auto sep = line.find_first_of("=:");
        if (sep == std::string_view::npos) {
            return true;
        }
        const auto key = detail::trim(line.substr(0, sep));
        const auto value = std::string(detail::trim(line.substr(sep + 1)));
        if (key == "groupId") {
            group = value;
        } else if (key == "artifactId") {
            artifact = value;
        } else if (key == "version") {
            version = value;
        }
        return true;
    });
    if (group.empty() || artifact.empty() || version.empty()) {
        return std::nullopt;
    }
    Package pkg;
    pkg.type = PackageType::maven;
    pkg.name = group + ":" + artifact;
    pkg.version = version;
    return pkg;
}

std::optional<Package> parse_jar_manifest(std::string_view text) {
    std::map<std::string, std::string, std::less<>> headers;
    std::string* last = nullptr;  // the value a continuation line extends
    detail::for_each_line(text, [&](std::string_view line) {
        if (line.empty()) {
            return false;  // the main section ends; per-entry sections follow
        }
        if (line.front() == ' ') {
            if (last && last->size() + line.size() <= kMaxManifestValue) {
                last->append(line.substr(1));
            }
            return true;
        }
        last = nullptr;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return true;
        }
        const auto key = line.substr(0, colon);
        if (wanted_manifest_key(key)) {
            auto value = line.substr(colon + 1);
            if (value.starts_with(' ')) {
                value.remove_prefix(1);
            }
            auto& slot = headers[std::string(key)];
            slot = value.substr(0, kMaxManifestValue);
            last = &slot;
        }
        return true;
    });
    const auto get = [&](std::string_view key) {
        const auto it = headers.find(key);
        return it == headers.end() ? std::string{} : std::string(detail::trim(it->second));
    };
    Package pkg;
    pkg.type = PackageType::maven;
    const auto title = get("Implementation-Title");
    const auto impl_version = get("Implementation-Version");
    if (!title.empty() && !impl_version.empty()) {
        const auto vendor = get("Implementation-Vendor-Id");
        pkg.name = vendor.empty() ? title : vendor + ":" + title;
        pkg.version = impl_version;
    } else {
        // OSGi bundles: "org.example.lib;singleton:=true" names the bundle; directives dropped.
        auto symbolic = get("Bundle-SymbolicName");
        symbolic = std::string(detail::trim(symbolic.substr(0, symbolic.find(';'))));
        const auto bundle_version = get("Bundle-Version");
        if (symbolic.empty() || bundle_version.empty()) {
            return std::nullopt;
        }
        pkg.name = symbolic;
        pkg.version = bundle_version;
        pkg.license = get("Bundle-License");
    }
    return pkg;
}

}  // namespace wharf::scan
