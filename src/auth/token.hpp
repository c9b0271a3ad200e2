#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace wharf::auth {

// The registry authorization token: the password (after "AWS:") of the Basic credential that
// GetAuthorizationToken hands out. Stateless: the claims travel in the token, authenticated by
// an HMAC under a server-side key, so any replica holding the key can check it.
struct TokenClaims {
    std::string principal_id;
    std::string access_key_id;
    TimePoint issued_at;   // whole seconds are kept
    TimePoint expires_at;  // whole seconds are kept
};

inline constexpr std::size_t kMinTokenKeySize = 32;

// base64url (no padding) of: version 0x01 | issued_at | expires_at (int64 big-endian unix
// seconds) | u16 length + principal_id | u16 length + access_key_id | HMAC-SHA256 of all that.
// Printable, URL-safe and free of ':'; about 75 + 4/3 * (id lengths) characters. The key must
// hold at least kMinTokenKeySize bytes and each id at most 65535 bytes (both are programmer
// errors: it throws std::invalid_argument).
std::string mint_token(const TokenClaims& claims, std::span<const std::byte> signing_key);

// Errc::credentials_unknown for anything malformed or with a bad MAC (compared in constant time),
// Errc::token_expired when now >= expires_at ("Your authorization token has expired.
// Reauthenticate and try again."), Errc::internal when the key is shorter than kMinTokenKeySize.
Result<TokenClaims> verify_token(std::string_view token, std::span<const std::byte> signing_key,
                                 TimePoint now);

}  // namespace wharf::auth
