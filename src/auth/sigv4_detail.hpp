#pragma once

// Helpers shared by the sigv4_*.cpp files; not part of the module's interface.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.hpp"
#include "common/clock.hpp"

namespace wharf::auth::sigv4::detail {

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b) noexcept;

// Trimmed, with every run of whitespace collapsed to one space (AWS's Trimall).
std::string trim_all(std::string_view value);
// Every header named `lower_name` (any case on the wire), Trimall-ed and joined with ',' in the
// order received, as the canonical request has it; nullopt when there is none.
std::optional<std::string> joined_header(std::span<const Header> headers,
                                         std::string_view lower_name);

// Percent-encodes every byte outside RFC 3986's unreserved set (upper-case hex); '/' kept when
// keep_slash, valid "%XX" escapes kept as they are when keep_escapes.
std::string uri_encode(std::string_view bytes, bool keep_slash, bool keep_escapes);

struct QueryParam {
    std::string name;   // percent-decoded ('+' stays '+'); raw when the escape is malformed
    std::string value;  // likewise
};
// Splits on '&' (empty pieces skipped) and at the first '=' of each piece.
std::vector<QueryParam> split_query(std::string_view raw_query);

// HMAC-SHA256 as 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// Client input echoed in an error message: at most `max` bytes, anything but printable ASCII
// replaced with '?', so the message is valid UTF-8 and safe to log.
std::string printable(std::string_view text, std::size_t max = 256);

// IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT"), the form of the HTTP Date header.
std::optional<TimePoint> parse_http_date(std::string_view text);

}  // namespace wharf::auth::sigv4::detail
