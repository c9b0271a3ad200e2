#pragma once

// Internal to the version module: byte classes that ignore the C locale, digit-string
// comparison for numbers of any length, and the SemVer parse that semver, Go and npm ranges share.

#include <optional>
#include <string_view>
#include <vector>

namespace wharf::scan::version::detail {

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr bool is_lower(char c) noexcept {
    return c >= 'a' && c <= 'z';
}
constexpr bool is_upper(char c) noexcept {
    return c >= 'A' && c <= 'Z';
}
constexpr bool is_alpha(char c) noexcept {
    return is_lower(c) || is_upper(c);
}
constexpr bool is_alnum(char c) noexcept {
    return is_alpha(c) || is_digit(c);
}
constexpr char to_lower(char c) noexcept {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr int sign(int v) noexcept {
    return (v > 0) - (v < 0);
}

// Both all digits (possibly empty, which counts as 0): compares the numbers they spell, of any
// length, by stripping leading zeros and comparing lengths, then digits. -1, 0 or 1.
int compare_numeric(std::string_view a, std::string_view b) noexcept;
// Byte-wise like memcmp (unsigned), shorter first on a common prefix. -1, 0 or 1.
int compare_bytes(std::string_view a, std::string_view b) noexcept;

// A parsed SemVer 2.0 version; views into the parsed text. Build metadata is dropped because it
// never takes part in ordering.
struct SemVer {
    std::string_view major;
    std::string_view minor;
    std::string_view patch;
    std::vector<std::string_view> pre;
};

// "MAJOR.MINOR.PATCH[-pre][+build]" with an optional leading "v"; numbers without leading zeros
// (semver.org items 2 and 9). With `go_shorthand`, "v1" and "v1.2" (no pre-release, no build) mean
// v1.0.0 and v1.2.0 as golang.org/x/mod/semver reads them.
std::optional<SemVer> parse_semver(std::string_view text, bool go_shorthand = false);
// semver.org item 11. -1, 0 or 1.
int compare_semver(const SemVer& a, const SemVer& b) noexcept;

}  // namespace wharf::scan::version::detail
