#include "common/secret_box.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "common/base64.hpp"

namespace wharf {
namespace {

constexpr std::string_view kCannotDecrypt = "cannot decrypt: wrong master key or corrupted value";

SecretBox box(const std::array<std::byte, 32>& key) {
    return SecretBox::from_key(key).value();
}

void expect_refused(const Result<std::string>& r, const std::string& what) {
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Errc::internal) << what;
    EXPECT_EQ(r.error().message, kCannotDecrypt) << what;
}

TEST(SecretBox, KeyMustBe32Bytes) {
    std::array<std::byte, 31> short_key{};
    std::array<std::byte, 33> long_key{};
    EXPECT_EQ(SecretBox::from_key(short_key).error().code, Errc::bad_request);
    EXPECT_EQ(SecretBox::from_key(long_key).error().code, Errc::bad_request);
    EXPECT_EQ(SecretBox::from_key({}).error().code, Errc::bad_request);
    EXPECT_TRUE(SecretBox::from_key(SecretBox::generate_key()));
}

TEST(SecretBox, GeneratedKeysDiffer) {
    EXPECT_NE(SecretBox::generate_key(), SecretBox::generate_key());
}

TEST(SecretBox, RoundTrip) {
    const auto b = box(SecretBox::generate_key());
    for (std::string plain :
         {std::string(), std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
          std::string(1000, '\0'), std::string("\xff\x00\x01", 3)}) {
        const auto sealed = b.seal(plain, "AKIDEXAMPLE");
        auto opened = b.open(sealed, "AKIDEXAMPLE");
        ASSERT_TRUE(opened);
        EXPECT_EQ(*opened, plain);
    }
}

TEST(SecretBox, SealedIsPrintableVersionedAndFresh) {
    const auto b = box(SecretBox::generate_key());
    std::set<std::string> seen;
    for (int i = 0; i < 16; ++i) {
        const auto sealed = b.seal("secret", "ad");
        EXPECT_TRUE(base64_decode(sealed));
        EXPECT_EQ((*base64_decode(sealed))[0], '\x01');
        EXPECT_EQ(base64_decode(sealed)->size(), 1u + 12 + 6 + 16);
        seen.insert(sealed);
    }
    EXPECT_EQ(seen.size(), 16u);  // a fresh nonce every time
}

TEST(SecretBox, WrongKeyOrAssociatedDataIsRefused) {
    const auto key = SecretBox::generate_key();
    const auto sealed = box(key).seal("secret", "AKID1");
    expect_refused(box(SecretBox::generate_key()).open(sealed, "AKID1"), "other key");
    expect_refused(box(key).open(sealed, "AKID2"), "other associated data");
    expect_refused(box(key).open(sealed, ""), "no associated data");
    EXPECT_TRUE(box(key).open(sealed, "AKID1"));
}

TEST(SecretBox, EveryTamperedByteIsRefused) {
    const auto b = box(SecretBox::generate_key());
    const auto raw = *base64_decode(b.seal("secret value", "ad"));
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::string changed = raw;
        changed[i] = static_cast<char>(changed[i] ^ 0x80);
        expect_refused(b.open(base64_encode(changed), "ad"), "byte " + std::to_string(i));
    }
}

TEST(SecretBox, TruncatedOrMalformedIsRefused) {
    const auto b = box(SecretBox::generate_key());
    const auto sealed = b.seal("secret value", "ad");
    const auto raw = *base64_decode(sealed);
    for (std::size_t n = 0; n < raw.size(); ++n) {
        expect_refused(b.open(base64_encode(raw.substr(0, n)), "ad"),
                       "length " + std::to_string(n));
    }
    expect_refused(b.open(base64_encode(raw + "x"), "ad"), "appended byte");
    expect_refused(b.open(sealed.substr(0, sealed.size() - 1), "ad"), "cut base64");
    expect_refused(b.open(" " + sealed, "ad"), "whitespace");
    expect_refused(b.open("", "ad"), "empty");
    expect_refused(b.open("not base64 at all!", "ad"), "garbage");
}

TEST(SecretBox, CopiesShareTheKey) {
    const auto a = box(SecretBox::generate_key());
    const SecretBox copy = a;
    EXPECT_EQ(copy.open(a.seal("x", "y"), "y").value(), "x");
}

}  // namespace
}  // namespace wharf
