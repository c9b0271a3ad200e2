// The versioned database: imports of real data (directories, single files, a .tar.xz), status,
// replacement on re-import, version retention and atomicity of a failed import.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "scan/vulndb/database.hpp"
#include "support/temp_dir.hpp"

namespace wharf::scan::vulndb {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kData = fs::path(WHARF_VULNDB_DIR "");
constexpr std::string_view kNow = "2025-03-01T12:00:00Z";

std::int64_t records_of(const Status& s, std::string_view source) {
    for (const auto& src : s.sources) {
        if (src.name == source) {
            return src.records;
        }
    }
    return -1;
}

std::vector<std::string> ids(const std::vector<Advisory>& advisories) {
    std::vector<std::string> out;
    for (const auto& a : advisories) {
        out.push_back(a.id);
    }
    return out;
}

std::vector<std::string> dir_names(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    return line;
}

void write_text(const fs::path& p, std::string_view text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

TEST(Database, EmptyBeforeTheFirstImport) {
    testing::TempDir dir;
    auto db = open_current(dir.path());
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ((*db)->status().version, 0);
    EXPECT_TRUE((*db)->lookup("Debian:12", "glibc")->empty());
    EXPECT_TRUE((*db)->by_alias("CVE-2023-4911")->empty());
}

class DatabaseImport : public ::testing::Test {
protected:
    testing::TempDir dir_;
};

TEST_F(DatabaseImport, ImportsEverySourceKind) {
    auto report = import_paths(
        dir_.path(),
        {kData / "debian/osv-minimal-bookworm", kData / "pypi/osv-yaml", kData / "go/osv",
         kData / "alpine/secdb/v3.19/main.json", kData / "go/golang-vulndb-osv-full.tar.xz",
         kData / "npm/nodejs-security-wg", kData / "rust/osv"},
        kNow);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    // 597 + 272 + 459 + 2526 (secdb) + 4291 + 467 + 171 + 115
    EXPECT_EQ(report->advisories, 597 + 272 + 459 + 2526 + 4291 + 467 + 171 + 115);
    // Files read: the tar's entries count; skipped: LICENSE.md and the two index.json.
    EXPECT_EQ(report->skipped, 3);
    const Status& s = report->status;
    EXPECT_EQ(s.version, 1);
    EXPECT_EQ(s.built_at, kNow);
    EXPECT_EQ(records_of(s, "debian-osv"), 597);
    EXPECT_EQ(records_of(s, "pypi-osv"), 272);
    EXPECT_EQ(records_of(s, "go-osv"), 4291);  // the directory's 459 are replaced by the tar's
    EXPECT_EQ(records_of(s, "alpine-secdb"), 2526);
    EXPECT_EQ(records_of(s, "nodejs-security-wg"), 467 + 171);
    EXPECT_EQ(records_of(s, "rustsec-osv"), 115);
    EXPECT_EQ(s.advisories, 597 + 272 + 4291 + 2526 + 467 + 171 + 115);
    EXPECT_GT(s.affected_rows, s.advisories);
    for (const auto& src : s.sources) {
        EXPECT_EQ(src.imported_at, kNow);
        // secdb files carry no dates
        EXPECT_EQ(src.newest_modified.empty(), src.name == "alpine-secdb") << src.name;
    }
    EXPECT_EQ(read_text(dir_.path() / "current"), "vulndb-1.sqlite");

    auto db = open_current(dir_.path());
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ((*db)->status().version, 1);
    EXPECT_EQ((*db)->status().advisories, s.advisories);

    auto glibc = (*db)->lookup("Debian:12", "glibc");
    ASSERT_TRUE(glibc) << glibc.error().message;
    EXPECT_THAT(ids(*glibc), Contains("DSA-5611-1"));
    EXPECT_THAT(ids(*glibc), Contains("CVE-2023-4911"));
    EXPECT_TRUE((*db)->lookup("Debian:11", "no-such-package")->empty());
    // Alpine entries of Debian's CVE records and the secdb's records both answer.
    EXPECT_FALSE((*db)->lookup("Alpine:v3.19", "aom")->empty());
    // PyPI names are compared in PEP 503 form.
    EXPECT_FALSE((*db)->lookup("PyPI", "Requests")->empty());
    EXPECT_EQ(ids(*(*db)->lookup("PyPI", "Requests")), ids(*(*db)->lookup("PyPI", "requests")));
    EXPECT_FALSE((*db)->lookup("Go", "stdlib")->empty());
    EXPECT_FALSE((*db)->lookup("npm", "bassmaster")->empty());

    auto by_alias = (*db)->by_alias("CVE-2023-32681");
    ASSERT_TRUE(by_alias);
    EXPECT_THAT(ids(*by_alias), Contains("PYSEC-2023-74"));
    EXPECT_THAT(ids(*(*db)->by_alias("CVE-2023-4911")), Contains("DSA-5514-1"));
    EXPECT_THAT(ids(*(*db)->by_alias("DSA-5514-1")), ElementsAre("DSA-5514-1"));
}

TEST_F(DatabaseImport, ReimportReplacesAndKeepsTwoVersions) {
    const auto bookworm = kData / "debian/osv-minimal-bookworm";
    ASSERT_TRUE(import_paths(dir_.path(), {bookworm}, kNow));
    auto v1 = open_current(dir_.path());
    ASSERT_TRUE(v1);
    const auto before = (*v1)->lookup("Debian:12", "glibc")->size();

    auto second = import_paths(dir_.path(), {bookworm, kData / "pypi/osv-yaml/requests"},
                               "2025-03-02T00:00:00Z");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->status.version, 2);
    EXPECT_EQ(records_of(second->status, "debian-osv"), 597);  // replaced, not duplicated
    EXPECT_EQ(records_of(second->status, "pypi-osv"), 5);
    EXPECT_EQ(second->status.advisories, 597 + 5);

    auto third =
        import_paths(dir_.path(), {kData / "pypi/osv-yaml/requests"}, "2025-03-03T00:00:00Z");
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_EQ(third->status.version, 3);
    EXPECT_EQ(third->status.advisories, 597 + 5);
    // Only the import that touched a source updates its time.
    for (const auto& src : third->status.sources) {
        EXPECT_EQ(src.imported_at,
                  src.name == "pypi-osv" ? "2025-03-03T00:00:00Z" : "2025-03-02T00:00:00Z");
    }
    EXPECT_THAT(dir_names(dir_.path()),
                ElementsAre("current", "import.lock", "vulndb-2.sqlite", "vulndb-3.sqlite"));

    // A reader keeps the version it opened, even after its file was pruned.
    EXPECT_EQ((*v1)->status().version, 1);
    EXPECT_EQ((*v1)->lookup("Debian:12", "glibc")->size(), before);
}

TEST_F(DatabaseImport, FailedImportLeavesCurrentUnchanged) {
    ASSERT_TRUE(import_paths(dir_.path(), {kData / "pypi/osv-yaml/requests"}, kNow));
    const auto names = dir_names(dir_.path());
    auto failed = import_paths(
        dir_.path(), {kData / "debian/osv-minimal-bookworm", dir_.path() / "does-not-exist"}, kNow);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, Errc::not_found);
    EXPECT_THAT(failed.error().message, HasSubstr("does-not-exist"));
    EXPECT_EQ(dir_names(dir_.path()), names);  // no temp file or new version left behind
    EXPECT_EQ(read_text(dir_.path() / "current"), "vulndb-1.sqlite");
    auto db = open_current(dir_.path());
    ASSERT_TRUE(db);
    EXPECT_EQ((*db)->status().version, 1);
    EXPECT_EQ((*db)->status().advisories, 5);
}

TEST_F(DatabaseImport, ProblemsAndWithdrawnRecords) {
    testing::TempDir src;
    write_text(src.path() / "good.json",
               R"({"id": "GHSA-aaaa", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-1"],
                   "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]})");
    write_text(
        src.path() / "gone.json",
        R"({"id": "GHSA-bbbb", "modified": "2024-01-02T00:00:00Z", "withdrawn": "2024-01-03T00:00:00Z",
                   "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}}]})");
    write_text(src.path() / "broken.json", R"({"id": "X", "affected": 3})");
    write_text(src.path() / "sub/not-json.json", "{");
    write_text(src.path() / "README.md", "# notes");
    auto report = import_paths(dir_.path(), {src.path()}, kNow);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->files, 5);
    EXPECT_EQ(report->advisories, 2);
    EXPECT_EQ(report->skipped, 3);
    ASSERT_EQ(report->problems.size(), 2u);
    EXPECT_THAT(report->problems[0], HasSubstr("broken.json: affected must be an array"));
    EXPECT_THAT(report->problems[1], HasSubstr("not-json.json: not valid JSON"));
    EXPECT_EQ(records_of(report->status, "osv"), 2);
    EXPECT_EQ(report->status.sources[0].newest_modified, "2024-01-02T00:00:00Z");

    auto db = open_current(dir_.path());
    ASSERT_TRUE(db);
    EXPECT_THAT(ids(*(*db)->lookup("npm", "left-pad")), ElementsAre("GHSA-aaaa"));
    EXPECT_TRUE((*db)->by_alias("GHSA-bbbb")->empty());
    EXPECT_THAT(ids(*(*db)->by_alias("CVE-2024-1")), ElementsAre("GHSA-aaaa"));
}

TEST_F(DatabaseImport, DamagedCurrentPointerIsAnError) {
    write_text(dir_.path() / "current", "vulndb-7.sqlite\n");
    auto db = open_current(dir_.path());
    ASSERT_FALSE(db);
    EXPECT_THAT(db.error().message, HasSubstr("missing"));
    write_text(dir_.path() / "current", "../../etc/passwd\n");
    EXPECT_FALSE(open_current(dir_.path()));
    EXPECT_FALSE(import_paths(dir_.path(), {kData / "pypi/osv-yaml/requests"}, kNow));
}

}  // namespace
}  // namespace wharf::scan::vulndb
