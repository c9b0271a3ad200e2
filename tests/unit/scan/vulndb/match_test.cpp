// match() on real data: the bookworm fixture against Debian's records, cross-checked with an
// independent computation that uses dpkg itself; folding; language and Alpine packages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "scan/packages/packages.hpp"
#include "scan/vulndb/match.hpp"
#include "support/temp_dir.hpp"

namespace wharf::scan::vulndb {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const fs::path kData = fs::path(WHARF_VULNDB_DIR "");

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Package pkg(PackageType type, std::string name, std::string version, std::string source = "",
            std::string source_version = "") {
    Package p;
    p.type = type;
    p.name = std::move(name);
    p.version = std::move(version);
    p.source_name = std::move(source);
    p.source_version = std::move(source_version);
    return p;
}

OsRelease os(std::string id, std::string version) {
    OsRelease o;
    o.id = std::move(id);
    o.version_id = std::move(version);
    return o;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view id,
                    std::string_view package = "") {
    for (const auto& f : findings) {
        if (f.id == id && (package.empty() || f.package_name == package)) {
            return &f;
        }
    }
    return nullptr;
}

bool is_bundle(std::string_view id) {
    return id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DTSA-");
}

// Runs `dpkg --compare-versions a lt b` for every pair in one shell call.
std::map<std::pair<std::string, std::string>, bool> dpkg_less(
    const std::set<std::pair<std::string, std::string>>& pairs, const fs::path& dir) {
    const fs::path script = dir / "compare.sh";
    {
        std::ofstream out(script);
        for (const auto& [a, b] : pairs) {
            out << "dpkg --compare-versions '" << a << "' lt '" << b << "' && echo 1 || echo 0\n";
        }
    }
    std::map<std::pair<std::string, std::string>, bool> out;
    FILE* p = ::popen(("sh " + script.string()).c_str(), "r");
    EXPECT_NE(p, nullptr);
    auto it = pairs.begin();
    char line[16];
    while (p != nullptr && it != pairs.end() && std::fgets(line, sizeof line, p) != nullptr) {
        out[*it++] = line[0] == '1';
    }
    if (p != nullptr) {
        ::pclose(p);
    }
    EXPECT_EQ(out.size(), pairs.size());
    return out;
}

class MatchDebian : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new testing::TempDir();
        auto report = import_paths(dir_->path(), {kData / "debian/osv-minimal-bookworm"},
                                   "2025-03-01T00:00:00Z");
        ASSERT_TRUE(report) << report.error().message;
        db_ = new std::shared_ptr<const Database>(*open_current(dir_->path()));
    }
    static void TearDownTestSuite() {
        delete db_;
        delete dir_;
    }
    static const Database& db() { return **db_; }

    static testing::TempDir* dir_;
    static std::shared_ptr<const Database>* db_;
};
testing::TempDir* MatchDebian::dir_ = nullptr;
std::shared_ptr<const Database>* MatchDebian::db_ = nullptr;

TEST_F(MatchDebian, FixtureAgreesWithDpkg) {
    const auto packages = parse_dpkg_status(slurp(kData / "fixtures/bookworm-dpkg-status"));
    ASSERT_GT(packages.size(), 900u);
    const auto release = parse_os_release(slurp(kData / "fixtures/bookworm-os-release"));
    ASSERT_TRUE(release.has_value());

    // Independently: each record's Debian:12 entries by source name (and binary name when it
    // differs), vulnerable when there is no fix or dpkg orders the installed version below it.
    struct Entry {
        std::string id, name, fixed;  // fixed "" = none
    };
    std::vector<Entry> entries;
    for (const auto& f : fs::recursive_directory_iterator(kData / "debian/osv-minimal-bookworm")) {
        if (f.path().extension() != ".json") {
            continue;
        }
        const auto j = nlohmann::json::parse(slurp(f.path()));
        for (const auto& a : j["affected"]) {
            if (a["package"].value("ecosystem", "") != "Debian:12") {
                continue;
            }
            std::string fixed;
            for (const auto& r : a.value("ranges", nlohmann::json::array())) {
                for (const auto& e : r["events"]) {
                    if (e.contains("fixed")) {
                        fixed = e["fixed"];
                    }
                }
            }
            entries.push_back({j["id"], a["package"]["name"], fixed});
        }
    }
    std::multimap<std::string, const Entry*> by_name;
    for (const auto& e : entries) {
        by_name.emplace(e.name, &e);
    }
    struct Candidate {
        std::size_t package;
        std::string id, version, fixed;
    };
    std::vector<Candidate> candidates;
    std::set<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < packages.size(); ++i) {
        const Package& p = packages[i];
        std::vector<std::pair<std::string, std::string>> queries{
            {p.source_name.empty() ? p.name : p.source_name,
             p.source_version.empty() ? p.version : p.source_version}};
        if (!p.source_name.empty() && p.source_name != p.name) {
            queries.emplace_back(p.name, p.version);
        }
        for (const auto& [name, version] : queries) {
            for (auto [it, end] = by_name.equal_range(name); it != end; ++it) {
                candidates.push_back({i, it->second->id, version, it->second->fixed});
                if (!it->second->fixed.empty()) {
                    pairs.emplace(version, it->second->fixed);
                }
            }
        }
    }
    const auto less = dpkg_less(pairs, dir_->path());
    std::set<std::pair<std::string, std::size_t>> expected;
    for (const auto& c : candidates) {
        if (c.fixed.empty() || less.at({c.version, c.fixed})) {
            expected.emplace(c.id, c.package);
        }
    }

    auto findings = match(db(), release, packages);
    ASSERT_TRUE(findings) << findings.error().message;
    // Before folding: each finding stands for its id and the DSA/DLA folded into it.
    std::set<std::pair<std::string, std::size_t>> got;
    for (const auto& f : *findings) {
        got.emplace(f.id, f.package_index);
        if (!is_bundle(f.id)) {
            for (const auto& r : f.related) {
                if (is_bundle(r)) {
                    got.emplace(r, f.package_index);
                }
            }
        }
        EXPECT_EQ(f.ecosystem, "Debian:12");
        EXPECT_FALSE(f.uri.empty());
    }
    std::vector<std::string> missing, extra;
    for (const auto& e : expected) {
        if (!got.contains(e)) {
            missing.push_back(e.first + " " + packages[e.second].name);
        }
    }
    for (const auto& g : got) {
        if (!expected.contains(g)) {
            extra.push_back(g.first + " " + packages[g.second].name);
        }
    }
    EXPECT_THAT(missing, IsEmpty());
    EXPECT_THAT(extra, IsEmpty());
    EXPECT_GT(expected.size(), 100u);
    std::printf("fixture: %zu (advisory, package) matches, %zu findings\n", expected.size(),
                findings->size());

    // Worst first, then by id and package.
    for (std::size_t i = 1; i < findings->size(); ++i) {
        const auto& a = (*findings)[i - 1];
        const auto& b = (*findings)[i];
        ASSERT_GE(rank(a.severity.severity), rank(b.severity.severity));
        if (rank(a.severity.severity) == rank(b.severity.severity)) {
            ASSERT_LE(a.id, b.id);
        }
    }
}

TEST_F(MatchDebian, FoldsDsaIntoCveAndUsesTheSourceVersion) {
    // A binNMU-style binary of an old glibc: matched by source name and source version.
    const std::vector<Package> packages{
        pkg(PackageType::deb, "libc6", "2.36-9+deb12u2+b1", "glibc", "2.36-9+deb12u2")};
    auto findings = match(db(), os("debian", "12"), packages);
    ASSERT_TRUE(findings) << findings.error().message;
    const Finding* f = find(*findings, "CVE-2023-4911");
    ASSERT_NE(f, nullptr);
    EXPECT_THAT(f->related, ElementsAre("DSA-5514-1"));
    EXPECT_EQ(f->fixed_in, "2.36-9+deb12u3");
    EXPECT_EQ(f->package_name, "libc6");
    EXPECT_EQ(f->package_version, "2.36-9+deb12u2+b1");
    EXPECT_EQ(f->source_name, "glibc");
    EXPECT_EQ(f->severity.severity, Severity::high);  // no urgency: NVD's 7.8
    EXPECT_EQ(f->severity.source, "cvss3");
    EXPECT_EQ(f->uri, "https://access.redhat.com/errata/RHSA-2023:5453");
    EXPECT_EQ(find(*findings, "DSA-5514-1"), nullptr);  // folded, not reported twice
    // DSA-5611-1 fixes three CVEs: it is folded into each of them, never merging them.
    for (const char* cve : {"CVE-2023-6246", "CVE-2023-6779", "CVE-2023-6780"}) {
        const Finding* c = find(*findings, cve);
        ASSERT_NE(c, nullptr) << cve;
        EXPECT_THAT(c->related, ElementsAre("DSA-5611-1")) << cve;
        EXPECT_EQ(c->fixed_in, "2.36-9+deb12u4") << cve;
    }
    for (const auto& x : *findings) {
        EXPECT_FALSE(x.id.starts_with("DSA-")) << x.id;
    }
    // Urgency decides when the tracker gave one.
    const Finding* low = find(*findings, "CVE-2016-2856");
    if (low != nullptr) {
        EXPECT_EQ(low->severity.severity, Severity::low);
        EXPECT_EQ(low->severity.source, "debian");
    }
}

TEST(MatchFolding, BundleAloneOrFoldedWithTheHigherFix) {
    testing::TempDir dir, src;
    std::ofstream(src.path() / "DSA-9999-1.json") << R"({"id": "DSA-9999-1",
        "modified": "2024-01-01T00:00:00Z", "related": ["CVE-2099-1", "CVE-2099-2"],
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "foo"},
                      "ranges": [{"type": "ECOSYSTEM",
                                  "events": [{"introduced": "0"}, {"fixed": "1.0-2"}]}]}]})";
    std::ofstream(src.path() / "CVE-2099-1.json") << R"({"id": "CVE-2099-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "foo"},
                      "ranges": [{"type": "ECOSYSTEM",
                                  "events": [{"introduced": "0"}, {"fixed": "1.0-1"}]}],
                      "ecosystem_specific": {"urgency": "medium"}}]})";
    ASSERT_TRUE(import_paths(dir.path(), {src.path()}, "2025-01-01T00:00:00Z"));
    auto db = *open_current(dir.path());

    auto old = match(*db, os("debian", "12"), {pkg(PackageType::deb, "foo", "1.0-0")});
    ASSERT_TRUE(old);
    ASSERT_EQ(old->size(), 1u);
    EXPECT_EQ((*old)[0].id, "CVE-2099-1");
    EXPECT_THAT((*old)[0].related, ElementsAre("DSA-9999-1"));
    EXPECT_EQ((*old)[0].fixed_in, "1.0-2");  // the higher of the two fixes
    EXPECT_EQ((*old)[0].severity.severity, Severity::medium);
    EXPECT_EQ((*old)[0].uri, "https://security-tracker.debian.org/tracker/CVE-2099-1");

    auto newer = match(*db, os("debian", "12"), {pkg(PackageType::deb, "foo", "1.0-1")});
    ASSERT_TRUE(newer);
    ASSERT_EQ(newer->size(), 1u);
    EXPECT_EQ((*newer)[0].id, "DSA-9999-1");  // the CVE record says fixed: the DSA stands alone
    EXPECT_THAT((*newer)[0].related, ElementsAre("CVE-2099-1", "CVE-2099-2"));
    EXPECT_EQ((*newer)[0].fixed_in, "1.0-2");
    EXPECT_EQ((*newer)[0].uri, "https://osv.dev/vulnerability/DSA-9999-1");

    EXPECT_THAT(*match(*db, os("debian", "12"), {pkg(PackageType::deb, "foo", "1.0-2")}),
                IsEmpty());
}

TEST_F(MatchDebian, UnknownOsOrNoOsMatchesNothing) {
    const std::vector<Package> packages{pkg(PackageType::deb, "libc6", "2.36-9", "glibc")};
    EXPECT_THAT(*match(db(), std::nullopt, packages), IsEmpty());
    EXPECT_THAT(*match(db(), os("plan9", "4"), packages), IsEmpty());
    EXPECT_THAT(*match(db(), os("debian", "11"), packages), Not(IsEmpty()));
}

class MatchLanguages : public ::testing::Test {
protected:
    void SetUp() override {
        // A CVE record for the Go alias, so the Go finding can borrow its CVSS.
        fs::create_directories(extra_.path());
        std::ofstream(extra_.path() / "CVE-2023-45283.json") << R"({
            "id": "CVE-2023-45283", "modified": "2023-11-09T00:00:00Z",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
            "affected": [{"package": {"ecosystem": "Debian:12", "name": "golang-1.21"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]})";
        auto report = import_paths(
            dir_.path(),
            {kData / "pypi/osv-yaml", kData / "go/osv", kData / "npm/nodejs-security-wg",
             kData / "rust/osv", kData / "alpine/secdb/v3.19/main.json", extra_.path()},
            "2025-03-01T00:00:00Z");
        ASSERT_TRUE(report) << report.error().message;
        db_ = *open_current(dir_.path());
    }
    testing::TempDir dir_, extra_;
    std::shared_ptr<const Database> db_;
};

TEST_F(MatchLanguages, PyPiFoldsPysecUnderItsCve) {
    auto findings = match(*db_, std::nullopt, {pkg(PackageType::pypi, "Requests", "2.25.0")});
    ASSERT_TRUE(findings) << findings.error().message;
    const Finding* f = find(*findings, "CVE-2023-32681");
    ASSERT_NE(f, nullptr);
    EXPECT_THAT(f->related, ElementsAre("GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"));
    EXPECT_EQ(f->fixed_in, "2.31.0");
    EXPECT_EQ(f->ecosystem, "PyPI");
    EXPECT_EQ(f->package_type, PackageType::pypi);
    // Fixed before 2.25.0: not reported.
    EXPECT_EQ(find(*findings, "CVE-2018-18074"), nullptr);
    for (const auto& x : *findings) {
        EXPECT_FALSE(x.id.starts_with("PYSEC-")) << x.id;  // every PYSEC here names its CVE
    }
}

TEST_F(MatchLanguages, GoStdlibBorrowsCvssFromTheCveRecord) {
    auto findings = match(*db_, std::nullopt, {pkg(PackageType::golang, "stdlib", "1.21.3")});
    ASSERT_TRUE(findings) << findings.error().message;
    const Finding* f = find(*findings, "CVE-2023-45283");
    ASSERT_NE(f, nullptr);
    EXPECT_THAT(f->related, Contains("GO-2023-2185"));
    EXPECT_EQ(f->fixed_in, "1.21.4");
    EXPECT_EQ(f->severity.severity, Severity::high);
    EXPECT_EQ(f->severity.source, "cvss3");
    EXPECT_EQ(f->severity.score, 7.5);
    // GO-2023-2185 has a second stdlib entry for an incomplete fix: 1.21.4 needs 1.21.5.
    auto at_fix = match(*db_, std::nullopt, {pkg(PackageType::golang, "stdlib", "1.21.4")});
    ASSERT_TRUE(at_fix);
    ASSERT_NE(find(*at_fix, "CVE-2023-45283"), nullptr);
    EXPECT_EQ(find(*at_fix, "CVE-2023-45283")->fixed_in, "1.21.5");
    auto newer = match(*db_, std::nullopt, {pkg(PackageType::golang, "stdlib", "v1.21.5")});
    ASSERT_TRUE(newer);
    EXPECT_EQ(find(*newer, "CVE-2023-45283"), nullptr);
}

TEST_F(MatchLanguages, NpmNodejsWgRanges) {
    auto findings = match(*db_, std::nullopt,
                          {pkg(PackageType::npm, "bassmaster", "1.5.1"),
                           pkg(PackageType::npm, "bassmaster", "1.5.2")});
    ASSERT_TRUE(findings) << findings.error().message;
    ASSERT_EQ(findings->size(), 1u);
    const Finding& f = findings->front();
    EXPECT_EQ(f.id, "CVE-2014-7205");
    EXPECT_THAT(f.related, ElementsAre("NSWG-ECO-1"));
    EXPECT_EQ(f.package_index, 0u);
    EXPECT_EQ(f.fixed_in, "1.5.2");
    EXPECT_EQ(f.severity.severity, Severity::medium);  // CVSS 6.5
}

TEST_F(MatchLanguages, RustSecInformationalIsSkipped) {
    auto findings = match(*db_, std::nullopt,
                          {pkg(PackageType::cargo, "ansi_term", "0.12.1"),
                           pkg(PackageType::cargo, "openssl", "0.8.0")});
    ASSERT_TRUE(findings) << findings.error().message;
    for (const auto& f : *findings) {
        EXPECT_NE(f.package_name, "ansi_term") << f.id;
    }
    const Finding* f = find(*findings, "CVE-2016-10931");
    ASSERT_NE(f, nullptr);
    EXPECT_THAT(f->related, ElementsAre("GHSA-34p9-f4q3-c4r7", "RUSTSEC-2016-0001"));
}

TEST_F(MatchLanguages, AlpineByOrigin) {
    Package p = pkg(PackageType::apk, "aom-libs", "3.1.0-r0", "aom", "3.1.0-r0");
    auto findings = match(*db_, os("alpine", "3.19.1"), {p});
    ASSERT_TRUE(findings) << findings.error().message;
    const Finding* f = find(*findings, "CVE-2021-30473");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->ecosystem, "Alpine:v3.19");
    EXPECT_EQ(f->fixed_in, "3.1.1-r0");
    EXPECT_EQ(f->uri, "https://osv.dev/vulnerability/CVE-2021-30473");
    EXPECT_EQ(f->severity.severity, Severity::undefined);
    p.source_version = p.version = "3.1.1-r0";
    EXPECT_EQ(find(*match(*db_, os("alpine", "3.19.1"), {p}), "CVE-2021-30473"), nullptr);
}

TEST(Ecosystems, FromOsReleaseAndPackageType) {
    EXPECT_EQ(os_ecosystem(os("debian", "12")), "Debian:12");
    EXPECT_EQ(os_ecosystem(os("alpine", "3.19.1")), "Alpine:v3.19");
    EXPECT_EQ(os_ecosystem(os("ubuntu", "22.04")), "Ubuntu:22.04");
    EXPECT_EQ(os_ecosystem(os("rocky", "9.3")), "Rocky Linux:9");
    EXPECT_EQ(os_ecosystem(os("almalinux", "8.9")), "AlmaLinux:8");
    EXPECT_EQ(os_ecosystem(os("rhel", "9.2")), "Red Hat:9");
    OsRelease trixie = os("debian", "");
    trixie.version_codename = "trixie";
    EXPECT_EQ(os_ecosystem(trixie), "Debian:13");
    EXPECT_EQ(os_ecosystem(os("plan9", "4")), std::nullopt);
    EXPECT_EQ(os_ecosystem(os("alpine", "edge")), std::nullopt);
    EXPECT_EQ(package_ecosystem(PackageType::npm), "npm");
    EXPECT_EQ(package_ecosystem(PackageType::pypi), "PyPI");
    EXPECT_EQ(package_ecosystem(PackageType::golang), "Go");
    EXPECT_EQ(package_ecosystem(PackageType::cargo), "crates.io");
    EXPECT_EQ(package_ecosystem(PackageType::maven), "Maven");
    EXPECT_EQ(package_ecosystem(PackageType::deb), std::nullopt);
}

}  // namespace
}  // namespace wharf::scan::vulndb
