#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// RFC 4648 section 4: the standard alphabet with '=' padding (what ECR's JSON blobs and Basic
// credentials use).
std::string base64_encode(std::string_view bytes);
// Strict decoding: the length is a multiple of 4, padding only at the end, no whitespace or
// line breaks, and unused trailing bits are zero, so every text has at most one decoding and
// base64_encode(*base64_decode(t)) == t. nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

// RFC 4648 section 5: the URL- and filename-safe alphabet ('-' and '_'), without padding.
std::string base64url_encode(std::string_view bytes);
// Strict like base64_decode; '=' is refused, as are lengths of 1 modulo 4.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace wharf
