#include "registry/mutability.hpp"

#include <fmt/format.h>

namespace wharf::registry {

bool wildcard_match(std::string_view pattern, std::string_view text) {
    // Iterative glob with backtracking to the last '*': linear in practice, no recursion.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

Result<void> validate_mutability(std::string_view mutability,
                                 const std::vector<std::string>& filters) {
    const bool with_exclusion =
        mutability == "IMMUTABLE_WITH_EXCLUSION" || mutability == "MUTABLE_WITH_EXCLUSION";
    if (!with_exclusion && mutability != "MUTABLE" && mutability != "IMMUTABLE") {
        return Error{Errc::bad_request,
                     fmt::format("Invalid parameter at 'imageTagMutability' failed to satisfy "
                                 "constraint: 'Member must satisfy enum value set: [MUTABLE, "
                                 "IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]' "
                                 "(got '{}')",
                                 mutability)};
    }
    if (!with_exclusion) {
        if (!filters.empty()) {
            return Error{Errc::bad_request,
                         fmt::format("imageTagMutabilityExclusionFilters can only be used with "
                                     "IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not {}",
                                     mutability)};
        }
        return ok();
    }
    if (filters.empty() || filters.size() > 5) {
        return Error{Errc::bad_request,
                     fmt::format("{} requires between 1 and 5 imageTagMutabilityExclusionFilters "
                                 "(got {})",
                                 mutability, filters.size())};
    }
    for (const auto& f : filters) {
        bool valid = !f.empty() && f.size() <= 128;
        for (char c : f) {
            valid =
                valid && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '*' || c == '-');
        }
        if (!valid) {
            return Error{Errc::bad_request,
                         fmt::format("exclusion filter '{}' must be 1-128 characters of "
                                     "[0-9a-zA-Z._*-]",
                                     f)};
        }
    }
    return ok();
}

bool tag_is_immutable(const storage::RepositorySettings& settings, std::string_view tag) {
    const auto& m = settings.tag_mutability;
    if (m == "MUTABLE") {
        return false;
    }
    if (m == "IMMUTABLE") {
        return true;
    }
    bool matched = false;
    for (const auto& f : settings.mutability_exclusions) {
        matched = matched || wildcard_match(f, tag);
    }
    return m == "IMMUTABLE_WITH_EXCLUSION" ? !matched : matched;
}

}  // namespace wharf::registry
