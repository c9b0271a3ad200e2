// SemVer 2.0 (semver.org) for npm and crates.io, and Go module versions
// (golang.org/x/mod/semver), which are SemVer with a "v" and a few extra spellings.
#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace detail {

namespace {

// A numeric identifier: "0" or digits without a leading zero.
bool is_number(std::string_view s) {
    if (s.empty() || (s.size() > 1 && s.front() == '0')) {
        return false;
    }
    return s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_ident_char(char c) {
    return is_alnum(c) || c == '-';
}

// Splits "a.b.c" into identifiers; false when one is empty or has a byte outside [0-9A-Za-z-].
bool split_idents(std::string_view s, std::vector<std::string_view>& out) {
    for (;;) {
        const auto dot = s.find('.');
        const auto ident = s.substr(0, dot);
        if (ident.empty()) {
            return false;
        }
        for (const char c : ident) {
            if (!is_ident_char(c)) {
                return false;
            }
        }
        out.push_back(ident);
        if (dot == std::string_view::npos) {
            return true;
        }
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

std::optional<SemVer> parse_semver(std::string_view text, bool go_shorthand) {
    if (!text.empty() && text.front() == 'v') {
        text.remove_prefix(1);
    }
    std::string_view build;
    if (const auto plus = text.find('+'); plus != std::string_view::npos) {
        build = text.substr(plus + 1);
        text = text.substr(0, plus);
        std::vector<std::string_view> ignored;
        if (!split_idents(build, ignored)) {
            return std::nullopt;
        }
    }
    std::string_view pre;
    const auto hyphen = text.find('-');
    const bool has_pre = hyphen != std::string_view::npos;
    if (has_pre) {
        pre = text.substr(hyphen + 1);
        text = text.substr(0, hyphen);
    }
    SemVer v;
    std::string_view* const parts[] = {&v.major, &v.minor, &v.patch};
    std::size_t count = 0;
    for (;;) {
        const auto dot = text.find('.');
        const auto part = text.substr(0, dot);
        if (count == 3 || !is_number(part)) {
            return std::nullopt;
        }
        *parts[count++] = part;
        if (dot == std::string_view::npos) {
            break;
        }
        text.remove_prefix(dot + 1);
    }
    if (count < 3) {
        // Go's shorthand "v1", "v1.2"; never with a pre-release or build suffix.
        if (!go_shorthand || has_pre || !build.empty()) {
            return std::nullopt;
        }
        v.minor = count < 2 ? "0" : v.minor;
        v.patch = "0";
    }
    if (has_pre) {
        if (!split_idents(pre, v.pre)) {
            return std::nullopt;
        }
        for (const auto ident : v.pre) {
            if (all_digits(ident) && !is_number(ident)) {
                return std::nullopt;  // numeric identifiers have no leading zeros
            }
        }
    }
    return v;
}

int compare_semver(const SemVer& a, const SemVer& b) noexcept {
    for (const auto field : {&SemVer::major, &SemVer::minor, &SemVer::patch}) {
        if (const int r = compare_numeric(a.*field, b.*field); r != 0) {
            return r;
        }
    }
    // A pre-release is lower than its release.
    if (a.pre.empty() || b.pre.empty()) {
        return static_cast<int>(a.pre.empty()) - static_cast<int>(b.pre.empty());
    }
    const std::size_t n = std::min(a.pre.size(), b.pre.size());
    for (std::size_t i = 0; i < n; ++i) {
        const bool an = all_digits(a.pre[i]);
        const bool bn = all_digits(b.pre[i]);
        int r = 0;
        if (an && bn) {
            r = compare_numeric(a.pre[i], b.pre[i]);
        } else if (an != bn) {
            r = an ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
        } else {
            r = compare_bytes(a.pre[i], b.pre[i]);
        }
        if (r != 0) {
            return r;
        }
    }
    return (a.pre.size() > b.pre.size()) - (a.pre.size() < b.pre.size());
}

}  // namespace detail

std::optional<int> compare_semver(std::string_view a, std::string_view b) {
    const auto x = detail::parse_semver(a);
    const auto y = detail::parse_semver(b);
    if (!x || !y) {
        return std::nullopt;
    }
    return detail::compare_semver(*x, *y);
}

// Go: "v" optional (OSV writes Go versions without it), "+incompatible" is build metadata and
// so ignored, and pseudo-versions (v0.0.0-20230101120000-abcdef123456) are pre-releases whose
// timestamps order them.
std::optional<int> compare_go(std::string_view a, std::string_view b) {
    const auto x = detail::parse_semver(a, true);
    const auto y = detail::parse_semver(b, true);
    if (!x || !y) {
        return std::nullopt;
    }
    return detail::compare_semver(*x, *y);
}

}  // namespace wharf::scan::version
