#pragma once

// Internal to the lifecycle module: the parser's pieces (one rule, the checks across rules), tag
// matching, the times a rule compares, and the wording of decisions.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifecycle/lifecycle.hpp"

namespace wharf::lifecycle::detail {

// The largest rulePriority and countNumber accepted (ECR's fields are 32-bit integers); keeps
// countNumber days in milliseconds far from overflow.
inline constexpr std::int64_t kMaxNumber = 2'147'483'647;
inline constexpr std::int64_t kDayMillis = 24LL * 60 * 60 * 1000;

// A rule as written, with its place in the document for messages.
struct ParsedRule {
    Rule rule;
    std::size_t index = 0;  // position in "rules"
};

// "rule 2 (rules[1])".
std::string rule_label(const ParsedRule& rule);

// One element of "rules": every field, then check_rule. Errc::bad_request naming the rule and the
// field.
Result<ParsedRule> parse_rule(const nlohmann::json& j, std::size_t index);
// Storage class, count type and action together (sinceImageTransitioned: archive, expire, >= 90
// days; archive only for it; sinceImagePulled: transition only).
Result<void> check_rule(const ParsedRule& rule);
// The checks across rules: unique priorities, `any` last, one untagged rule and unique prefixes
// per storage class.
Result<void> check_rules(const std::vector<ParsedRule>& rules);

// `*` matches any run of characters, also an empty one; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;
// Whether an image with these tags satisfies the rule's tagStatus and lists: every entry of the
// list is matched by at least one tag.
bool tags_match(const Rule& rule, std::span<const std::string> tags) noexcept;

// Milliseconds since the epoch of the time a rule compares.
inline std::int64_t millis(TimePoint t) noexcept {
    return t.time_since_epoch().count();
}
// imageCountMoreThan orders by, and sinceImagePushed ages from: restore time, else push time.
std::int64_t activity_millis(const ImageFacts& image) noexcept;
// sinceImagePulled ages from the latest of push, restore and pull.
std::int64_t pull_millis(const ImageFacts& image) noexcept;
// The time a since* rule ages from; false when there is none (an archived image without an
// archive time is never selected by sinceImageTransitioned).
bool since_millis(CountType type, const ImageFacts& image, std::int64_t& out) noexcept;

// Which images depend on others of the same set (by parents or subject).
struct Dependencies {
    enum class Role : std::uint8_t {
        independent,   // a rule candidate, acted on by rules alone
        tagged_child,  // listed by an index in the set and has tags: a rule candidate whose
                       // action waits until every parent is acted on
        follower,      // a referrer whose subject is in the set, or an untagged index child:
                       // not a rule candidate, follows what it depends on
    };
    std::vector<Role> role;              // empty when no image depends on another
    std::vector<std::uint32_t> begin;    // image i depends on targets[begin[i] .. begin[i + 1])
    std::vector<std::uint32_t> targets;  // present parents, then the present subject
    std::vector<std::int32_t> subject;   // index of the subject, -1 when none is present

    Role role_of(std::size_t image) const noexcept {
        return role.empty() ? Role::independent : role[image];
    }
};
Dependencies find_dependencies(std::span<const ImageFacts> images);
// Second phase of evaluate(): `decisions` hold the rules' outcomes for every image that is not a
// follower. Settles followers and holds back tagged children whose index is kept, repeating
// until nothing changes (chains such as a signature of an index's child); what is left refers to
// itself in a cycle and is kept.
void resolve_dependents(const Dependencies& dependencies, std::span<const ImageFacts> images,
                        std::vector<Decision>& decisions);

// Words of decisions. `label` is filter_label(rule): "tagged prod*", "untagged", "any", ...
std::string filter_label(const Rule& rule);
std::string_view past_tense(ActionType action) noexcept;  // "expired", "archived"
std::string_view verb(ActionType action) noexcept;        // "expire", "archive"
std::string ordinal(std::size_t n);                       // 1 -> "1st", 12 -> "12th"
// Why the rule acted: "expired by rule 1: 11th newest of tagged prod* (keeps 10)",
// "expired by rule 3: untagged, pushed 9 days ago > 7". `rank` is 0-based (count rules only).
std::string acted_reason(const Rule& rule, std::string_view label, const ImageFacts& image,
                         std::size_t rank, TimePoint now);
// Why the first rule that matched did not act: "kept: newest 10 of rule 2 (this is 3rd)",
// "kept: rule 3 selects untagged images pushed more than 7 days ago; pushed 2 days ago".
std::string kept_reason(const Rule& rule, std::string_view label, const ImageFacts& image,
                        std::size_t rank, TimePoint now);
// A higher rule matched the image, so the lower one that selects it may not act:
// "kept: protected by rule 1 (tagged prod*); rule 2 would expire it".
std::string protected_reason(const Rule& first, std::string_view first_label, const Rule& lower);

}  // namespace wharf::lifecycle::detail
