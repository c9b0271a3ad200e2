// Tag filters: tagPatternList globs (`*` only) and tagPrefixList prefixes, each entry of a list
// matched by any of the image's tags, every entry required.
#include <algorithm>

#include "lifecycle/detail.hpp"

namespace wharf::lifecycle::detail {

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Greedy with one backtrack point (the last `*`): linear for patterns without `*`, and
    // O(pattern * text) at worst, which is bounded by ECR's short tags.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

bool tags_match(const Rule& rule, std::span<const std::string> tags) noexcept {
    switch (rule.tag_status) {
        case TagStatus::any:
            return true;
        case TagStatus::untagged:
            return tags.empty();
        case TagStatus::tagged:
            break;
    }
    if (tags.empty()) {
        return false;
    }
    for (const auto& pattern : rule.tag_patterns) {
        if (std::none_of(tags.begin(), tags.end(),
                         [&](const std::string& tag) { return glob_match(pattern, tag); })) {
            return false;
        }
    }
    for (const auto& prefix : rule.tag_prefixes) {
        if (std::none_of(tags.begin(), tags.end(),
                         [&](const std::string& tag) { return tag.starts_with(prefix); })) {
            return false;
        }
    }
    return true;
}

}  // namespace wharf::lifecycle::detail
