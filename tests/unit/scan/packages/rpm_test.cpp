#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "scan/packages/packages.hpp"
#include "support/temp_dir.hpp"
#include "rpm_blobs.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::Bytes;
using test_util::HeaderBuilder;
using test_util::kGlibc;
using test_util::kOpensslLibs;
using test_util::kPubkey;
using test_util::Librpm;

TEST(RpmHeader, ReadsHeadersWrittenByLibrpm) {
    const Librpm rpm;
    if (!rpm.available()) {
        GTEST_SKIP() << "librpm.so.9 not installed";
    }
    const Bytes blob = rpm.blob(kGlibc);
    ASSERT_GT(blob.size(), 16u);
    // The region tag comes first, as in every header rpm writes to its database.
    EXPECT_EQ(blob[8 + 3], 63);
    const auto pkg = parse_rpm_header(blob);
    ASSERT_TRUE(pkg) << pkg.error().message;
    EXPECT_EQ(pkg->type, PackageType::rpm);
    EXPECT_EQ(pkg->name, "glibc");
    EXPECT_EQ(pkg->version, "2.34-100.el9_4.2");
    EXPECT_EQ(pkg->arch, "x86_64");
    EXPECT_EQ(pkg->source_name, "glibc");
    EXPECT_EQ(pkg->source_version, "2.34-100.el9_4.2");
    EXPECT_EQ(pkg->maintainer, "Red Hat, Inc.");
    EXPECT_EQ(pkg->license, "LGPLv2+ and GPLv2+");
    EXPECT_EQ(pkg->files,
              (std::vector<std::string>{"etc/ld.so.conf", "usr/lib64/libc.so.6",
                                        "usr/lib64/libm.so.6", "usr/share/doc/glibc/README"}));

    const auto openssl = parse_rpm_header(rpm.blob(kOpensslLibs));
    ASSERT_TRUE(openssl) << openssl.error().message;
    EXPECT_EQ(openssl->version, "1:3.0.7-27.el9");
    EXPECT_EQ(openssl->source_name, "openssl");
    EXPECT_EQ(openssl->source_version, "1:3.0.7-27.el9");
}

TEST(RpmHeader, EveryTruncationOfARealHeaderFailsCleanly) {
    const Librpm rpm;
    if (!rpm.available()) {
        GTEST_SKIP() << "librpm.so.9 not installed";
    }
    const Bytes blob = rpm.blob(kGlibc);
    for (std::size_t n = 0; n < blob.size(); ++n) {
        const auto pkg = parse_rpm_header(std::span(blob).first(n));
        ASSERT_FALSE(pkg) << "accepted " << n << " of " << blob.size() << " bytes";
        EXPECT_EQ(pkg.error().code, Errc::bad_request);
    }
    // Every single-byte corruption: no crash, and any success still names a package.
    for (std::size_t i = 0; i < blob.size(); ++i) {
        Bytes bad = blob;
        bad[i] ^= 0xff;
        const auto pkg = parse_rpm_header(bad);
        if (pkg) {
            EXPECT_FALSE(pkg->name.empty());
        }
    }
}

// --- Hand-built headers: the format byte by byte, to reach cases librpm never writes. ---

TEST(RpmHeader, HandBuiltWithRegion) {
    HeaderBuilder b;
    b.string(1000, "bash");
    b.string(1001, "5.1.8");
    b.string(1002, "9.el9");
    b.string(1022, "x86_64");
    b.string(1044, "bash-5.1.8-9.el9.src.rpm");
    const auto pkg = parse_rpm_header(b.build());
    ASSERT_TRUE(pkg) << pkg.error().message;
    EXPECT_EQ(pkg->name, "bash");
    EXPECT_EQ(pkg->version, "5.1.8-9.el9");
    EXPECT_EQ(pkg->source_name, "bash");
    EXPECT_EQ(pkg->source_version, "5.1.8-9.el9");
    EXPECT_TRUE(parse_rpm_header(b.build(/*region=*/false)));
}

TEST(RpmHeader, LyingEntriesAreRefusedOrIgnored) {
    const auto base = [] {
        HeaderBuilder b;
        b.string(1000, "x");
        b.string(1001, "1");
        return b;
    };
    {  // an offset past the data
        auto b = base();
        b.raw_entry(1002, 6, 1000, 1);
        EXPECT_FALSE(parse_rpm_header(b.build()));
    }
    {  // an unknown type
        auto b = base();
        b.raw_entry(1002, 42, 0, 1);
        EXPECT_FALSE(parse_rpm_header(b.build()));
    }
    {  // a string array claiming four billion strings: no files, no huge allocation
        auto b = base();
        b.raw_entry(1117, 8, 0, 0xffffffff);
        b.raw_entry(1116, 4, 0, 0x40000000);
        const auto pkg = parse_rpm_header(b.build());
        ASSERT_TRUE(pkg);
        EXPECT_TRUE(pkg->files.empty());
    }
    {  // NAME as an int32: no name, refused
        HeaderBuilder b;
        b.raw_entry(1000, 4, 0, 1);
        b.string(1001, "1");
        EXPECT_FALSE(parse_rpm_header(b.build()));
    }
    {  // a string without its NUL at the end of the data
        HeaderBuilder b;
        b.string(1001, "1");
        auto blob = b.build(false);
        blob.pop_back();
        blob[7] -= 1;  // dl
        b.string(1000, "x");
        EXPECT_FALSE(parse_rpm_header(blob));
    }
    EXPECT_FALSE(parse_rpm_header({}));
    const Bytes huge_counts{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    EXPECT_FALSE(parse_rpm_header(huge_counts));
}

TEST(RpmHeader, BrokenRegionTrailer) {
    HeaderBuilder b;
    b.string(1000, "x");
    b.string(1001, "1");
    Bytes blob = b.build();
    ASSERT_TRUE(parse_rpm_header(blob));
    Bytes covering_too_much = blob;
    covering_too_much[covering_too_much.size() - 5] = 0x00;  // trailer offset -> -(N * 16) big
    covering_too_much[covering_too_much.size() - 8] = 0x80;
    EXPECT_FALSE(parse_rpm_header(covering_too_much));
    Bytes wrong_tag = blob;
    wrong_tag[wrong_tag.size() - 13] = 62;
    EXPECT_FALSE(parse_rpm_header(wrong_tag));
}

// --- rpmdb.sqlite ---

Bytes file_bytes(const std::filesystem::path& path) {
    const auto text = test_util::read_fixture(path.string());
    return Bytes(text.begin(), text.end());
}

// An rpmdb.sqlite the way rpm >= 4.16 creates it: WAL mode, Packages(hnum, blob).
Bytes make_rpmdb(const std::filesystem::path& path, const std::vector<Bytes>& blobs) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL;"
                           "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " blob BLOB NOT NULL);"
                           "CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL,"
                           " idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES Packages(hnum));",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, nullptr),
              SQLITE_OK);
    for (const auto& blob : blobs) {
        sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
        EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    EXPECT_EQ(sqlite3_close(db), SQLITE_OK);  // checkpoints the WAL into the main file
    return file_bytes(path);
}

TEST(RpmSqlite, ReadsAWalModeDatabase) {
    const Librpm rpm;
    if (!rpm.available()) {
        GTEST_SKIP() << "librpm.so.9 not installed";
    }
    const wharf::testing::TempDir dir;
    const Bytes db =
        make_rpmdb(dir.path() / "rpmdb.sqlite",
                   {rpm.blob(kGlibc), rpm.blob(kPubkey), rpm.blob(kOpensslLibs), Bytes{1, 2, 3}});
    ASSERT_EQ(db[18], 2);  // WAL
    const auto packages = parse_rpm_sqlite(db);
    ASSERT_TRUE(packages) << packages.error().message;
    ASSERT_EQ(packages->size(), 2u);  // the damaged row and the signing key are not packages
    EXPECT_EQ((*packages)[0].name, "glibc");
    EXPECT_EQ((*packages)[0].files.size(), 4u);
    EXPECT_EQ((*packages)[1].name, "openssl-libs");
    EXPECT_EQ((*packages)[1].version, "1:3.0.7-27.el9");
}

TEST(RpmSqlite, HandBuiltHeadersInARollbackJournalDatabase) {
    HeaderBuilder b;
    b.string(1000, "zlib");
    b.string(1001, "1.2.11");
    b.string(1002, "40.el9");
    const wharf::testing::TempDir dir;
    const auto path = dir.path() / "rpmdb.sqlite";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    const Bytes blob = b.build();
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages VALUES (1, ?)", -1, &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    const Bytes bytes = file_bytes(path);
    const auto packages = parse_rpm_sqlite(bytes);
    ASSERT_TRUE(packages) << packages.error().message;
    ASSERT_EQ(packages->size(), 1u);
    EXPECT_EQ((*packages)[0].version, "1.2.11-40.el9");
    // The file on disk is untouched by the read-only open.
    EXPECT_EQ(file_bytes(path), bytes);
}

TEST(RpmSqlite, NotADatabaseOrNoPackagesTable) {
    EXPECT_EQ(parse_rpm_sqlite({}).error().code, Errc::bad_request);
    const Bytes garbage(4096, 0x41);
    EXPECT_EQ(parse_rpm_sqlite(garbage).error().code, Errc::bad_request);

    const wharf::testing::TempDir dir;
    const auto path = dir.path() / "other.sqlite";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    const Bytes bytes = file_bytes(path);
    const auto result = parse_rpm_sqlite(bytes);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("Packages"), std::string::npos);
    // A truncated database is an error or fewer packages, never a crash.
    for (std::size_t n = 0; n < bytes.size(); n += 512) {
        (void)parse_rpm_sqlite(std::span(bytes).first(n));
    }
}

}  // namespace
}  // namespace wharf::scan
