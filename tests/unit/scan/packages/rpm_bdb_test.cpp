// The Berkeley DB rpmdb (var/lib/rpm/Packages) reader, on files written by Berkeley DB itself
// (db5.3_load) and checked against rpm's own read-only backend (`rpm -qa` with bdb_ro): the
// packages it lists are the packages we read, for every page size and both byte orders.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rpm_blobs.hpp"
#include "scan/packages/packages.hpp"
#include "support/temp_dir.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::Bytes;
using test_util::HeaderBuilder;
using test_util::Librpm;
using test_util::run;

bool have(const char* tool) {
    return run(std::string("command -v ") + tool + " >/dev/null 2>&1").has_value();
}

std::string escaped(const Bytes& bytes) {  // db_load -T: every byte as \xx
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (const std::uint8_t b : bytes) {
        out += '\\';
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

Bytes instance_key(std::uint32_t n) {  // rpm writes the instance in host (little-endian) order
    return {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
            static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)};
}

// <dir>/Packages as rpm < 4.16 keeps it: instance 0 holds the next instance, 1..n the headers.
Bytes make_packages(const std::filesystem::path& dir, const std::vector<Bytes>& headers,
                    const std::string& options) {
    std::filesystem::create_directories(dir);
    {
        std::ofstream in(dir / "load.txt");
        in << escaped(instance_key(0)) << '\n'
           << escaped(instance_key(static_cast<std::uint32_t>(headers.size() + 1))) << '\n';
        for (std::size_t i = 0; i < headers.size(); ++i) {
            in << escaped(instance_key(static_cast<std::uint32_t>(i + 1))) << '\n'
               << escaped(headers[i]) << '\n';
        }
    }
    const auto loaded = run("db5.3_load -T -t hash " + options + " -f " +
                            (dir / "load.txt").string() + " " + (dir / "Packages").string());
    EXPECT_TRUE(loaded) << "db5.3_load " << options;
    const auto text = test_util::read_fixture((dir / "Packages").string());
    return Bytes(text.begin(), text.end());
}

// What rpm itself lists from the database: "name epoch:version-release" lines.
std::set<std::string> rpm_lists(const std::filesystem::path& dir) {
    const auto out = run("rpm --dbpath " + dir.string() +
                         " --define '_db_backend bdb_ro' -qa"
                         " --qf '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n'"
                         " 2>/dev/null");
    EXPECT_TRUE(out) << "rpm -qa on " << dir;
    std::set<std::string> lines;
    std::istringstream text(out.value_or(""));
    for (std::string line; std::getline(text, line);) {
        if (!line.empty()) {
            lines.insert(line);
        }
    }
    return lines;
}

std::set<std::string> listed(const std::vector<Package>& packages) {
    std::set<std::string> lines;
    for (const Package& p : packages) {
        lines.insert(p.name + " " + p.version);
    }
    return lines;
}

const std::vector<Librpm::Spec>& specs() {
    static const std::vector<Librpm::Spec> all = [] {
        std::vector<Librpm::Spec> out{test_util::kGlibc, test_util::kOpensslLibs,
                                      test_util::kPubkey};
        // Enough headers, and headers big enough, to fill several hash buckets and chain many
        // overflow pages on the smallest page size.
        static std::vector<std::string> names;
        static std::vector<std::string> files;
        names.reserve(40);
        files.reserve(400);
        for (int i = 0; i < 40; ++i) {
            names.push_back("pkg" + std::to_string(i));
        }
        for (int i = 0; i < 400; ++i) {
            files.push_back("file-with-a-long-enough-name-" + std::to_string(i));
        }
        for (int i = 0; i < 40; ++i) {
            Librpm::Spec s{names[i].c_str(), i % 3 == 0 ? std::optional<std::uint32_t>(i) : std::nullopt,
                           "1.0", "1.el7", "x86_64", nullptr, {"/usr/share/pkg/"}, {}, {}};
            for (int f = 0; f < (i % 4) * 100; ++f) {
                s.bases.push_back(files[f].c_str());
                s.indexes.push_back(0);
            }
            out.push_back(std::move(s));
        }
        return out;
    }();
    return all;
}

class RpmBdb : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (!rpm_.available() || !have("db5.3_load") || !have("rpm")) {
            GTEST_SKIP() << "needs librpm.so.9, db5.3_load (db5.3-util) and rpm";
        }
    }
    std::vector<Bytes> headers() const {
        std::vector<Bytes> out;
        for (const auto& s : specs()) {
            out.push_back(rpm_.blob(s));
        }
        return out;
    }
    Librpm rpm_;
};

TEST_P(RpmBdb, ReadsWhatRpmLists) {
    const wharf::testing::TempDir dir;
    const Bytes db = make_packages(dir.path(), headers(), GetParam());
    const auto packages = parse_rpm_bdb(db);
    ASSERT_TRUE(packages) << packages.error().message;
    const auto expected = rpm_lists(dir.path());
    ASSERT_EQ(expected.size(), specs().size());  // rpm lists the signing key; we do not
    auto without_key = expected;
    std::erase_if(without_key, [](const std::string& l) { return l.starts_with("gpg-pubkey "); });
    EXPECT_EQ(listed(*packages), without_key);
    // In instance order, with the files the headers name.
    EXPECT_EQ((*packages)[0].name, "glibc");
    EXPECT_EQ((*packages)[0].files.size(), 4u);
    EXPECT_EQ((*packages)[1].version, "1:3.0.7-27.el9");
    EXPECT_EQ((*packages)[2 + 3].files.size(), 300u);  // pkg3: the fourth built package
}

INSTANTIATE_TEST_SUITE_P(PageSizesAndByteOrders, RpmBdb,
                         ::testing::Values("-c db_pagesize=512", "-c db_pagesize=4096",
                                           "-c db_pagesize=65536",
                                           "-c db_pagesize=1024 -c db_lorder=4321",
                                           "-c db_pagesize=16384 -c db_lorder=4321"),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(RpmBdbSmall, ValuesStoredOnTheHashPageItself) {
    if (!have("db5.3_load")) {
        GTEST_SKIP() << "needs db5.3_load (db5.3-util)";
    }
    // Small hand-built headers fit on the hash page (H_KEYDATA), no overflow chain.
    std::vector<Bytes> headers;
    for (const char* name : {"zlib", "bash", "tzdata"}) {
        HeaderBuilder b;
        b.string(1000, name);
        b.string(1001, "1.0");
        b.string(1002, "2.el8");
        headers.push_back(b.build());
    }
    const wharf::testing::TempDir dir;
    const Bytes db = make_packages(dir.path(), headers, "-c db_pagesize=4096");
    const auto packages = parse_rpm_bdb(db);
    ASSERT_TRUE(packages) << packages.error().message;
    EXPECT_EQ(listed(*packages),
              (std::set<std::string>{"zlib 1.0-2.el8", "bash 1.0-2.el8", "tzdata 1.0-2.el8"}));
}

TEST(RpmBdbSmall, RefusesWhatItDoesNotRead) {
    EXPECT_EQ(parse_rpm_bdb({}).error().code, Errc::bad_request);
    const Bytes zeros(4096, 0);
    EXPECT_NE(parse_rpm_bdb(zeros).error().message.find("magic"), std::string::npos);
    if (!have("db5.3_load")) {
        GTEST_SKIP() << "needs db5.3_load (db5.3-util)";
    }
    HeaderBuilder b;
    b.string(1000, "x");
    b.string(1001, "1");
    const wharf::testing::TempDir dir;
    const Bytes checksummed = make_packages(dir.path() / "a", {b.build()}, "-c chksum=1");
    EXPECT_NE(parse_rpm_bdb(checksummed).error().message.find("checksum"), std::string::npos);
    const Bytes btree = [&] {
        const auto path = dir.path() / "b";
        std::filesystem::create_directories(path);
        std::ofstream(path / "load.txt") << "k\nv\n";
        EXPECT_TRUE(run("db5.3_load -T -t btree -f " + (path / "load.txt").string() + " " +
                        (path / "Packages").string()));
        const auto text = test_util::read_fixture((path / "Packages").string());
        return Bytes(text.begin(), text.end());
    }();
    EXPECT_FALSE(parse_rpm_bdb(btree));
    Bytes odd_page = make_packages(dir.path() / "c", {b.build()}, "");
    odd_page[20] = 0x00;  // page size 768 (little-endian): not a power of two
    odd_page[21] = 0x03;
    EXPECT_NE(parse_rpm_bdb(odd_page).error().message.find("page size"), std::string::npos);
    // Cut inside its 4096-byte metadata page (found by the fuzzer: the page count was 0).
    const Bytes whole = make_packages(dir.path() / "d", {b.build()}, "-c db_pagesize=4096");
    EXPECT_NE(parse_rpm_bdb(std::span(whole).first(689)).error().message.find("metadata page"),
              std::string::npos);
}

class RpmBdbDamage : public RpmBdb {};

TEST_F(RpmBdbDamage, TruncationsAndCorruptionsFailCleanly) {
    const wharf::testing::TempDir dir;
    const Librpm& rpm = rpm_;
    const Bytes db =
        make_packages(dir.path(), {rpm.blob(test_util::kGlibc), rpm.blob(test_util::kOpensslLibs)},
                      "-c db_pagesize=512");
    ASSERT_EQ(parse_rpm_bdb(db).value().size(), 2u);
    // A copy cut short keeps the packages whose pages it still has; never a crash.
    for (std::size_t n = 0; n <= db.size(); n += 64) {
        const auto r = parse_rpm_bdb(std::span(db).first(n));
        if (r) {
            EXPECT_LE(r->size(), 2u);
        }
    }
    // Every single-byte corruption: no crash, no hang, and what is read still names packages.
    for (std::size_t i = 0; i < db.size(); ++i) {
        Bytes bad = db;
        bad[i] ^= 0xa5;
        const auto r = parse_rpm_bdb(bad);
        if (r) {
            EXPECT_LE(r->size(), 2u);
            for (const Package& p : *r) {
                EXPECT_FALSE(p.name.empty());
            }
        }
    }
}

TEST_F(RpmBdbDamage, AnOverflowChainThatLoopsWithoutDataEnds) {
    const wharf::testing::TempDir dir;
    const Bytes db = make_packages(dir.path(), {rpm_.blob(specs()[5])}, "-c db_pagesize=512");
    ASSERT_EQ(parse_rpm_bdb(db).value().size(), 1u);  // pkg3, 300 files: a long chain
    const std::size_t pages = db.size() / 512;
    // Every overflow page points back at itself and claims to hold nothing: following the chain
    // would never gather the value's length.
    Bytes looped = db;
    std::size_t overflow_pages = 0;
    for (std::size_t n = 1; n < pages; ++n) {
        auto* page = &looped[n * 512];
        if (page[25] == 7) {
            ++overflow_pages;
            for (int b = 0; b < 4; ++b) {
                page[16 + b] = static_cast<std::uint8_t>(n >> (8 * b));
            }
            page[22] = 0;
            page[23] = 0;
        }
    }
    ASSERT_GT(overflow_pages, 1u);
    const auto r = parse_rpm_bdb(looped);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace wharf::scan
