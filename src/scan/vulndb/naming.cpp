// Names the database files records under: the source of a record, its storage key, the lookup
// form of package names, and the id families matching treats specially.
#include <fmt/format.h>

#include "scan/packages/packages.hpp"
#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb::detail {

std::string source_of(const Advisory& a, Format format) {
    switch (format) {
        case Format::alpine_secdb:
            return "alpine-secdb";
        case Format::nodejs_wg:
            return "nodejs-security-wg";
        case Format::osv:
            break;
    }
    // Debian's CVE records also carry Alpine and GIT entries; any Debian entry makes it Debian's.
    for (const auto& entry : a.affected) {
        if (entry.ecosystem.starts_with("Debian")) {
            return "debian-osv";
        }
    }
    if (a.affected.empty()) {
        return "osv";
    }
    const std::string_view eco = a.affected.front().ecosystem;
    if (eco == "Go") {
        return "go-osv";
    }
    if (eco == "PyPI") {
        return "pypi-osv";
    }
    if (eco == "crates.io") {
        return "rustsec-osv";
    }
    return "osv";
}

std::string storage_key(const Advisory& a, std::string_view source) {
    // A secdb file yields one record per (CVE, package) of one release, all named by the CVE.
    if (source == "alpine-secdb" && !a.affected.empty()) {
        return fmt::format("{}/{}/{}/{}", source, a.affected.front().ecosystem,
                           a.affected.front().name, a.id);
    }
    return fmt::format("{}/{}", source, a.id);
}

std::string normalize_name(std::string_view ecosystem, std::string_view name) {
    if (ecosystem == "PyPI") {
        return normalize_pypi_name(name);
    }
    return std::string(name);
}

bool is_cve(std::string_view id) {
    return id.starts_with("CVE-");
}

bool is_debian_bundle(std::string_view id) {
    return id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DTSA-");
}

}  // namespace wharf::scan::vulndb::detail
