#pragma once

// Alias folding (internal to match()): the advisories that affect one package, grouped so that
// records about the same vulnerability become one finding.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "scan/version/version.hpp"
#include "scan/vulndb/advisory.hpp"

namespace wharf::scan::vulndb::detail {

// One advisory that affects one package (records with the same id already merged).
struct Hit {
    Advisory advisory;
    std::string urgency;                  // of the first affected entry that matched
    std::vector<std::string> entry_cvss;  // severity[] of the matched entries
    std::string fixed_in;                 // the highest fix among the matched entries
};

struct Group {
    std::string id;                    // a CVE id when any member is or names exactly one
    std::size_t primary = 0;           // the hit whose text and urgency the finding shows
    std::vector<std::size_t> members;  // hits about this vulnerability (primary included)
    std::vector<std::size_t> bundles;  // DSA/DLA-like hits that fix it among others
    std::vector<std::string> related;  // every other id, sorted
    std::string fixed_in;              // the highest fix of members and bundles
};

// Records that share an id or alias are one group, except that a group never holds two
// different CVEs: a record naming several CVEs (a DSA) is attached to the group of each CVE
// it names that was matched, and stands alone only when none was.
std::vector<Group> fold(const std::vector<Hit>& hits, std::optional<version::Scheme> scheme);

// The higher of two fixed versions in scheme ("" loses; incomparable keeps a).
std::string higher_fix(const std::string& a, const std::string& b,
                       std::optional<version::Scheme> scheme);

}  // namespace wharf::scan::vulndb::detail
