#include "auth/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "common/base64.hpp"

namespace wharf::auth {
namespace {

constexpr unsigned char kVersion = 0x01;
constexpr std::size_t kMacSize = 32;
constexpr std::size_t kMaxIdSize = 0xffff;
// version + two times + two id lengths
constexpr std::size_t kFixedSize = 1 + 8 + 8 + 2 + 2;
// Generous bound on what is worth decoding: two ids of 1 KiB each.
constexpr std::size_t kMaxTokenChars = 4096;

std::string mac(std::span<const std::byte> key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    static constexpr unsigned char kEmpty[1] = {0};
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out.data(), &len);
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((v >> shift) & 0xff));
    }
}

void put_id(std::string& out, std::string_view id) {
    out.push_back(static_cast<char>((id.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(id.size() & 0xff));
    out.append(id);
}

std::int64_t unix_seconds(TimePoint t) {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Only times mint_token could have written: milliseconds since the epoch fit in an int64.
bool representable(std::uint64_t encoded) {
    const auto s = static_cast<std::int64_t>(encoded);
    constexpr std::int64_t kLimit = INT64_MAX / 1000;
    return s <= kLimit && s >= -kLimit;
}

TimePoint from_unix_seconds(std::int64_t s) {
    return TimePoint{
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds{s})};
}

// Reads the payload after its MAC has been checked; still bounds-checks every field.
class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}
    std::optional<std::uint64_t> u64() {
        if (data_.size() < 8) {
            return std::nullopt;
        }
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) {
            v = (v << 8) | static_cast<unsigned char>(data_[i]);
        }
        data_.remove_prefix(8);
        return v;
    }
    std::optional<std::string> id() {
        if (data_.size() < 2) {
            return std::nullopt;
        }
        const std::size_t n =
            (static_cast<std::size_t>(static_cast<unsigned char>(data_[0])) << 8) |
            static_cast<unsigned char>(data_[1]);
        if (data_.size() < 2 + n) {
            return std::nullopt;
        }
        std::string out(data_.substr(2, n));
        data_.remove_prefix(2 + n);
        return out;
    }
    bool done() const { return data_.empty(); }

private:
    std::string_view data_;
};

Error unknown() {
    return Error{Errc::credentials_unknown,
                 "The security token included in the request is invalid."};
}

}  // namespace

std::string mint_token(const TokenClaims& claims, std::span<const std::byte> signing_key) {
    if (signing_key.size() < kMinTokenKeySize) {
        throw std::invalid_argument("token signing key shorter than 32 bytes");
    }
    if (claims.principal_id.size() > kMaxIdSize || claims.access_key_id.size() > kMaxIdSize) {
        throw std::invalid_argument("token claim longer than 65535 bytes");
    }
    std::string payload;
    payload.reserve(kFixedSize + claims.principal_id.size() + claims.access_key_id.size() +
                    kMacSize);
    payload.push_back(static_cast<char>(kVersion));
    put_u64(payload, static_cast<std::uint64_t>(unix_seconds(claims.issued_at)));
    put_u64(payload, static_cast<std::uint64_t>(unix_seconds(claims.expires_at)));
    put_id(payload, claims.principal_id);
    put_id(payload, claims.access_key_id);
    payload.append(mac(signing_key, payload));
    return base64url_encode(payload);
}

Result<TokenClaims> verify_token(std::string_view token, std::span<const std::byte> signing_key,
                                 TimePoint now) {
    if (signing_key.size() < kMinTokenKeySize) {
        return Error{Errc::internal, "the token signing key is shorter than 32 bytes"};
    }
    if (token.size() > kMaxTokenChars) {
        return unknown();
    }
    const auto raw = base64url_decode(token);
    if (!raw || raw->size() < kFixedSize + kMacSize ||
        static_cast<unsigned char>((*raw)[0]) != kVersion) {
        return unknown();
    }
    const std::string_view payload = std::string_view(*raw).substr(0, raw->size() - kMacSize);
    const std::string_view given = std::string_view(*raw).substr(raw->size() - kMacSize);
    const auto expected = mac(signing_key, payload);
    if (CRYPTO_memcmp(expected.data(), given.data(), kMacSize) != 0) {
        return unknown();
    }
    Reader reader(payload.substr(1));
    const auto issued = reader.u64();
    const auto expires = reader.u64();
    auto principal = reader.id();
    auto access_key = reader.id();
    if (!issued || !expires || !principal || !access_key || !reader.done() ||
        !representable(*issued) || !representable(*expires)) {
        return unknown();
    }
    TokenClaims claims{std::move(*principal), std::move(*access_key),
                       from_unix_seconds(static_cast<std::int64_t>(*issued)),
                       from_unix_seconds(static_cast<std::int64_t>(*expires))};
    if (now >= claims.expires_at) {
        return Error{Errc::token_expired,
                     "Your authorization token has expired. Reauthenticate and try again.",
                     {{"expires_at", to_rfc3339(claims.expires_at)}}};
    }
    return claims;
}

}  // namespace wharf::auth
