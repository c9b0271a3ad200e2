// affects(): the OSV evaluation algorithm, as a table.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "scan/vulndb/match.hpp"

namespace wharf::scan::vulndb {
namespace {

RangeEvent ev(char kind, std::string v) {
    RangeEvent e;
    switch (kind) {
        case 'i':
            e.introduced = std::move(v);
            break;
        case 'f':
            e.fixed = std::move(v);
            break;
        case 'l':
            e.last_affected = std::move(v);
            break;
        default:
            e.limit = std::move(v);
            break;
    }
    return e;
}

Range range(std::string type, std::vector<RangeEvent> events) {
    Range r;
    r.type = std::move(type);
    r.events = std::move(events);
    return r;
}

Affected affected(std::string ecosystem, std::vector<Range> ranges,
                  std::vector<std::string> versions = {}) {
    Affected a;
    a.ecosystem = std::move(ecosystem);
    a.name = "p";
    a.ranges = std::move(ranges);
    a.versions = std::move(versions);
    return a;
}

struct Case {
    const char* what;
    Affected entry;
    const char* version;
    std::optional<bool> want;
    const char* fixed_in;
};

TEST(Affects, Table) {
    const Affected debian =
        affected("Debian:12", {range("ECOSYSTEM", {ev('i', "0"), ev('f', "2.36-9+deb12u4")})});
    const Affected unfixed = affected("Debian:12", {range("ECOSYSTEM", {ev('i', "0")})});
    const Affected go_multi = affected(
        "Go", {range("SEMVER",
                     {ev('i', "0"), ev('f', "1.20.11"), ev('i', "1.21.0-0"), ev('f', "1.21.4")})});
    const Affected unsorted = affected(
        "Go", {range("SEMVER",
                     {ev('f', "1.21.4"), ev('i', "1.21.0-0"), ev('f', "1.20.11"), ev('i', "0")})});
    const Affected last = affected("PyPI", {range("ECOSYSTEM", {ev('i', "1.0"), ev('l', "1.4")})});
    const Affected limit =
        affected("crates.io", {range("SEMVER", {ev('i', "0"), ev('x', "2.0.0")})});
    const Affected two_ranges =
        affected("PyPI", {range("ECOSYSTEM", {ev('i', "1.0"), ev('f', "1.2")}),
                          range("ECOSYSTEM", {ev('i', "2.0"), ev('f', "2.0.5")})});
    const Affected git_only = affected(
        "PyPI", {range("GIT", {ev('i', "0"), ev('f', "74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5")})},
        {"2.5.0"});
    const Affected git_and_eco =
        affected("PyPI", {range("GIT", {ev('i', "0"), ev('f', "abc")}),
                          range("ECOSYSTEM", {ev('i', "2.3.0"), ev('f', "2.31.0")})});
    const Affected versions_only = affected("npm", {}, {"1.0.0", "1.0.1"});
    const Affected alpine =
        affected("Alpine:v3.19", {range("ECOSYSTEM", {ev('i', "0"), ev('f', "3.1.1-r0")})});
    const Affected zero_width =
        affected("PyPI", {range("ECOSYSTEM", {ev('f', "1.0"), ev('i', "1.0")})});
    const Affected unknown_eco =
        affected("Hackage", {range("ECOSYSTEM", {ev('i', "0"), ev('f', "1")})});

    const Case cases[] = {
        {"dpkg below fix", debian, "2.36-9+deb12u3", true, "2.36-9+deb12u4"},
        {"dpkg at fix", debian, "2.36-9+deb12u4", false, ""},
        {"dpkg above fix", debian, "2.36-9+deb12u10", false, ""},
        {"dpkg epoch", debian, "1:2.0-1", false, ""},
        {"introduced 0, never fixed", unfixed, "9:99", true, ""},
        {"first interval", go_multi, "1.20.10", true, "1.20.11"},
        {"between intervals", go_multi, "1.20.11", false, ""},
        {"between intervals, not yet reintroduced", go_multi, "1.20.99", false, ""},
        {"second interval", go_multi, "1.21.3", true, "1.21.4"},
        {"second interval, prerelease", go_multi, "1.21.0-rc.1", true, "1.21.4"},
        {"go v prefix", go_multi, "v1.21.3", true, "1.21.4"},
        {"after last fix", go_multi, "1.22.0", false, ""},
        {"unsorted events", unsorted, "1.21.3", true, "1.21.4"},
        {"unsorted events, fixed", unsorted, "1.20.11", false, ""},
        {"unsorted events, first", unsorted, "1.0.0", true, "1.20.11"},
        {"last_affected inclusive", last, "1.4", true, ""},
        {"last_affected above", last, "1.4.1", false, ""},
        {"before introduced", last, "0.9", false, ""},
        {"limit", limit, "1.9.9", true, ""},
        {"at limit", limit, "2.0.0", false, ""},
        {"second range", two_ranges, "2.0.1", true, "2.0.5"},
        {"between ranges", two_ranges, "1.5", false, ""},
        {"pep440 order", two_ranges, "1.1.0", true, "1.2"},
        {"GIT ignored, versions[] used", git_only, "2.5.0", true, ""},
        {"GIT ignored", git_only, "2.6.0", false, ""},
        {"GIT beside ECOSYSTEM", git_and_eco, "2.25.0", true, "2.31.0"},
        {"GIT beside ECOSYSTEM, fixed", git_and_eco, "2.31.0", false, ""},
        {"versions[] exact", versions_only, "1.0.1", true, ""},
        {"versions[] only exact strings", versions_only, "1.0.2", false, ""},
        {"apk below fix", alpine, "3.1.0-r1", true, "3.1.1-r0"},
        {"apk at fix", alpine, "3.1.1-r0", false, ""},
        {"introduced and fixed at one version", zero_width, "1.0", false, ""},
        {"unknown ecosystem", unknown_eco, "0.5", std::nullopt, ""},
        {"not a version of the scheme", go_multi, "not-a-version", std::nullopt, ""},
    };
    for (const auto& c : cases) {
        std::string fixed = "unset";
        const auto got = affects(c.entry, c.version, &fixed);
        EXPECT_EQ(got, c.want) << c.what;
        if (got.value_or(false)) {
            EXPECT_EQ(fixed, c.fixed_in) << c.what;
        }
    }
}

TEST(Affects, NpmRangeStrings) {
    Affected a;
    a.ecosystem = "npm";
    a.name = "bassmaster";
    Range r;
    r.type = "SEMVER";
    r.npm_vulnerable = ">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3";
    r.npm_patched = ">=2.1.4 <3.0.0 || >=3.0.3";
    a.ranges.push_back(r);
    std::string fixed;
    EXPECT_EQ(affects(a, "2.1.0", &fixed), true);
    EXPECT_EQ(fixed, "2.1.4");
    EXPECT_EQ(affects(a, "3.0.1", &fixed), true);
    EXPECT_EQ(fixed, "3.0.3");
    EXPECT_EQ(affects(a, "2.1.4"), false);
    EXPECT_EQ(affects(a, "1.9.9"), false);
    EXPECT_EQ(affects(a, "4.0.0"), false);

    a.ranges[0].npm_vulnerable = "<=1.5.1";
    a.ranges[0].npm_patched = "";
    EXPECT_EQ(affects(a, "1.5.1", &fixed), true);
    EXPECT_EQ(fixed, "");
}

}  // namespace
}  // namespace wharf::scan::vulndb
