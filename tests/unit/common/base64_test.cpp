#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf {
namespace {

struct Vector {
    std::string bytes;
    std::string standard;
    std::string url;
};

// RFC 4648 section 10, plus bytes that differ between the two alphabets.
const std::vector<Vector> kVectors = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"\xfb\xff\xbf", "+/+/", "-_-_"},
    {std::string("\0\0\0", 3), "AAAA", "AAAA"},
    {"AWS:password", "QVdTOnBhc3N3b3Jk", "QVdTOnBhc3N3b3Jk"},
};

TEST(Base64, KnownVectors) {
    for (const auto& v : kVectors) {
        EXPECT_EQ(base64_encode(v.bytes), v.standard);
        EXPECT_EQ(base64_decode(v.standard), v.bytes) << v.standard;
        EXPECT_EQ(base64url_encode(v.bytes), v.url);
        EXPECT_EQ(base64url_decode(v.url), v.bytes) << v.url;
    }
}

TEST(Base64, EveryByteValueRoundTrips) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<char>(i));
    }
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const auto slice = all.substr(0, n);
        EXPECT_EQ(base64_decode(base64_encode(slice)), slice);
        EXPECT_EQ(base64url_decode(base64url_encode(slice)), slice);
    }
}

TEST(Base64, StrictStandardDecoding) {
    for (std::string bad : {
             "Zg",        // padding missing
             "Zg=",       // length not a multiple of 4
             "Zg===",     // too much padding
             "====",      // padding only
             "Z===",      // three '='
             "Zg==Zg==",  // padding in the middle
             "Zm9v\n",    // line break
             "Zm9 v",     // space
             " Zm9v",     // leading space
             "Zm9v\r\n",  // CRLF
             "Zm9-",      // URL alphabet
             "Zm9_",      // URL alphabet
             "Zm9\x80",   // not ASCII
             "Zh==",      // trailing bits set (canonical is Zg==)
             "Zm9=",      // trailing bits set (canonical is Zm8=)
             "A",         // 1 mod 4
         }) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
    EXPECT_FALSE(base64_decode(std::string("Zm\0v", 4)));
}

TEST(Base64, StrictUrlDecoding) {
    for (std::string bad : {"Zg==", "Zg=", "Z", "Zm9vY", "+/+/", "Zm9v\n", "Zh", "Zm9", "a b"}) {
        EXPECT_FALSE(base64url_decode(bad)) << bad;
    }
}

}  // namespace
}  // namespace wharf
