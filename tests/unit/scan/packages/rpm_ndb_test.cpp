// The ndb rpmdb (Packages.db, SUSE) reader. No tool on Debian writes ndb (Debian's rpm is built
// without it), so these files are laid out here the way rpm's lib/backend/ndb/rpmpkg.c writes
// them; the reader was also checked by hand against a real SLES 15 SP3 Packages.db (35 packages,
// the same names and versions as go-rpmdb's expected list), which is not committed.
#include <gtest/gtest.h>
#include <zlib.h>

#include "rpm_blobs.hpp"
#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::Bytes;
using test_util::HeaderBuilder;

void put32(Bytes& out, std::size_t at, std::uint32_t v) {
    for (int b = 0; b < 4; ++b) {
        out[at + b] = static_cast<std::uint8_t>(v >> (8 * b));
    }
}

// Packages.db with one 4096-byte slot page per 254 packages (the header takes two slots) and
// each blob in its 16-byte blocks, Adler-32 over head, blob and padding.
Bytes make_ndb(const std::vector<Bytes>& blobs, std::size_t slot_pages = 1) {
    Bytes out(slot_pages * 4096, 0);
    put32(out, 0, 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24);
    put32(out, 8, 7);  // generation
    put32(out, 12, static_cast<std::uint32_t>(slot_pages));
    put32(out, 16, static_cast<std::uint32_t>(blobs.size() + 1));
    for (std::size_t at = 32; at < out.size(); at += 16) {
        put32(out, at, 'S' | 'l' << 8 | 'o' << 16 | 't' << 24);
    }
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        const auto& blob = blobs[i];
        const std::size_t blocks = (16 + blob.size() + 12 + 15) / 16;
        const std::size_t start = out.size();
        out.resize(start + blocks * 16, 0);
        const auto index = static_cast<std::uint32_t>(i + 1);
        put32(out, start, 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24);
        put32(out, start + 4, index);
        put32(out, start + 8, 1700000000);
        put32(out, start + 12, static_cast<std::uint32_t>(blob.size()));
        std::copy(blob.begin(), blob.end(), out.begin() + static_cast<std::ptrdiff_t>(start + 16));
        const std::size_t tail = start + blocks * 16 - 12;
        const auto sum = adler32(adler32(0, nullptr, 0), out.data() + start,
                                 static_cast<uInt>(tail - start));
        put32(out, tail, static_cast<std::uint32_t>(sum));
        put32(out, tail + 4, static_cast<std::uint32_t>(blob.size()));
        put32(out, tail + 8, 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24);
        const std::size_t slot = 32 + 16 * i;
        put32(out, slot + 4, index);
        put32(out, slot + 8, static_cast<std::uint32_t>(start / 16));
        put32(out, slot + 12, static_cast<std::uint32_t>(blocks));
    }
    return out;
}

Bytes header(const char* name, const char* version) {
    HeaderBuilder b;
    b.string(1000, name);
    b.string(1001, version);
    b.string(1002, "150300.1");
    b.string(1022, "x86_64");
    return b.build();
}

std::vector<std::string> names(const std::vector<Package>& packages) {
    std::vector<std::string> out;
    for (const Package& p : packages) {
        out.push_back(p.name + " " + p.version);
    }
    return out;
}

TEST(RpmNdb, ReadsEveryBlobInIndexOrder) {
    const Bytes db = make_ndb({header("bash", "4.4"), header("glibc", "2.31"),
                               header("gpg-pubkey", "39db7c82"), header("zlib", "1.2.11")});
    const auto packages = parse_rpm_ndb(db);
    ASSERT_TRUE(packages) << packages.error().message;
    EXPECT_EQ(names(*packages), (std::vector<std::string>{"bash 4.4-150300.1",
                                                          "glibc 2.31-150300.1",
                                                          "zlib 1.2.11-150300.1"}));
}

TEST(RpmNdb, ReadsHeadersWrittenByLibrpmAcrossSlotPages) {
    const test_util::Librpm rpm;
    if (!rpm.available()) {
        GTEST_SKIP() << "librpm.so.9 not installed";
    }
    const Bytes db = make_ndb({rpm.blob(test_util::kGlibc), rpm.blob(test_util::kOpensslLibs)}, 3);
    const auto packages = parse_rpm_ndb(db);
    ASSERT_TRUE(packages) << packages.error().message;
    ASSERT_EQ(packages->size(), 2u);
    EXPECT_EQ((*packages)[0].files.size(), 4u);
    EXPECT_EQ((*packages)[1].version, "1:3.0.7-27.el9");
}

TEST(RpmNdb, ABlobThatDoesNotCheckOutIsSkipped) {
    const Bytes good = make_ndb({header("bash", "4.4"), header("zlib", "1.2.11")});
    const std::size_t second_blob = 16 * static_cast<std::size_t>(good[32 + 16 + 8] |
                                                                  good[32 + 16 + 9] << 8);
    {  // one flipped byte inside the blob: the Adler-32 no longer matches
        Bytes bad = good;
        bad[second_blob + 20] ^= 1;
        EXPECT_EQ(names(parse_rpm_ndb(bad).value()),
                  (std::vector<std::string>{"bash 4.4-150300.1"}));
    }
    {  // a slot pointing past the end of the file
        Bytes bad = good;
        put32(bad, 32 + 16 + 8, 0x00ffffff);
        EXPECT_EQ(parse_rpm_ndb(bad).value().size(), 1u);
    }
    {  // a slot pointing into the slot pages
        Bytes bad = good;
        put32(bad, 32 + 16 + 8, 4);
        EXPECT_EQ(parse_rpm_ndb(bad).value().size(), 1u);
    }
    {  // a blob that names another package index
        Bytes bad = good;
        put32(bad, second_blob + 4, 9);
        EXPECT_EQ(parse_rpm_ndb(bad).value().size(), 1u);
    }
    {  // a block count that does not fit the blob's length
        Bytes bad = good;
        put32(bad, 32 + 16 + 12, good[32 + 16 + 12] + 1u);
        EXPECT_EQ(parse_rpm_ndb(bad).value().size(), 1u);
    }
}

TEST(RpmNdb, RefusesWhatIsNotNdb) {
    EXPECT_EQ(parse_rpm_ndb({}).error().code, Errc::bad_request);
    const Bytes good = make_ndb({header("bash", "4.4")});
    Bytes bad = good;
    bad[0] = 'X';
    EXPECT_NE(parse_rpm_ndb(bad).error().message.find("magic"), std::string::npos);
    bad = good;
    put32(bad, 4, 1);
    EXPECT_NE(parse_rpm_ndb(bad).error().message.find("version"), std::string::npos);
    bad = good;
    put32(bad, 12, 1000);
    EXPECT_NE(parse_rpm_ndb(bad).error().message.find("slot page count"), std::string::npos);
    bad = good;
    put32(bad, 4096 - 16, 0);  // the last slot of the page lost its magic
    EXPECT_NE(parse_rpm_ndb(bad).error().message.find("slot magic"), std::string::npos);
}

TEST(RpmNdb, TruncationsAndCorruptionsFailCleanly) {
    const Bytes db = make_ndb({header("bash", "4.4"), header("zlib", "1.2.11")});
    for (std::size_t n = 0; n <= db.size(); ++n) {
        const auto r = parse_rpm_ndb(std::span(db).first(n));
        if (r) {
            EXPECT_LE(r->size(), 2u);
        }
    }
    for (std::size_t i = 0; i < db.size(); ++i) {
        Bytes bad = db;
        bad[i] ^= 0x5a;
        const auto r = parse_rpm_ndb(bad);
        if (r) {
            EXPECT_LE(r->size(), 2u);
        }
    }
}

}  // namespace
}  // namespace wharf::scan
