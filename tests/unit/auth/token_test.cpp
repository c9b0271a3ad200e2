#include "auth/token.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <string>
#include <vector>

#include "common/base64.hpp"

namespace wharf::auth {
namespace {

using namespace std::chrono_literals;

std::array<std::byte, 32> key(unsigned char fill) {
    std::array<std::byte, 32> k{};
    k.fill(std::byte{fill});
    return k;
}

const TimePoint kIssued = from_unix_millis(1'790'000'000'000);

TokenClaims claims() {
    return TokenClaims{"arn:aws:iam::123456789012:user/alice", "AKIAIOSFODNN7EXAMPLE", kIssued,
                       kIssued + 12h};
}

TEST(Token, RoundTrip) {
    const auto token = mint_token(claims(), key(1));
    auto verified = verify_token(token, key(1), kIssued + 1h);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->principal_id, claims().principal_id);
    EXPECT_EQ(verified->access_key_id, claims().access_key_id);
    EXPECT_EQ(verified->issued_at, kIssued);
    EXPECT_EQ(verified->expires_at, kIssued + 12h);
}

TEST(Token, FormatIsAsDocumented) {
    // Built independently (Python hmac/struct/base64) from the layout in token.hpp, with a key of
    // 32 bytes 0x07; also the fuzz seed tests/fuzz/corpus/sigv4/token_valid.
    const std::string token =
        "AQAAAABqsS1wAAAAAGqxSZAAJGFybjphd3M6aWFtOjoxMjM0NTY3ODkwMTI6dXNlci9hbGljZQAUQUtJQUlPU0ZP"
        "RE5ON0VYQU1QTEWM3u1FrS3fOWE_L4HVReIGDsKAlgy0gxAG4OfLfPLhGA";
    auto verified = verify_token(token, key(7), kIssued);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->principal_id, claims().principal_id);
    EXPECT_EQ(verified->access_key_id, claims().access_key_id);
    EXPECT_EQ(verified->issued_at, kIssued - 1h);
    EXPECT_EQ(verified->expires_at, kIssued + 1h);
    EXPECT_EQ(mint_token(*verified, key(7)), token);
}

TEST(Token, CompactPrintableAndFreeOfColons) {
    const auto token = mint_token(claims(), key(1));
    EXPECT_LT(token.size(), 400u);
    EXPECT_EQ(token.find(':'), std::string::npos);
    for (char c : token) {
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
    }
    // Long ids still fit comfortably.
    TokenClaims big = claims();
    big.principal_id = "arn:aws:iam::123456789012:role/" + std::string(64, 'r');
    EXPECT_LT(mint_token(big, key(1)).size(), 400u);
}

TEST(Token, KeepsWholeSeconds) {
    TokenClaims c = claims();
    c.issued_at += 999ms;
    c.expires_at += 1500ms;
    auto verified = verify_token(mint_token(c, key(1)), key(1), kIssued);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->issued_at, kIssued);
    EXPECT_EQ(verified->expires_at, kIssued + 12h + 1s);
}

TEST(Token, ExpiresAtExpiresAt) {
    const auto token = mint_token(claims(), key(1));
    EXPECT_TRUE(verify_token(token, key(1), kIssued + 12h - 1ms));
    for (auto now : {kIssued + 12h, kIssued + 13h}) {
        auto r = verify_token(token, key(1), now);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::token_expired);
        EXPECT_EQ(r.error().message,
                  "Your authorization token has expired. Reauthenticate and try again.");
    }
}

TEST(Token, WrongKeyIsUnknown) {
    auto r = verify_token(mint_token(claims(), key(1)), key(2), kIssued);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::credentials_unknown);
}

TEST(Token, EveryChangedByteIsUnknown) {
    const auto raw = *base64url_decode(mint_token(claims(), key(1)));
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::string changed = raw;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        auto r = verify_token(base64url_encode(changed), key(1), kIssued);
        ASSERT_FALSE(r) << i;
        EXPECT_EQ(r.error().code, Errc::credentials_unknown) << i;
    }
}

TEST(Token, MalformedIsUnknown) {
    const auto token = mint_token(claims(), key(1));
    const std::vector<std::string> bad = {
        "",
        "x",
        "not a token",
        token.substr(0, token.size() - 1),
        token.substr(1),
        token + "A",
        token + "=",
        base64_encode(*base64url_decode(token)),  // standard alphabet: '+' '/' '=' refused
        std::string(5000, 'A'),
        base64url_encode(std::string(53, '\0')),
    };
    for (const auto& t : bad) {
        auto r = verify_token(t, key(1), kIssued);
        ASSERT_FALSE(r) << t;
        EXPECT_EQ(r.error().code, Errc::credentials_unknown) << t;
    }
}

TEST(Token, EmptyIdsRoundTrip) {
    TokenClaims c{"", "", kIssued, kIssued + 1s};
    auto r = verify_token(mint_token(c, key(3)), key(3), kIssued);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->principal_id, "");
}

TEST(Token, ShortKeyIsAServerError) {
    const std::array<std::byte, 16> short_key{};
    EXPECT_EQ(verify_token("abc", short_key, kIssued).error().code, Errc::internal);
    EXPECT_THROW(mint_token(claims(), short_key), std::invalid_argument);
}

}  // namespace
}  // namespace wharf::auth
