// NpmRange: every range the Node.js Security WG wrote parses; table cases for each operator; and,
// when node is installed, agreement with node-semver's satisfies(includePrerelease) over every
// advisory range and the versions around their bounds.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/version/version.hpp"
#include "support/temp_dir.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using Op = NpmRange::Comparator::Op;

std::vector<std::string> advisory_ranges() {
    std::set<std::string> out;
    const auto dir = testing::kVulnDb / "npm" / "nodejs-security-wg" / "npm";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        const auto doc = nlohmann::json::parse(testing::read_text(entry.path()), nullptr, false);
        for (const char* key : {"vulnerable_versions", "patched_versions"}) {
            if (doc.is_object() && doc.contains(key) && doc[key].is_string()) {
                out.insert(doc[key].get<std::string>());
            }
        }
    }
    return {out.begin(), out.end()};
}

TEST(NpmRange, EveryAdvisoryRangeParses) {
    const auto ranges = advisory_ranges();
    ASSERT_GT(ranges.size(), 400u) << "npm fixtures missing under " << testing::kVulnDb;
    for (const auto& r : ranges) {
        EXPECT_TRUE(NpmRange::parse(r).has_value()) << "'" << r << "'";
    }
}

struct Case {
    const char* range;
    const char* version;
    bool expected;
};

TEST(NpmRange, Table) {
    const Case cases[] = {
        {"<=1.5.1", "1.5.1", true},
        {"<=1.5.1", "1.5.2", false},
        {">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3", "2.1.3", true},
        {">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3", "2.1.4", false},
        {">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3", "3.0.0", true},
        {">=2.0.0 <2.1.4 || >=3.0.0 <3.0.3", "1.9.9", false},
        {"< 2.0.5", "2.0.4", true},  // space after the operator
        {"<1.6.5 || < 2.1.7 > 2.0.0", "2.1.0", true},
        {"<1.6.5 || < 2.1.7 > 2.0.0", "1.9.0", false},
        {"=3.0.0-rc.1", "3.0.0-rc.1", true},
        {"=3.0.0-rc.1", "3.0.0", false},
        {"3.7.2", "3.7.2", true},
        {"3.7.2", "v3.7.2", true},
        {"3.7.2", "3.7.3", false},
        {"<=v2.0.0-alpha7", "2.0.0-alpha6", true},
        {"<=v2.0.0-alpha7", "2.0.0-alpha8", false},
        // caret: changes that keep the left-most non-zero part
        {"^1.2.3", "1.2.3", true},
        {"^1.2.3", "1.9.0", true},
        {"^1.2.3", "2.0.0", false},
        {"^1.2.3", "2.0.0-0", false},
        {"^1.2.3", "1.2.2", false},
        {"^0.2.3", "0.2.9", true},
        {"^0.2.3", "0.3.0", false},
        {"^0.0.3", "0.0.3", true},
        {"^0.0.3", "0.0.4", false},
        {"^1.2", "1.2.0-beta", true},  // includePrerelease: the lower bound is 1.2.0-0
        {"^1.x", "1.0.0", true},
        {"^1.x", "2.0.0", false},
        {"^5.0.0-beta.5", "5.0.0-beta.6", true},
        {"^5.0.0-beta.5", "5.0.0-beta.4", false},
        // tilde: patch-level changes
        {"~1.2.3", "1.2.9", true},
        {"~1.2.3", "1.3.0", false},
        {"~1.2", "1.2.0", true},
        {"~1.2", "1.3.0", false},
        {"~1", "1.9.9", true},
        {"~1", "2.0.0", false},
        {"~>1.2.3", "1.2.5", true},
        {"~0.8.0-pre", "0.8.0-pre", true},
        {"~0.8.0-pre", "0.8.5", true},
        {"~0.8.0-pre", "0.9.0", false},
        // x-ranges
        {"1.x", "1.0.0", true},
        {"1.x", "1.99.0", true},
        {"1.x", "2.0.0", false},
        {"2.0.x || 2.1.x", "2.1.7", true},
        {"2.0.x || 2.1.x", "2.2.0", false},
        {"1.2.*", "1.2.5", true},
        {"1.2.X", "1.3.0", false},
        {"*", "0.0.1", true},
        {"*", "999.0.0-alpha", true},
        {"x", "1.0.0", true},
        {"", "1.0.0", true},
        {">= 1.x", "1.0.0", true},
        {">= 1.x", "0.9.0", false},
        {">= 2.2.x", "2.2.0", true},
        {">1", "1.9.9", false},
        {">1", "2.0.0", true},
        {">1.2", "1.3.0", true},
        {">1.2", "1.2.9", false},
        {"<=1.2", "1.2.9", true},
        {"<=1.2", "1.3.0", false},
        {"<= 1.0", "1.0.5", true},
        {"<1.2", "1.1.9", true},
        {"<1.2", "1.2.0-0", false},
        {"<3.11 || >= 4 <4.5", "4.4.9", true},
        {"<3.11 || >= 4 <4.5", "3.11.0", false},
        {">*", "1.0.0", false},
        {"<x", "0.0.0", false},
        // hyphen ranges: inclusive; an X on the right is exclusive of the next part
        {"1.2.3 - 2.3.4", "1.2.3", true},
        {"1.2.3 - 2.3.4", "2.3.4", true},
        {"1.2.3 - 2.3.4", "2.3.5", false},
        {"1.2.3 - 2.3.4", "1.2.2", false},
        {"1.2 - 2.3", "2.3.9", true},
        {"1.2 - 2.3", "2.4.0", false},
        {"1.2 - 2", "2.9.9", true},
        {"1.2 - 2", "3.0.0", false},
        // prereleases are matched like any version (npm audit's includePrerelease)
        {"<2.0.0", "2.0.0-beta", true},
        {">=1.0.0 <2.0.0", "1.5.0-rc.1", true},
        // "||" with an empty side is everything, as in node-semver
        {"1.0.0 ||", "5.0.0", true},
        {"<0.0.0", "0.0.0", false},
        {"<0.0.0", "0.0.0-0", true},
    };
    for (const auto& c : cases) {
        const auto range = NpmRange::parse(c.range);
        ASSERT_TRUE(range.has_value()) << "'" << c.range << "'";
        EXPECT_EQ(range->contains(c.version), c.expected) << "'" << c.range << "' " << c.version;
    }
}

TEST(NpmRange, Desugars) {
    const auto caret = NpmRange::parse("^1.2.3").value();
    ASSERT_EQ(caret.alternatives.size(), 1u);
    ASSERT_EQ(caret.alternatives[0].size(), 2u);
    EXPECT_EQ(caret.alternatives[0][0].op, Op::ge);
    EXPECT_EQ(caret.alternatives[0][0].version, "1.2.3");
    EXPECT_EQ(caret.alternatives[0][1].op, Op::lt);
    EXPECT_EQ(caret.alternatives[0][1].version, "2.0.0-0");

    const auto any = NpmRange::parse("*").value();
    ASSERT_EQ(any.alternatives.size(), 1u);
    EXPECT_TRUE(any.alternatives[0].empty());

    const auto big = NpmRange::parse("~99999999999999999999.9").value();
    EXPECT_EQ(big.alternatives[0][1].version, "99999999999999999999.10.0-0");
    const auto carry = NpmRange::parse("^9.9.9").value();
    EXPECT_EQ(carry.alternatives[0][1].version, "10.0.0-0");
}

TEST(NpmRange, NotRanges) {
    for (const char* bad :
         {"abc", "1.2.3.4", ">=a", "^", "~", "<>1.0.0", "1.2.3 - ", "01.2.3", ">=1.0.0 || foo",
          "1.0.0-", "1.0.0 -- 2.0.0", "=>1.0.0", "1.x.3", "x.1", ">=1.x.3"}) {
        EXPECT_EQ(NpmRange::parse(bad), std::nullopt) << "'" << bad << "'";
    }
}

TEST(NpmRange, ContainsRefusesNonSemver) {
    const auto range = NpmRange::parse(">=1.0.0").value();
    EXPECT_EQ(range.contains("1.0"), std::nullopt);
    EXPECT_EQ(range.contains("latest"), std::nullopt);
}

// Versions around every bound the advisories mention: the bound, its neighbours, prereleases.
std::vector<std::string> probe_versions(const std::vector<std::string>& ranges) {
    std::set<std::string> out = {"0.0.0", "0.0.1", "0.1.0", "1.0.0", "99.0.0", "0.0.0-0"};
    const std::regex version(R"((\d+)\.(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?)");
    for (const auto& r : ranges) {
        for (std::sregex_iterator it(r.begin(), r.end(), version), end; it != end; ++it) {
            const auto& m = *it;
            const long M = std::stol(m[1]);
            const long mi = std::stol(m[2]);
            const long p = m[3].matched ? std::stol(m[3]) : 0;
            const auto v = [](long a, long b, long c) {
                return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
            };
            out.insert(v(M, mi, p));
            out.insert(v(M, mi, p) + (m[4].matched ? m[4].str() : "-beta.1"));
            out.insert(v(M, mi, p) + "-0");
            out.insert(v(M, mi, p + 1));
            out.insert(v(M, mi + 1, 0));
            out.insert(v(M + 1, 0, 0));
            out.insert(v(M + 1, 0, 0) + "-rc.1");
            if (p > 0) {
                out.insert(v(M, mi, p - 1));
            }
        }
    }
    return {out.begin(), out.end()};
}

TEST(NpmRange, AgreesWithNodeSemver) {
    const std::string semver_js = "/usr/lib/node_modules/npm/node_modules/semver";
    if (!testing::have("node") || !std::filesystem::exists(semver_js)) {
        GTEST_SKIP() << "node or npm's bundled semver missing; cannot cross-check NpmRange";
    }
    auto ranges = advisory_ranges();
    for (const char* extra : {"^1.2.3",
                              "^0.2.3",
                              "^0.0.3",
                              "^1.2",
                              "~1.2",
                              "~1",
                              "1.x",
                              "1.2.*",
                              "1.2.3 - 2.3.4",
                              "1.2 - 2",
                              "1.2.3-beta.1 - 2.0.0-rc.1",
                              ">1",
                              "<=1.2",
                              ">*",
                              "^0.0.3-beta",
                              "^0.2.3-beta",
                              "~1.2.3-rc.1",
                              "^0.x",
                              "^0.0.x",
                              "<1.2.x",
                              ">=1.2.x <2.x",
                              "1.x.3",
                              "~1.x.3",
                              "~ 1.2.3",
                              "^ 1.2",
                              "> = 1.0.0",
                              "1.2.3-rc.1",
                              "<=1.2.3-0"}) {
        ranges.emplace_back(extra);
    }
    const auto versions = probe_versions(ranges);
    wharf::testing::TempDir dir;
    testing::write_text(dir.path() / "ranges.json", nlohmann::json(ranges).dump());
    testing::write_text(dir.path() / "versions.json", nlohmann::json(versions).dump());
    testing::write_text(
        dir.path() / "oracle.js",
        "const semver = require(process.argv[2]);\n"
        "const fs = require('fs');\n"
        "const ranges = JSON.parse(fs.readFileSync(process.argv[3]));\n"
        "const versions = JSON.parse(fs.readFileSync(process.argv[4]));\n"
        "const out = [];\n"
        "for (const r of ranges) {\n"
        "  let range = null;\n"
        "  try { range = new semver.Range(r, {includePrerelease: true}); } catch (e) {}\n"
        "  out.push(versions.map(v => range === null ? '!' : range.test(v) ? '1' : "
        "'0').join(''));\n"
        "}\n"
        "console.log(out.join('\\n'));\n");
    const auto out = testing::run("node '" + (dir.path() / "oracle.js").string() + "' '" +
                                  semver_js + "' '" + (dir.path() / "ranges.json").string() +
                                  "' '" + (dir.path() / "versions.json").string() + "'");
    ASSERT_TRUE(out.has_value()) << "node failed";
    const auto rows = testing::lines(*out);
    ASSERT_EQ(rows.size(), ranges.size());
    std::size_t checked = 0;
    std::size_t disagreements = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto range = NpmRange::parse(ranges[i]);
        if (rows[i].starts_with("!")) {
            EXPECT_FALSE(range.has_value()) << "node-semver refuses '" << ranges[i] << "'";
            continue;
        }
        ASSERT_TRUE(range.has_value()) << "'" << ranges[i] << "'";
        for (std::size_t j = 0; j < versions.size(); ++j) {
            ++checked;
            const bool expected = rows[i][j] == '1';
            if (range->contains(versions[j]) != expected) {
                ++disagreements;
                ADD_FAILURE() << "'" << ranges[i] << "' contains " << versions[j]
                              << ": node-semver says " << expected;
            }
        }
    }
    EXPECT_EQ(disagreements, 0u);
    std::cout << "[ npm ] " << ranges.size() << " ranges x " << versions.size()
              << " versions = " << checked << " checks, " << disagreements << " disagreements\n";
}

}  // namespace
}  // namespace wharf::scan::version
