#pragma once

// Version ordering per package ecosystem, as each ecosystem's own tool orders them. Pure.
// A comparison returns <0, 0 or >0 like strcmp; nullopt when a string is not a version of that
// scheme (the matcher then skips the range instead of guessing). Every function accepts any
// bytes without crashing: they parse versions found inside pushed images.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::scan::version {

enum class Scheme {
    dpkg,    // Debian: [epoch:]upstream[-revision]; total order over any string (never nullopt)
    apk,     // Alpine: apk-tools apk_version_compare
    rpm,     // rpmvercmp over [epoch:]version[-release]
    semver,  // SemVer 2.0 (npm, crates.io); a leading "v" is accepted
    go,      // Go modules: semver with "v" optional, +incompatible ignored, pseudo-versions
    pep440,  // PyPI, PEP 440 with its spelling normalisations
    maven,   // Maven ComparableVersion
};

// The scheme OSV data uses for an ecosystem name: "Debian:12" -> dpkg, "Alpine:v3.19" -> apk,
// "Red Hat", "Rocky Linux:9", "AlmaLinux:9", "openSUSE", "SUSE", "Mageia" -> rpm, "npm" and
// "crates.io" -> semver, "Go" -> go, "PyPI" -> pep440, "Maven" -> maven; nullopt for others.
std::optional<Scheme> scheme_for_ecosystem(std::string_view ecosystem);

std::optional<int> compare(Scheme scheme, std::string_view a, std::string_view b);

int compare_dpkg(std::string_view a, std::string_view b);
std::optional<int> compare_apk(std::string_view a, std::string_view b);
std::optional<int> compare_rpm(std::string_view a, std::string_view b);
std::optional<int> compare_semver(std::string_view a, std::string_view b);
std::optional<int> compare_go(std::string_view a, std::string_view b);
std::optional<int> compare_pep440(std::string_view a, std::string_view b);
std::optional<int> compare_maven(std::string_view a, std::string_view b);

// A node-semver range as the Node.js Security WG writes them: "<=1.5.1",
// ">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3", "^1.2.3", "~1.2", "1.x", "1.2.3 - 2.3.4", "*".
// parse() fails (nullopt) on text that is not a range.
class NpmRange {
public:
    static std::optional<NpmRange> parse(std::string_view text);
    // nullopt when version is not semver.
    std::optional<bool> contains(std::string_view version) const;

    struct Comparator {
        enum class Op { lt, le, gt, ge, eq } op = Op::eq;
        std::string version;  // full x.y.z[-pre]
    };
    // OR of ANDs; an empty AND set matches every version.
    std::vector<std::vector<Comparator>> alternatives;
};

}  // namespace wharf::scan::version
