// ECR severity levels and the rule that picks one for a finding (SCANNING-NOTES 4.4): the
// distro's urgency first, because it judges the package as the distro ships it; then the
// advisory's own rating; then the worst CVSS 3.x base score of the advisory and its aliases.
#include "scan/vulndb/severity.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace wharf::scan::vulndb {
namespace {

constexpr std::array<std::pair<Severity, std::string_view>, 6> kNames{{
    {Severity::informational, "INFORMATIONAL"},
    {Severity::low, "LOW"},
    {Severity::medium, "MEDIUM"},
    {Severity::high, "HIGH"},
    {Severity::critical, "CRITICAL"},
    {Severity::undefined, "UNDEFINED"},
}};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Debian tracker urgencies; a trailing "*" (or "**") marks an urgency the tracker guessed, which
// still ranks the same. "not yet assigned", "end-of-life" and the rest decide nothing.
std::optional<Severity> from_urgency(std::string_view urgency) {
    while (urgency.ends_with('*')) {
        urgency.remove_suffix(1);
    }
    const std::string u = lower(urgency);
    if (u == "unimportant") {
        return Severity::informational;
    }
    if (u == "low") {
        return Severity::low;
    }
    if (u == "medium") {
        return Severity::medium;
    }
    if (u == "high") {
        return Severity::high;
    }
    return std::nullopt;
}

// GHSA's qualitative ratings (MODERATE is its word for MEDIUM) and the Node.js WG's.
std::optional<Severity> from_rating(std::string_view rating) {
    const std::string r = lower(rating);
    if (r == "critical") {
        return Severity::critical;
    }
    if (r == "high") {
        return Severity::high;
    }
    if (r == "moderate" || r == "medium") {
        return Severity::medium;
    }
    if (r == "low") {
        return Severity::low;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Severity s) {
    for (const auto& [value, name] : kNames) {
        if (value == s) {
            return name;
        }
    }
    return "UNDEFINED";
}

std::optional<Severity> parse_severity(std::string_view ecr_name) {
    for (const auto& [value, name] : kNames) {
        if (name == ecr_name) {
            return value;
        }
    }
    return std::nullopt;
}

int rank(Severity s) {
    switch (s) {
        case Severity::undefined:
        case Severity::informational:
            return 0;
        case Severity::low:
            return 1;
        case Severity::medium:
            return 2;
        case Severity::high:
            return 3;
        case Severity::critical:
            return 4;
    }
    return 0;
}

Severity severity_from_score(double score) {
    // Scores have one decimal; compare against the band floors so 8.95 (never produced) would
    // still land in a band rather than fall between two.
    if (score >= 9.0) {
        return Severity::critical;
    }
    if (score >= 7.0) {
        return Severity::high;
    }
    if (score >= 4.0) {
        return Severity::medium;
    }
    if (score > 0.0) {
        return Severity::low;
    }
    return Severity::informational;
}

SeverityDecision decide_severity(const SeverityInputs& in) {
    SeverityDecision d;
    // The highest CVSS score is reported whatever decides, so a policy can look at it.
    for (const auto& vector : in.cvss_v3) {
        const auto score = cvss3_base_score(vector);
        if (score && (!d.score || *score > *d.score)) {
            d.score = score;
            d.vector = vector;
        }
    }
    if (const auto s = from_urgency(in.urgency)) {
        d.severity = *s;
        d.source = "debian";
    } else if (const auto r = from_rating(in.rating)) {
        d.severity = *r;
        d.source = "advisory";
    } else if (d.score) {
        d.severity = severity_from_score(*d.score);
        d.source = "cvss3";
    }
    return d;
}

}  // namespace wharf::scan::vulndb
