// The source readers on real files from /work/shared/vulndb (see its SOURCES.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "scan/vulndb/advisory.hpp"

namespace wharf::scan::vulndb {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kData = fs::path(WHARF_VULNDB_DIR "");

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    EXPECT_TRUE(in) << p;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const Affected* entry(const Advisory& a, std::string_view ecosystem) {
    for (const auto& e : a.affected) {
        if (e.ecosystem == ecosystem) {
            return &e;
        }
    }
    return nullptr;
}

TEST(ParseOsvJson, DebianCveWithUrgencyAndCvss) {
    auto a =
        parse_osv_json(slurp(kData / "debian/osv-minimal-bookworm/CVE/2016/CVE-2016-2856.json"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "CVE-2016-2856");
    EXPECT_THAT(a->cvss_v3, ElementsAre("CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
    EXPECT_EQ(a->modified, "2024-11-21T02:48:57Z");
    // A CVE record's related[] (USN, UBUNTU-CVE) is not an alias.
    EXPECT_TRUE(a->aliases.empty());
    const Affected* bookworm = entry(*a, "Debian:12");
    ASSERT_NE(bookworm, nullptr);
    EXPECT_EQ(bookworm->name, "glibc");
    EXPECT_EQ(bookworm->urgency, "low");
    ASSERT_EQ(bookworm->ranges.size(), 1u);
    EXPECT_EQ(bookworm->ranges[0].type, "ECOSYSTEM");
    ASSERT_EQ(bookworm->ranges[0].events.size(), 2u);
    EXPECT_EQ(bookworm->ranges[0].events[0].introduced, "0");
    EXPECT_FALSE(bookworm->ranges[0].events[1].fixed.empty());
}

TEST(ParseOsvJson, DebianCveKeepsEveryReleaseAndDropsPackagelessGitEntries) {
    auto a =
        parse_osv_json(slurp(kData / "debian/osv-minimal-bookworm/CVE/2023/CVE-2023-4911.json"));
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_EQ(a->affected.size(), 3u);  // Debian:11, 12, 13; the GIT-only entry has no package
    EXPECT_EQ(entry(*a, "Debian:12")->ranges[0].events[1].fixed, "2.36-9+deb12u3");
    EXPECT_EQ(entry(*a, "Debian:12")->urgency, "not yet assigned");
    EXPECT_THAT(entry(*a, "Debian:12")->versions, Contains("2.36-9+deb12u2"));
    ASSERT_FALSE(a->references.empty());
    EXPECT_EQ(a->references.front(), "https://access.redhat.com/errata/RHSA-2023:5453");
    EXPECT_THAT(a->details, HasSubstr("GLIBC_TUNABLES"));
}

TEST(ParseOsvJson, DsaRelatedBecomeAliases) {
    auto a = parse_osv_json(slurp(kData / "debian/osv-minimal-bookworm/DSA/2024/DSA-5611-1.json"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "DSA-5611-1");
    EXPECT_THAT(a->aliases, ElementsAre("CVE-2023-6246", "CVE-2023-6779", "CVE-2023-6780"));
    EXPECT_EQ(a->summary, "glibc - security update");
    ASSERT_EQ(a->affected.size(), 1u);
    EXPECT_EQ(a->affected[0].ecosystem, "Debian:12");
    EXPECT_EQ(a->affected[0].ranges[0].events[1].fixed, "2.36-9+deb12u4");
}

TEST(ParseOsvJson, GoRecord) {
    auto a = parse_osv_json(slurp(kData / "go/osv/GO-2023-2185.json"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "GO-2023-2185");
    EXPECT_THAT(a->aliases, ElementsAre("CVE-2023-45283"));
    EXPECT_TRUE(a->cvss_v3.empty());  // the Go vulndb carries no severity
    // Two stdlib entries: the fix, and the incomplete fix's follow-up.
    ASSERT_EQ(a->affected.size(), 2u);
    const Affected* stdlib = &a->affected[0];
    EXPECT_EQ(stdlib->name, "stdlib");
    EXPECT_EQ(a->affected[1].ranges[0].events[3].fixed, "1.21.5");
    EXPECT_EQ(stdlib->ecosystem, "Go");
    ASSERT_EQ(stdlib->ranges.size(), 1u);
    EXPECT_EQ(stdlib->ranges[0].type, "SEMVER");
    ASSERT_EQ(stdlib->ranges[0].events.size(), 4u);
    EXPECT_EQ(stdlib->ranges[0].events[2].introduced, "1.21.0-0");
    EXPECT_EQ(stdlib->ranges[0].events[3].fixed, "1.21.4");
}

TEST(ParseOsvJson, RustSecInformational) {
    auto a = parse_osv_json(slurp(kData / "rust/osv/RUSTSEC-2021-0139.json"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->informational, "unmaintained");
    ASSERT_EQ(a->affected.size(), 1u);
    EXPECT_EQ(a->affected[0].ecosystem, "crates.io");
    EXPECT_EQ(a->affected[0].name, "ansi_term");

    auto vuln = parse_osv_json(slurp(kData / "rust/osv/RUSTSEC-2016-0001.json"));
    ASSERT_TRUE(vuln) << vuln.error().message;
    EXPECT_EQ(vuln->informational, "");  // "informational": null
    EXPECT_THAT(vuln->cvss_v3, ElementsAre("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"));
}

TEST(ParseOsvYaml, PyPaRecord) {
    auto a = parse_osv_yaml(slurp(kData / "pypi/osv-yaml/requests/PYSEC-2023-74.yaml"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "PYSEC-2023-74");
    EXPECT_THAT(a->aliases, ElementsAre("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"));
    ASSERT_EQ(a->affected.size(), 1u);
    EXPECT_EQ(a->affected[0].ecosystem, "PyPI");
    EXPECT_EQ(a->affected[0].name, "requests");
    ASSERT_EQ(a->affected[0].ranges.size(), 2u);
    EXPECT_EQ(a->affected[0].ranges[0].type, "GIT");
    EXPECT_EQ(a->affected[0].ranges[1].type, "ECOSYSTEM");
    EXPECT_EQ(a->affected[0].ranges[1].events[0].introduced, "2.3.0");
    EXPECT_EQ(a->affected[0].ranges[1].events[1].fixed, "2.31.0");
}

TEST(ParseOsvYaml, ScalarsStayText) {
    // An unquoted 1.10 must not become the number 1.1.
    auto a = parse_osv_yaml(R"(id: X-1
affected:
- package: {name: p, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: 0
    - fixed: 1.10
  versions: [1.0, 1.00]
)");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->affected[0].ranges[0].events[0].introduced, "0");
    EXPECT_EQ(a->affected[0].ranges[0].events[1].fixed, "1.10");
    EXPECT_THAT(a->affected[0].versions, ElementsAre("1.0", "1.00"));
}

TEST(ParseOsvYaml, EveryPyPaFileParses) {
    int n = 0;
    for (const auto& f : fs::recursive_directory_iterator(kData / "pypi/osv-yaml")) {
        if (f.path().extension() == ".yaml") {
            auto a = parse_osv_yaml(slurp(f.path()));
            EXPECT_TRUE(a) << f.path() << ": " << a.error().message;
            ++n;
        }
    }
    EXPECT_EQ(n, 272);
}

TEST(ParseOsv, RefusesMalformedRecordsNamingTheField) {
    struct {
        const char* text;
        const char* field;
    } cases[] = {
        {"[]", "JSON object"},
        {"{}", "id"},
        {R"({"id": 7})", "id"},
        {R"({"id": "X", "aliases": "CVE-1"})", "aliases"},
        {R"({"id": "X", "affected": {}})", "affected"},
        {R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": 1}}]})",
         "affected[0].package.name"},
        {R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]})",
         "affected[0].ranges[0].events[0]"},
        {R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
             "ranges": [{"type": "SEMVER", "events": [{"fixed": 1}]}]}]})",
         "affected[0].ranges[0].events[0].fixed"},
        {R"({"id": "X", "severity": [{"type": "CVSS_V3", "score": 9.8}]})", "severity[0].score"},
        {"{not json", "JSON"},
    };
    for (const auto& c : cases) {
        auto a = parse_osv_json(c.text);
        ASSERT_FALSE(a) << c.text;
        EXPECT_EQ(a.error().code, Errc::bad_request);
        EXPECT_THAT(a.error().message, HasSubstr(c.field)) << c.text;
    }
    EXPECT_FALSE(parse_osv_yaml("id: [unclosed"));
    EXPECT_FALSE(parse_osv_yaml("a: &x [1]\nb: *x\n- c"));
}

TEST(ParseAlpineSecdb, OneAdvisoryPerCveAndPackage) {
    auto all = parse_alpine_secdb(slurp(kData / "alpine/secdb/v3.19/main.json"));
    ASSERT_TRUE(all) << all.error().message;
    // Counted independently: per package, the distinct first words of the secfixes entries
    // listed under a version other than "0".
    EXPECT_EQ(all->size(), 2526u);
    const Advisory* aom = nullptr;
    for (const auto& a : *all) {
        if (a.id == "CVE-2021-30473" && a.affected[0].name == "aom") {
            aom = &a;
        }
        ASSERT_EQ(a.affected.size(), 1u);
        EXPECT_EQ(a.affected[0].ecosystem, "Alpine:v3.19");
    }
    ASSERT_NE(aom, nullptr);
    ASSERT_EQ(aom->affected[0].ranges.size(), 1u);
    EXPECT_EQ(aom->affected[0].ranges[0].events[0].introduced, "0");
    EXPECT_EQ(aom->affected[0].ranges[0].events[1].fixed, "3.1.1-r0");
}

TEST(ParseAlpineSecdb, FixedZeroMeansNeverAffected) {
    auto all = parse_alpine_secdb(R"J({"distroversion": "v3.19", "packages": [
        {"pkg": {"name": "a", "secfixes": {"0": ["CVE-2020-1"], "1.2-r0": ["CVE-2020-2 (x)"]}}},
        {"pkg": {"name": "b"}}]})J");
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].id, "CVE-2020-2");
    EXPECT_FALSE(parse_alpine_secdb(R"({"packages": []})"));
    EXPECT_FALSE(parse_alpine_secdb(R"({"distroversion": "v3.19", "packages": [{"pkg": 1}]})"));
}

TEST(ParseNodejsWg, NpmAdvisory) {
    auto a = parse_nodejs_wg(slurp(kData / "npm/nodejs-security-wg/npm/1.json"), "1", false);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "NSWG-ECO-1");
    EXPECT_THAT(a->aliases, ElementsAre("CVE-2014-7205"));
    EXPECT_THAT(a->cvss_v3, ElementsAre("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N"));
    ASSERT_EQ(a->affected.size(), 1u);
    EXPECT_EQ(a->affected[0].ecosystem, "npm");
    EXPECT_EQ(a->affected[0].name, "bassmaster");
    EXPECT_EQ(a->affected[0].ranges[0].npm_vulnerable, "<=1.5.1");
    EXPECT_EQ(a->affected[0].ranges[0].npm_patched, ">=1.5.2");
}

TEST(ParseNodejsWg, CoreAdvisory) {
    auto a = parse_nodejs_wg(slurp(kData / "npm/nodejs-security-wg/core/1.json"), "1", true);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->id, "NSWG-CORE-1");
    ASSERT_EQ(a->affected.size(), 1u);
    EXPECT_EQ(a->affected[0].name, "node");
    EXPECT_FALSE(a->affected[0].ranges[0].npm_vulnerable.empty());
}

TEST(ParseNodejsWg, EveryFileParses) {
    for (const auto* kind : {"npm", "core"}) {
        int n = 0;
        for (const auto& f : fs::directory_iterator(kData / "npm/nodejs-security-wg" / kind)) {
            const std::string stem = f.path().stem().string();
            if (stem == "index") {
                continue;  // the WG's own index, not an advisory
            }
            auto a = parse_nodejs_wg(slurp(f.path()), stem, std::string_view(kind) == "core");
            EXPECT_TRUE(a) << f.path() << ": " << a.error().message;
            ++n;
        }
        EXPECT_EQ(n, std::string_view(kind) == "npm" ? 467 : 171) << kind;
    }
}

TEST(ParseOsvJson, EveryGoAndRustFileParses) {
    for (const auto* dir : {"go/osv", "rust/osv", "debian/osv-minimal-bookworm"}) {
        int n = 0;
        for (const auto& f : fs::recursive_directory_iterator(kData / dir)) {
            if (f.path().extension() == ".json") {
                auto a = parse_osv_json(slurp(f.path()));
                EXPECT_TRUE(a) << f.path() << ": " << a.error().message;
                ++n;
            }
        }
        EXPECT_GT(n, 100) << dir;
    }
}

}  // namespace
}  // namespace wharf::scan::vulndb
