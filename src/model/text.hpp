#pragma once

// Helpers for the messages and grammars of wire strings, shared by the modules that parse outside
// input (model, policy, auth).

#include <cstddef>
#include <string>
#include <string_view>

namespace wharf::model::detail {

// `text` in double quotes for an error message: control and non-ASCII bytes as \xNN, quotes and
// backslashes escaped, and cut after `limit` bytes so a hostile input cannot make a huge message.
std::string quote(std::string_view text, std::size_t limit = 80);
// The same escaping without quotes or the cut note: always valid UTF-8, so safe to put in JSON.
std::string printable(std::string_view text, std::size_t limit = 256);

// One byte as a readable message fragment: 'a', or \xNN when it is not printable ASCII.
std::string describe_char(char c);

inline bool is_lower_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
inline bool is_alnum(char c) noexcept {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
inline bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
inline char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (media types and range units are case-insensitive).
bool iequals(std::string_view a, std::string_view b) noexcept;
// Without leading and trailing spaces and tabs (HTTP optional whitespace).
std::string_view trim_ows(std::string_view text) noexcept;

}  // namespace wharf::model::detail
