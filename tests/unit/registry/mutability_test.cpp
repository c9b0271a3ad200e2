// ECR tag mutability rules: wildcard filters, validation of settings, which tags are frozen.
#include "registry/mutability.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace wharf::registry {
namespace {

struct WildcardCase {
    std::string pattern;
    std::string text;
    bool matches;
};

void PrintTo(const WildcardCase& c, std::ostream* os) {
    *os << "'" << c.pattern << "' ~ '" << c.text << "'";
}

class WildcardMatch : public ::testing::TestWithParam<WildcardCase> {};

TEST_P(WildcardMatch, Table) {
    const auto& c = GetParam();
    EXPECT_EQ(wildcard_match(c.pattern, c.text), c.matches)
        << "pattern '" << c.pattern << "' text '" << c.text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WildcardMatch,
    ::testing::Values(
        // empty pattern matches only the empty text
        WildcardCase{"", "", true}, WildcardCase{"", "a", false},
        // '*' alone matches anything, including nothing
        WildcardCase{"*", "", true}, WildcardCase{"*", "latest", true},
        WildcardCase{"**", "x", true}, WildcardCase{"***", "", true},
        // literal
        WildcardCase{"latest", "latest", true}, WildcardCase{"latest", "latest2", false},
        WildcardCase{"latest", "atest", false}, WildcardCase{"latest", "LATEST", false},
        WildcardCase{"a.b", "aXb", false}, WildcardCase{"a.b", "a.b", true},
        // prefix / suffix
        WildcardCase{"dev-*", "dev-1", true}, WildcardCase{"dev-*", "dev-", true},
        WildcardCase{"dev-*", "dev", false}, WildcardCase{"dev-*", "prod-dev-1", false},
        WildcardCase{"*-rc", "1.0-rc", true}, WildcardCase{"*-rc", "1.0-rc1", false},
        WildcardCase{"*-rc", "-rc", true},
        // several stars, with backtracking
        WildcardCase{"a*b*c", "abc", true}, WildcardCase{"a*b*c", "aXXbYYc", true},
        WildcardCase{"a*b*c", "acb", false}, WildcardCase{"a*b*c", "aXbYcZ", false},
        WildcardCase{"*a*", "bab", true}, WildcardCase{"*a*", "bbb", false},
        WildcardCase{"*ab", "aab", true}, WildcardCase{"a*a*a", "aaa", true},
        WildcardCase{"a*a*a", "aa", false}, WildcardCase{"v*-*-final", "v1-2-3-final", true},
        // no '?' semantics: it is a literal character
        WildcardCase{"v?", "v1", false}, WildcardCase{"v?", "v?", true},
        WildcardCase{"?*", "a", false}));

struct ValidateCase {
    std::string name;
    std::string mutability;
    std::vector<std::string> filters;
    std::optional<std::string> error_part;  // nullopt: valid
};

void PrintTo(const ValidateCase& c, std::ostream* os) {
    *os << c.name;
}

class ValidateMutability : public ::testing::TestWithParam<ValidateCase> {};

TEST_P(ValidateMutability, Table) {
    const auto& c = GetParam();
    auto result = validate_mutability(c.mutability, c.filters);
    if (!c.error_part) {
        EXPECT_TRUE(result) << result.error().message;
        return;
    }
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::bad_request);
    EXPECT_NE(result.error().message.find(*c.error_part), std::string::npos)
        << result.error().message;
}

const std::string k128(128, 'a');
const std::string k129(129, 'a');
const std::string kEnum = "[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]";
const std::string kOneToFive = "between 1 and 5";

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateMutability,
    ::testing::Values(
        ValidateCase{"Mutable", "MUTABLE", {}, std::nullopt},
        ValidateCase{"Immutable", "IMMUTABLE", {}, std::nullopt},
        ValidateCase{"ImmutableWithOne", "IMMUTABLE_WITH_EXCLUSION", {"latest"}, std::nullopt},
        ValidateCase{"MutableWithOne", "MUTABLE_WITH_EXCLUSION", {"release-*"}, std::nullopt},
        ValidateCase{
            "WithFive", "MUTABLE_WITH_EXCLUSION", {"a", "b*", "*c", "d.e", "f_g-h"}, std::nullopt},
        ValidateCase{"WithSix",
                     "IMMUTABLE_WITH_EXCLUSION",
                     {"a", "b", "c", "d", "e", "f"},
                     kOneToFive + " imageTagMutabilityExclusionFilters (got 6)"},
        ValidateCase{"ImmutableWithNone", "IMMUTABLE_WITH_EXCLUSION", {}, kOneToFive},
        ValidateCase{"MutableWithNone", "MUTABLE_WITH_EXCLUSION", {}, kOneToFive},
        ValidateCase{"Lowercase", "mutable", {}, kEnum}, ValidateCase{"Empty", "", {}, kEnum},
        ValidateCase{"Unknown", "SOMETIMES", {}, "(got 'SOMETIMES')"},
        ValidateCase{"FiltersOnMutable", "MUTABLE", {"latest"}, "can only be used with"},
        ValidateCase{"FiltersOnImmutable", "IMMUTABLE", {"latest"}, "not IMMUTABLE"},
        ValidateCase{"Slash", "IMMUTABLE_WITH_EXCLUSION", {"team/latest"}, "'team/latest'"},
        ValidateCase{"Space", "IMMUTABLE_WITH_EXCLUSION", {"a b"}, "[0-9a-zA-Z._*-]"},
        ValidateCase{"QuestionMark", "IMMUTABLE_WITH_EXCLUSION", {"v?"}, "'v?'"},
        ValidateCase{"NonAscii", "IMMUTABLE_WITH_EXCLUSION", {"\xc3\xbc"}, "1-128 characters"},
        ValidateCase{"EmptyFilter", "MUTABLE_WITH_EXCLUSION", {""}, "1-128 characters"},
        ValidateCase{"BadAmongGood", "MUTABLE_WITH_EXCLUSION", {"ok", "bad:"}, "'bad:'"},
        ValidateCase{"Length128", "IMMUTABLE_WITH_EXCLUSION", {k128}, std::nullopt},
        ValidateCase{"Length129", "IMMUTABLE_WITH_EXCLUSION", {k129}, "1-128 characters"},
        ValidateCase{"AllAllowed", "IMMUTABLE_WITH_EXCLUSION", {"09azAZ._*-"}, std::nullopt}),
    [](const auto& info) { return info.param.name; });

struct ImmutableCase {
    std::string mutability;
    std::vector<std::string> filters;
    std::string tag;
    bool frozen;
};

void PrintTo(const ImmutableCase& c, std::ostream* os) {
    *os << c.mutability << " " << c.tag;
}

class TagIsImmutable : public ::testing::TestWithParam<ImmutableCase> {};

TEST_P(TagIsImmutable, Table) {
    const auto& c = GetParam();
    storage::RepositorySettings settings;
    settings.tag_mutability = c.mutability;
    settings.mutability_exclusions = c.filters;
    EXPECT_EQ(tag_is_immutable(settings, c.tag), c.frozen) << c.mutability << " " << c.tag;
}

const std::vector<std::string> kFilters{"latest", "dev-*"};

INSTANTIATE_TEST_SUITE_P(
    Cases, TagIsImmutable,
    ::testing::Values(ImmutableCase{"MUTABLE", {}, "v1", false},
                      ImmutableCase{"MUTABLE", {}, "latest", false},
                      ImmutableCase{"IMMUTABLE", {}, "v1", true},
                      ImmutableCase{"IMMUTABLE", {}, "latest", true},
                      // everything frozen except the matching tags
                      ImmutableCase{"IMMUTABLE_WITH_EXCLUSION", kFilters, "v1", true},
                      ImmutableCase{"IMMUTABLE_WITH_EXCLUSION", kFilters, "latest", false},
                      ImmutableCase{"IMMUTABLE_WITH_EXCLUSION", kFilters, "dev-42", false},
                      ImmutableCase{"IMMUTABLE_WITH_EXCLUSION", kFilters, "latest-1", true},
                      ImmutableCase{"IMMUTABLE_WITH_EXCLUSION", kFilters, "prod-dev-1", true},
                      // everything movable except the matching tags
                      ImmutableCase{"MUTABLE_WITH_EXCLUSION", kFilters, "v1", false},
                      ImmutableCase{"MUTABLE_WITH_EXCLUSION", kFilters, "latest", true},
                      ImmutableCase{"MUTABLE_WITH_EXCLUSION", kFilters, "dev-42", true},
                      ImmutableCase{"MUTABLE_WITH_EXCLUSION", kFilters, "Latest", false}));

}  // namespace
}  // namespace wharf::registry
