#pragma once

// Severity: the CVSS 3.x base score computed from a vector, and the mapping to ECR's levels.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::scan::vulndb {

enum class Severity { informational, low, medium, high, critical, undefined };

// ECR's names: "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNDEFINED".
std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view ecr_name);
// Order for thresholds: informational < low < medium < high < critical; undefined ranks with
// informational (it reaches no threshold above INFORMATIONAL).
int rank(Severity s);

// CVSS v3.0/v3.1 base score of a vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" per the
// FIRST specification (3.1 Roundup); nullopt when the vector is not a complete valid v3 base
// vector (temporal/environmental metrics after it are allowed and ignored).
std::optional<double> cvss3_base_score(std::string_view vector);

// 9.0-10 CRITICAL, 7.0-8.9 HIGH, 4.0-6.9 MEDIUM, 0.1-3.9 LOW, 0.0 INFORMATIONAL.
Severity severity_from_score(double score);

// The decision, first rule that applies:
// 1. distro urgency: Debian "unimportant" -> INFORMATIONAL, "low" -> LOW, "medium" -> MEDIUM,
//    "high" (also "high*") -> HIGH; other urgencies ("not yet assigned", "end-of-life", "") skip;
// 2. the advisory's own rating (GHSA database_specific.severity; MODERATE -> MEDIUM);
// 3. the highest CVSS 3.x base score among the given vectors;
// 4. UNDEFINED.
struct SeverityInputs {
    std::string urgency;
    std::string rating;
    std::vector<std::string> cvss_v3;
};
struct SeverityDecision {
    Severity severity = Severity::undefined;
    std::string source;        // "debian", "advisory", "cvss3", ""
    std::optional<double> score;  // the CVSS score used or found (highest), if any
    std::string vector;        // that score's vector
};
SeverityDecision decide_severity(const SeverityInputs& in);

}  // namespace wharf::scan::vulndb
