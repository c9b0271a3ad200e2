// Wildcard patterns of Action, Resource, StringLike and ArnLike, and the small text helpers the
// rest of the module shares.
#include <fmt/format.h>

#include "policy/detail.hpp"

namespace wharf::policy::detail {
namespace {

bool same_char(char pattern, char value, bool ignore_case) noexcept {
    return pattern == (ignore_case ? to_lower(value) : value);
}

// Iterative glob with single backtracking point: O(|pattern| * |value|) in the worst case, no
// recursion and no allocation.
bool glob_match(std::string_view p, std::string_view s, bool ignore_case) noexcept {
    std::size_t pi = 0;
    std::size_t si = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < p.size() && (p[pi] == '?' || same_char(p[pi], s[si], ignore_case))) {
            ++pi;
            ++si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') {
        ++pi;
    }
    return pi == p.size();
}

bool equal_text(std::string_view pattern, std::string_view value, bool ignore_case) noexcept {
    if (pattern.size() != value.size()) {
        return false;
    }
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (!same_char(pattern[i], value[i], ignore_case)) {
            return false;
        }
    }
    return true;
}

}  // namespace

Glob make_glob(std::string_view pattern, bool ignore_case) {
    Glob g;
    g.ignore_case = ignore_case;
    g.text.reserve(pattern.size());
    for (char c : pattern) {
        g.text.push_back(ignore_case ? to_lower(c) : c);
    }
    const auto first_wild = g.text.find_first_of("*?");
    if (first_wild == std::string::npos) {
        g.kind = Glob::Kind::literal;
    } else if (g.text.find_first_not_of('*') == std::string::npos) {
        g.kind = Glob::Kind::any;
        g.text.clear();
    } else if (first_wild == g.text.size() - 1 && g.text.back() == '*') {
        g.kind = Glob::Kind::prefix;
        g.text.pop_back();
    } else {
        g.kind = Glob::Kind::pattern;
    }
    return g;
}

bool matches(const Glob& glob, std::string_view value) noexcept {
    switch (glob.kind) {
        case Glob::Kind::any:
            return true;
        case Glob::Kind::literal:
            return equal_text(glob.text, value, glob.ignore_case);
        case Glob::Kind::prefix:
            return value.size() >= glob.text.size() &&
                   equal_text(glob.text, value.substr(0, glob.text.size()), glob.ignore_case);
        case Glob::Kind::pattern:
            return glob_match(glob.text, value, glob.ignore_case);
    }
    return false;
}

bool split_arn(std::string_view arn, std::array<std::string_view, 6>& parts) noexcept {
    for (std::size_t i = 0; i < 5; ++i) {
        const auto colon = arn.find(':');
        if (colon == std::string_view::npos) {
            return false;
        }
        parts[i] = arn.substr(0, colon);
        arn.remove_prefix(colon + 1);
    }
    parts[5] = arn;
    return true;
}

ArnPattern make_arn_pattern(std::string_view pattern) {
    ArnPattern out;
    std::array<std::string_view, 6> parts;
    if (split_arn(pattern, parts)) {
        for (const auto part : parts) {
            out.parts.push_back(make_glob(part, false));
        }
    } else {
        out.parts.push_back(make_glob(pattern, false));
    }
    return out;
}

bool matches(const ArnPattern& pattern, std::string_view value) noexcept {
    if (pattern.parts.size() != 6) {
        return !pattern.parts.empty() && matches(pattern.parts.front(), value);
    }
    std::array<std::string_view, 6> parts;
    if (!split_arn(value, parts)) {
        return false;
    }
    for (std::size_t i = 0; i < 6; ++i) {
        if (!matches(pattern.parts[i], parts[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace wharf::policy::detail
