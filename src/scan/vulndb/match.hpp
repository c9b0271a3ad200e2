#pragma once

// Matching an inventory of packages against the database, per the OSV evaluation algorithm.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "scan/packages/packages.hpp"
#include "scan/vulndb/advisory.hpp"
#include "scan/vulndb/database.hpp"
#include "scan/vulndb/severity.hpp"

namespace wharf::scan::vulndb {

// The OSV ecosystem of an OS: debian 12 -> "Debian:12", alpine 3.19.1 -> "Alpine:v3.19",
// ubuntu 22.04 -> "Ubuntu:22.04", rhel/rocky/almalinux major; nullopt for unknown ones.
std::optional<std::string> os_ecosystem(const OsRelease& os);
// The ecosystem of a language package: npm "npm", pypi "PyPI", golang "Go", cargo "crates.io",
// maven "Maven".
std::optional<std::string> package_ecosystem(PackageType type);

// OSV "Evaluation": affected if version is in versions[] or inside some ECOSYSTEM/SEMVER range
// (events sorted by version; introduced "0" = from the start; fixed / last_affected / limit).
// `fixed_in` receives the fixed version of the range that matched, if it has one. nullopt when
// the version cannot be compared in the ecosystem's scheme.
std::optional<bool> affects(const Affected& affected, std::string_view version,
                            std::string* fixed_in = nullptr);

struct Finding {
    std::string id;                    // the advisory id (CVE id preferred after folding)
    std::vector<std::string> related;  // folded ids (DSA/DLA/GHSA/PYSEC aliases)
    std::string package_name;          // binary/installed name
    std::string package_version;       // installed version
    std::string source_name;           // OS source package when matched by source
    std::string ecosystem;
    PackageType package_type = PackageType::deb;
    std::string fixed_in;              // empty when no fix is known
    std::string summary, description, uri;
    SeverityDecision severity;
    std::string package_path;          // Package::found_in
    std::size_t package_index = 0;     // index into the inventory's packages
};

// One finding per (advisory after alias folding, package). OS packages are looked up by source
// name (then binary name when different) with the source version; language packages by name.
// Advisories with RustSec `informational` set are skipped. Severity: decide_severity over the
// entry's urgency, the advisory's rating and the CVSS vectors of it and its aliases.
// Deterministic order: severity (worst first), then id, then package name.
Result<std::vector<Finding>> match(const Database& db, const std::optional<OsRelease>& os,
                                   const std::vector<Package>& packages);

}  // namespace wharf::scan::vulndb
