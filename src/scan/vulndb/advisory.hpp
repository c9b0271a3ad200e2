#pragma once

// The advisory model (OSV's, which every source is converted to) and the readers of each source
// format. Pure: text in, advisories out. Inputs are files an operator imports; malformed records
// are refused with a message naming the field, never a crash.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace wharf::scan::vulndb {

// One range of an affected[] entry. type "ECOSYSTEM", "SEMVER" or "GIT" (GIT is kept but never
// evaluated). Events in file order; each has exactly one of the four fields set.
struct RangeEvent {
    std::string introduced, fixed, last_affected, limit;
};
struct Range {
    std::string type;
    std::vector<RangeEvent> events;
    // Node.js Security WG data has node-semver range strings instead of events: when set,
    // `npm_vulnerable` (and optional `npm_patched`) are evaluated with version::NpmRange.
    std::string npm_vulnerable, npm_patched;
};

struct Affected {
    std::string ecosystem;  // "Debian:12", "Alpine:v3.19", "PyPI", "Go", "npm", "crates.io", ...
    std::string name;       // as in the source; lookups normalise (PyPI per PEP 503)
    std::vector<Range> ranges;
    std::vector<std::string> versions;  // explicit affected versions
    std::string urgency;  // ecosystem_specific.urgency (Debian tracker), "" if none
    // affected[].severity[] CVSS vectors, if the record puts them per package.
    std::vector<std::string> cvss_v3;
};

struct Advisory {
    std::string id;
    std::vector<std::string> aliases;  // aliases[] (+ "related[]" for DSA/DLA records)
    std::string summary;
    std::string details;
    std::string published, modified, withdrawn;  // RFC 3339 as in the record, "" if absent
    std::vector<std::string> cvss_v3;  // severity[] of type CVSS_V3 (vectors "CVSS:3.x/...")
    std::string severity;  // database_specific.severity (GHSA: CRITICAL/HIGH/MODERATE/LOW)
    std::string informational;  // RustSec database_specific.informational ("unmaintained", ...)
    std::vector<std::string> references;  // URLs, ADVISORY/WEB first as in the file
    std::vector<Affected> affected;
};

// One OSV record (JSON). Requires id; affected entries without package are dropped.
Result<Advisory> parse_osv_json(std::string_view text);
// One OSV record written as YAML (PyPA advisory-database).
Result<Advisory> parse_osv_yaml(std::string_view text);
// An Alpine secdb file: one advisory per (CVE, package) with ecosystem "Alpine:v3.19" (from
// distroversion), range introduced "0" fixed <version>; a fixed version "0" means never affected
// and yields nothing. id is the CVE id; urgency empty.
Result<std::vector<Advisory>> parse_alpine_secdb(std::string_view text);
// A Node.js Security WG advisory: vuln/npm/<n>.json (module_name, vulnerable_versions,
// patched_versions, cves, cvss_vector, title, overview) -> ecosystem "npm"; vuln/core/<n>.json
// (cve, vulnerable, patched) -> ecosystem "npm", name "node". id "NSWG-ECO-<n>" /
// "NSWG-CORE-<n>" from the file stem passed in; aliases the CVEs.
Result<Advisory> parse_nodejs_wg(std::string_view text, std::string_view file_stem, bool core);

}  // namespace wharf::scan::vulndb
