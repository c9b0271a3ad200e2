#include "model/digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::model {
namespace {

const std::string kHex64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kHex128 =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

struct Case {
    std::string text;
    bool valid;
    std::string message_part;  // for invalid cases: a piece the message must contain
};

TEST(Digest, ParseTable) {
    std::string upper = "sha256:" + kHex64;
    upper[10] = 'E';
    const std::vector<Case> cases = {
        {"sha256:" + kHex64, true, ""},
        {"sha512:" + kHex128, true, ""},
        {"", false, "it is empty"},
        {kHex64, false, "missing ':'"},
        {"sha256:abc", false, "sha256 needs 64 lower-case hex characters, got 3"},
        {"sha256:", false, "got 0"},
        {"sha256:" + kHex64 + "0", false, "got 65"},
        {"sha512:" + kHex64, false, "sha512 needs 128 lower-case hex characters, got 64"},
        {"sha256:" + kHex128, false, "got 128"},
        {upper, false, "'E' at hex position 4 is upper case"},
        {"sha256:" + kHex64.substr(0, 63) + "g", false,
         "'g' at hex position 64 is not a hex digit"},
        {"sha256:" + kHex64.substr(0, 63) + "\n", false, "\\x0a at hex position 64"},
        {"md5:d41d8cd98f00b204e9800998ecf8427e", false, "unsupported algorithm \"md5\""},
        {"SHA256:" + kHex64, false, "unsupported algorithm \"SHA256\""},
        {"sha384:" + kHex64, false, "use sha256 or sha512"},
        {":" + kHex64, false, "unsupported algorithm \"\""},
        {"sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", false, "unsupported algorithm"},
        {"sha256:" + kHex64 + ":", false, "got 65"},
        {" sha256:" + kHex64, false, "unsupported algorithm"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto d = Digest::parse(c.text);
        EXPECT_EQ(d.has_value(), c.valid);
        if (c.valid) {
            EXPECT_EQ(d->str(), c.text);
        } else if (!d) {
            EXPECT_EQ(d.error().code, Errc::digest_invalid);
            EXPECT_NE(d.error().message.find(c.message_part), std::string::npos)
                << d.error().message;
        }
    }
}

TEST(Digest, MessageSaysWhatToFix) {
    auto d = Digest::parse("sha256:abc");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message,
              "digest \"sha256:abc\" is invalid: sha256 needs 64 lower-case hex characters, "
              "got 3");
    EXPECT_EQ(d.error().detail["digest"], "sha256:abc");
}

TEST(Digest, MessageOfHugeInputIsBounded) {
    auto d = Digest::parse(std::string(100000, 'x'));
    ASSERT_FALSE(d);
    EXPECT_LT(d.error().message.size(), 400u);
    auto nasty = Digest::parse(std::string("sha256:\xff\xfe\"", 10));
    ASSERT_FALSE(nasty);
    EXPECT_NO_THROW((void)nlohmann::json(nasty.error().detail).dump());
    EXPECT_NO_THROW((void)nlohmann::json(nasty.error().message).dump());
}

TEST(Digest, Accessors) {
    auto a = Digest::parse("sha256:" + kHex64).value();
    EXPECT_EQ(a.algorithm(), HashAlgorithm::sha256);
    EXPECT_EQ(a.hex(), kHex64);
    auto b = Digest::parse("sha512:" + kHex128).value();
    EXPECT_EQ(b.algorithm(), HashAlgorithm::sha512);
    EXPECT_EQ(b.hex(), kHex128);
}

TEST(Digest, OfAndFrom) {
    EXPECT_EQ(Digest::of("").str(), "sha256:" + kHex64);
    EXPECT_EQ(Digest::of("", HashAlgorithm::sha512).str(), "sha512:" + kHex128);
    Hasher h(HashAlgorithm::sha512);
    EXPECT_EQ(Digest::from(h), Digest::of("", HashAlgorithm::sha512));
    h.update("abc");
    EXPECT_EQ(Digest::from(h), Digest::of("abc", HashAlgorithm::sha512));
    // What we compute always parses back.
    EXPECT_EQ(Digest::parse(Digest::of("x").str()).value(), Digest::of("x"));
}

TEST(Digest, Ordering) {
    auto a = Digest::of("a");
    auto b = Digest::of("b");
    EXPECT_NE(a, b);
    EXPECT_EQ(a, Digest::of("a"));
    EXPECT_TRUE((a < b) != (b < a));
}

}  // namespace
}  // namespace wharf::model
