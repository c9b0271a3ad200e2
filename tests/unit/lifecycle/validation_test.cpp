#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "lifecycle/lifecycle.hpp"

namespace wharf::lifecycle {
namespace {

struct ParseCase {
    std::string name;
    std::string text;
    std::string message_part;  // empty: the policy is valid
    std::size_t rules = 1;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.name;
}

// Trailing spaces up to ECR's 100-character minimum, so small cases test what they mean to.
std::string pad(std::string text, std::size_t size = 100) {
    if (text.size() < size) {
        text.append(size - text.size(), ' ');
    }
    return text;
}

std::string doc(const std::string& rules) {
    return pad(R"({"rules": [)" + rules + "]}");
}

const std::string kExpire = R"({"type": "expire"})";
const std::string kTransition = R"({"type": "transition", "targetStorageClass": "archive"})";

std::string rule(int priority, const std::string& selection, const std::string& action = kExpire) {
    return fmt::format(R"({{"rulePriority": {}, "selection": {{{}}}, "action": {}}})", priority,
                       selection, action);
}

// Selections that are valid on their own.
const std::string kUntaggedCount =
    R"("tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5)";
const std::string kProdCount =
    R"("tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "imageCountMoreThan", )"
    R"("countNumber": 10)";
const std::string kAnyPushed =
    R"("tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30)";
const std::string kAnyPulled =
    R"("tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 30)";
const std::string kArchived =
    R"("tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned", )"
    R"("countUnit": "days", "countNumber": 90)";

std::string prefixes(const std::string& list) {
    return R"("tagStatus": "tagged", "tagPrefixList": )" + list +
           R"(, "countType": "imageCountMoreThan", "countNumber": 3)";
}

std::string many_rules(int count) {
    std::string rules;
    for (int i = 1; i <= count; ++i) {
        rules += (i == 1 ? "" : ", ") + rule(i, prefixes(fmt::format(R"(["p{}-"])", i)));
    }
    return doc(rules);
}

std::vector<ParseCase> valid_cases() {
    return {
        {"TaggedPatternCount", doc(rule(1, kProdCount)), ""},
        {"TaggedPrefixCount", doc(rule(1, prefixes(R"(["prod", "release-"])"))), ""},
        {"UntaggedCount", doc(rule(1, kUntaggedCount)), ""},
        {"UntaggedSincePushed",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "sinceImagePushed", )"
                     R"("countUnit": "days", "countNumber": 14)")),
         ""},
        {"AnyLast", doc(rule(1, kProdCount) + ", " + rule(2, kAnyPushed)), "", 2},
        {"FourWildcards",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": ["*test*1*2*3", "test*1*2*3*"], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         ""},
        {"SincePulledTransition", doc(rule(1, kAnyPulled, kTransition)), ""},
        {"CountTransition", doc(rule(1, kProdCount, kTransition)), ""},
        {"SincePushedTransition", doc(rule(1, kAnyPushed, kTransition)), ""},
        {"ArchiveExpire", doc(rule(1, kArchived)), ""},
        {"ArchiveAt90Days", doc(rule(3, kArchived)), ""},
        // `any` is last among the rules of its storage class: one per class.
        {"AnyPerStorageClass", doc(rule(2, kAnyPulled, kTransition) + ", " + rule(1, kArchived)),
         "", 2},
        {"UntaggedOncePerStorageClass",
         doc(rule(1, kUntaggedCount) + ", " +
             rule(2, R"("tagStatus": "untagged", "storageClass": "archive", )"
                     R"("countType": "sinceImageTransitioned", "countUnit": "days", )"
                     R"("countNumber": 365)")),
         "", 2},
        {"SamePrefixOtherStorageClass",
         doc(rule(1, prefixes(R"(["prod"])")) + ", " +
             rule(2, R"("tagStatus": "tagged", "tagPrefixList": ["prod"], )"
                     R"("storageClass": "archive", "countType": "sinceImageTransitioned", )"
                     R"("countUnit": "days", "countNumber": 180)")),
         "", 2},
        {"PatternsAndPrefixesInDifferentRules",
         doc(rule(1, kProdCount) + ", " + rule(2, prefixes(R"(["dev"])"))), "", 2},
        {"SamePatternTwice",  // only prefixes must be unique across rules
         doc(rule(1, kProdCount) + ", " + rule(2, kProdCount)), "", 2},
        {"DescriptionAndStandardClass",
         doc(R"({"rulePriority": 1, "description": "keep ten", "selection": {)" + kProdCount +
             R"(, "storageClass": "standard"}, "action": {"type": "expire"}})"),
         ""},
        {"SparsePriorities",
         doc(rule(20, kUntaggedCount) + ", " + rule(5, kProdCount) + ", " + rule(100, kAnyPushed)),
         "", 3},
        {"FiftyRules", many_rules(50), "", 50},
        {"ExactlyMaxLength", pad(doc(rule(1, kProdCount)), 30'720), ""},
        {"LargestNumbers",
         doc(R"({"rulePriority": 2147483647, "selection": {"tagStatus": "untagged", )"
             R"("countType": "imageCountMoreThan", "countNumber": 2147483647}, )"
             R"("action": {"type": "expire"}})"),
         ""},
    };
}

std::vector<ParseCase> invalid_cases() {
    const std::string p1 = "rule 1 (rules[0]): ";
    return {
        // The document.
        {"TooShort", R"({"rules": []})", "is 13 characters; it must be 100 to 30720 characters"},
        {"TooLong", pad(doc(rule(1, kProdCount)), 30'721), "is 30721 characters"},
        {"InvalidJson", pad("{\n  \"rules\": [x]\n}"),
         "the policy is not valid JSON: parse error at line 2, column"},
        {"TrailingGarbage", doc(rule(1, kProdCount)) + "}", "not valid JSON"},
        {"NotAnObject", pad("[" + rule(1, kProdCount) + "]"), "the policy must be a JSON object"},
        {"UnknownTopLevel", pad(R"({"rules": [)" + rule(1, kProdCount) + R"(], "Rules": 1})"),
         "unknown property \"Rules\"; the top level may only have 'rules'"},
        {"MissingRules", pad("{}"), "'rules' is required"},
        {"RulesNotArray", pad(R"({"rules": {}})"), "'rules' must be an array"},
        {"RulesEmpty", doc(""), "'rules' is empty"},
        {"TooManyRules", many_rules(51),
         "'rules' has 51 rules; a lifecycle policy may have at most 50"},
        // rulePriority.
        {"RuleNotObject", doc("5, " + rule(1, kProdCount)), "rules[0] must be an object"},
        {"MissingPriority",
         doc(R"({"selection": {)" + kProdCount + R"(}, "action": {"type": "expire"}})"),
         "rules[0]: 'rulePriority' is required"},
        {"StringPriority", doc(R"({"rulePriority": "1", "selection": {)" + kProdCount + "}}"),
         "rules[0]: 'rulePriority' must be an integer from 1 to 2147483647, not \"1\""},
        {"FloatPriority", doc(R"({"rulePriority": 1.5, "selection": {)" + kProdCount + "}}"),
         "rules[0]: 'rulePriority' must be an integer from 1 to 2147483647, not 1.5"},
        {"ZeroPriority", doc(rule(0, kProdCount)), "rules[0]: 'rulePriority' must be an integer"},
        {"NegativePriority", doc(rule(-3, kProdCount)), "'rulePriority' must be an integer from 1"},
        {"HugePriority", doc(R"({"rulePriority": 3000000000, "selection": {)" + kProdCount + "}}"),
         "not 3000000000"},
        {"PriorityLabelsLaterRule",
         doc(rule(1, kProdCount) + ", " + rule(7, R"("tagStatus": "bogus")")),
         "rule 7 (rules[1]): 'selection.tagStatus' must be"},
        {"DuplicatePriorities", doc(rule(1, kProdCount) + ", " + rule(1, kUntaggedCount)),
         "rule 1 (rules[1]): 'rulePriority' 1 is also used by rule 1 (rules[0])"},
        // Unknown properties at every level.
        {"UnknownRuleProperty",
         doc(R"({"rulePriority": 1, "priority": 1, "selection": {)" + kProdCount +
             R"(}, "action": {"type": "expire"}})"),
         "rule 1 (rules[0]) has unknown property \"priority\""},
        {"UnknownSelectionProperty", doc(rule(1, kProdCount + R"(, "tagPattern": ["x"])")),
         p1 + "'selection' has unknown property \"tagPattern\""},
        {"UnknownActionProperty",
         doc(rule(1, kProdCount, R"({"type": "expire", "storageClass": "archive"})")),
         p1 + "'action' has unknown property \"storageClass\""},
        {"DescriptionNotString",
         doc(R"({"rulePriority": 1, "description": 5, "selection": {)" + kProdCount +
             R"(}, "action": {"type": "expire"}})"),
         p1 + "'description' must be a string"},
        // selection.
        {"MissingSelection", doc(R"({"rulePriority": 1, "action": {"type": "expire"}})"),
         p1 + "'selection' is required"},
        {"SelectionNotObject",
         doc(R"({"rulePriority": 1, "selection": [], "action": {"type": "expire"}})"),
         p1 + "'selection' must be an object"},
        {"MissingTagStatus", doc(rule(1, R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagStatus' is required"},
        {"TagStatusUpperCase",
         doc(rule(1, R"("tagStatus": "TAGGED", "tagPatternList": ["a"], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagStatus' must be \"tagged\", \"untagged\" or \"any\" "
              "(case-sensitive), not \"TAGGED\""},
        {"TaggedWithoutList",
         doc(rule(1, R"("tagStatus": "tagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": 1)")),
         p1 + "'selection.tagPatternList' or 'selection.tagPrefixList' is required when "
              "tagStatus is \"tagged\""},
        {"TaggedWithBothLists", doc(rule(1, kProdCount + R"(, "tagPrefixList": ["prod"])")),
         p1 + "'selection.tagPatternList' and 'selection.tagPrefixList' cannot both be set"},
        {"TaggedEmptyPatternList",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": [], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagPatternList' is empty"},
        {"TaggedEmptyPrefixList", doc(rule(1, prefixes("[]"))),
         p1 + "'selection.tagPrefixList' is empty"},
        {"PatternListNotArray",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": "prod*", )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagPatternList' must be an array of strings"},
        {"PatternNotString",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": ["a", 7], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagPatternList' entry 1 must be a string, not 7"},
        {"PrefixEmptyString", doc(rule(1, prefixes(R"([""])"))),
         p1 + "'selection.tagPrefixList' entry 0 is an empty string"},
        {"UntaggedWithPatternList",
         doc(rule(1, kUntaggedCount + R"(, "tagPatternList": ["prod*"])")),
         p1 + "'selection.tagPatternList' is only allowed when tagStatus is \"tagged\", not "
              "\"untagged\""},
        {"AnyWithPrefixList", doc(rule(1, kAnyPushed + R"(, "tagPrefixList": ["prod"])")),
         p1 +
             "'selection.tagPrefixList' is only allowed when tagStatus is \"tagged\", not \"any\""},
        {"TooManyWildcards",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": ["test*1*2*3*4*5*6"], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         p1 + "'selection.tagPatternList' entry \"test*1*2*3*4*5*6\" has 6 wildcards; a pattern "
              "may have at most 4 '*'"},
        {"FiveWildcards",
         doc(rule(1, R"("tagStatus": "tagged", "tagPatternList": ["a", "*a*b*c*d*"], )"
                     R"("countType": "imageCountMoreThan", "countNumber": 1)")),
         "has 5 wildcards"},
        {"StorageClassUnknown", doc(rule(1, kProdCount + R"(, "storageClass": "glacier")")),
         p1 + "'selection.storageClass' must be \"standard\" or \"archive\""},
        {"MissingCountType", doc(rule(1, R"("tagStatus": "untagged", "countNumber": 1)")),
         p1 + "'selection.countType' is required"},
        {"CountTypeMisspelt",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThen", )"
                     R"("countNumber": 1)")),
         p1 + "'selection.countType' must be"},
        {"CountUnitMissingPushed",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "sinceImagePushed", )"
                     R"("countNumber": 1)")),
         p1 + "'selection.countUnit' is required when countType is sinceImagePushed; set it to "
              "\"days\""},
        {"CountUnitMissingPulled",
         doc(rule(1,
                  R"("tagStatus": "untagged", "countType": "sinceImagePulled", )"
                  R"("countNumber": 1)",
                  kTransition)),
         p1 + "'selection.countUnit' is required when countType is sinceImagePulled"},
        {"CountUnitMissingTransitioned",
         doc(rule(1, R"("tagStatus": "any", "storageClass": "archive", )"
                     R"("countType": "sinceImageTransitioned", "countNumber": 90)")),
         p1 + "'selection.countUnit' is required when countType is sinceImageTransitioned"},
        {"CountUnitWithCount", doc(rule(1, kProdCount + R"(, "countUnit": "days")")),
         p1 + "'selection.countUnit' is not allowed when countType is imageCountMoreThan"},
        {"CountUnitHours",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "sinceImagePushed", )"
                     R"("countUnit": "hours", "countNumber": 1)")),
         p1 + "'selection.countUnit' must be \"days\", not \"hours\""},
        {"MissingCountNumber",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan")")),
         p1 + "'selection.countNumber' is required"},
        {"CountNumberZero",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": 0)")),
         p1 + "'selection.countNumber' must be an integer from 1 to 2147483647, not 0"},
        {"CountNumberNegative",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": -5)")),
         p1 + "'selection.countNumber' must be an integer from 1 to 2147483647, not -5"},
        {"CountNumberFloat",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": 2.5)")),
         p1 + "'selection.countNumber' must be an integer"},
        {"CountNumberWholeFloat",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": 1.0)")),
         p1 + "'selection.countNumber' must be an integer"},
        {"CountNumberString",
         doc(rule(1, R"("tagStatus": "untagged", "countType": "imageCountMoreThan", )"
                     R"("countNumber": "5")")),
         p1 + "'selection.countNumber' must be an integer from 1 to 2147483647, not \"5\""},
        // action.
        {"MissingAction", doc(R"({"rulePriority": 1, "selection": {)" + kProdCount + "}}"),
         p1 + "'action' is required"},
        {"ActionNotObject", doc(rule(1, kProdCount, R"("expire")")),
         p1 + "'action' must be an object"},
        {"MissingActionType", doc(rule(1, kProdCount, "{}")), p1 + "'action.type' is required"},
        {"ActionTypeDelete", doc(rule(1, kProdCount, R"({"type": "delete"})")),
         p1 + "'action.type' must be \"expire\" or \"transition\""},
        {"TransitionWithoutTarget", doc(rule(1, kProdCount, R"({"type": "transition"})")),
         p1 + "'action.targetStorageClass' is required when action.type is \"transition\""},
        {"TransitionToStandard",
         doc(rule(1, kProdCount, R"({"type": "transition", "targetStorageClass": "standard"})")),
         p1 + "'action.targetStorageClass' must be \"archive\", not \"standard\""},
        {"ExpireWithTarget",
         doc(rule(1, kProdCount, R"({"type": "expire", "targetStorageClass": "archive"})")),
         p1 + "'action.targetStorageClass' is only allowed when action.type is \"transition\""},
        // Storage class, count type and action together.
        {"SincePulledExpire", doc(rule(1, kAnyPulled)),
         p1 + "'action.type' must be \"transition\" when countType is sinceImagePulled"},
        {"SinceTransitionedTransition", doc(rule(1, kArchived, kTransition)),
         p1 + "'action.type' must be \"expire\" when countType is sinceImageTransitioned"},
        {"SinceTransitionedWithoutArchive",
         doc(rule(1, R"("tagStatus": "any", "countType": "sinceImageTransitioned", )"
                     R"("countUnit": "days", "countNumber": 90)")),
         p1 + "'selection.storageClass' must be \"archive\" when countType is "
              "sinceImageTransitioned"},
        {"SinceTransitionedStandard",
         doc(rule(1, R"("tagStatus": "any", "storageClass": "standard", )"
                     R"("countType": "sinceImageTransitioned", "countUnit": "days", )"
                     R"("countNumber": 90)")),
         p1 + "'selection.storageClass' must be \"archive\""},
        {"SinceTransitionedUnder90",
         doc(rule(1, R"("tagStatus": "any", "storageClass": "archive", )"
                     R"("countType": "sinceImageTransitioned", "countUnit": "days", )"
                     R"("countNumber": 89)")),
         p1 + "'selection.countNumber' is 89; with countType sinceImageTransitioned it must be "
              "at least 90"},
        {"ArchiveWithCount", doc(rule(1, kProdCount + R"(, "storageClass": "archive")")),
         p1 + "'selection.storageClass' \"archive\" is only allowed with countType "
              "sinceImageTransitioned, not imageCountMoreThan"},
        {"ArchiveWithPushed", doc(rule(1, kAnyPushed + R"(, "storageClass": "archive")")),
         "not sinceImagePushed"},
        {"ArchiveWithPulled",
         doc(rule(1, kAnyPulled + R"(, "storageClass": "archive")", kTransition)),
         "not sinceImagePulled"},
        // Across rules.
        {"AnyNotHighest", doc(rule(1, kAnyPushed) + ", " + rule(2, kProdCount)),
         "rule 1 (rules[0]): 'selection.tagStatus' \"any\" is only allowed on the rule with the "
         "highest rulePriority among the standard rules, but rule 2 (rules[1]) has priority 2"},
        {"TwoAnyRules", doc(rule(3, kAnyPushed) + ", " + rule(4, kAnyPushed)),
         "rule 3 (rules[0]): 'selection.tagStatus' \"any\" is only allowed"},
        {"AnyNotHighestArchive",
         doc(rule(5, kArchived) + ", " +
             rule(9, R"("tagStatus": "untagged", "storageClass": "archive", )"
                     R"("countType": "sinceImageTransitioned", "countUnit": "days", )"
                     R"("countNumber": 90)")),
         "rule 5 (rules[0]): 'selection.tagStatus' \"any\" is only allowed on the rule with the "
         "highest rulePriority among the archive rules"},
        {"TwoUntaggedRules",
         doc(rule(1, kUntaggedCount) + ", " +
             rule(2, R"("tagStatus": "untagged", "countType": "sinceImagePushed", )"
                     R"("countUnit": "days", "countNumber": 3)")),
         "rule 2 (rules[1]): 'selection.tagStatus' \"untagged\" is also selected by rule 1 "
         "(rules[0]) for standard images; only one rule per storage class may select untagged "
         "images"},
        {"DuplicatePrefixes",
         doc(rule(1, prefixes(R"(["prod", "x"])")) + ", " +
             rule(2, prefixes(R"(["dev", "prod"])"))),
         "rule 2 (rules[1]): 'selection.tagPrefixList' entry \"prod\" is also listed by rule 1 "
         "(rules[0]); prefixes must be unique across the rules of a storage class"},
    };
}

class ParseValid : public ::testing::TestWithParam<ParseCase> {};
class ParseInvalid : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseValid, Accepts) {
    const auto& c = GetParam();
    auto policy = LifecyclePolicy::parse(c.text);
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_EQ(policy->text(), c.text);
    ASSERT_EQ(policy->rules().size(), c.rules);
    for (std::size_t i = 1; i < policy->rules().size(); ++i) {
        EXPECT_LT(policy->rules()[i - 1].priority, policy->rules()[i].priority);
    }
}

TEST_P(ParseInvalid, RejectsWithMessage) {
    const auto& c = GetParam();
    auto policy = LifecyclePolicy::parse(c.text);
    ASSERT_FALSE(policy) << "accepted: " << c.text;
    EXPECT_EQ(policy.error().code, Errc::bad_request);
    EXPECT_NE(policy.error().message.find(c.message_part), std::string::npos)
        << "message: " << policy.error().message << "\nexpected part: " << c.message_part;
}

std::string case_name(const ::testing::TestParamInfo<ParseCase>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, ParseValid, ::testing::ValuesIn(valid_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Lifecycle, ParseInvalid, ::testing::ValuesIn(invalid_cases()), case_name);

TEST(LifecycleParse, ReadsEveryField) {
    const std::string text = doc(
        R"({"rulePriority": 7, "description": "archive idle", "selection": {"tagStatus": "tagged", )"
        R"("tagPatternList": ["prod*", "*-rc"], "countType": "sinceImagePulled", )"
        R"("countUnit": "days", "countNumber": 30}, "action": {"type": "transition", )"
        R"("targetStorageClass": "archive"}}, )" +
        rule(2, prefixes(R"(["v1.", "v2."])")) + ", " + rule(200, kArchived));
    auto policy = LifecyclePolicy::parse(text);
    ASSERT_TRUE(policy) << policy.error().message;
    const auto& rules = policy->rules();
    ASSERT_EQ(rules.size(), 3u);

    EXPECT_EQ(rules[0].priority, 2);
    EXPECT_EQ(rules[0].tag_status, TagStatus::tagged);
    EXPECT_EQ(rules[0].tag_prefixes, (std::vector<std::string>{"v1.", "v2."}));
    EXPECT_TRUE(rules[0].tag_patterns.empty());
    EXPECT_EQ(rules[0].count_type, CountType::image_count_more_than);
    EXPECT_EQ(rules[0].count_number, 3);
    EXPECT_EQ(rules[0].action, ActionType::expire);

    EXPECT_EQ(rules[1].priority, 7);
    EXPECT_EQ(rules[1].description, "archive idle");
    EXPECT_EQ(rules[1].tag_patterns, (std::vector<std::string>{"prod*", "*-rc"}));
    EXPECT_EQ(rules[1].storage_class, StorageClass::standard);
    EXPECT_EQ(rules[1].count_type, CountType::since_image_pulled);
    EXPECT_EQ(rules[1].count_number, 30);
    EXPECT_EQ(rules[1].action, ActionType::transition);

    EXPECT_EQ(rules[2].priority, 200);
    EXPECT_EQ(rules[2].tag_status, TagStatus::any);
    EXPECT_EQ(rules[2].storage_class, StorageClass::archive);
    EXPECT_EQ(rules[2].count_type, CountType::since_image_transitioned);
    EXPECT_EQ(rules[2].count_number, 90);
}

TEST(LifecycleParse, CopiesShareTheRules) {
    auto policy = LifecyclePolicy::parse(doc(rule(1, kProdCount)));
    ASSERT_TRUE(policy);
    const LifecyclePolicy copy = *policy;
    EXPECT_EQ(&copy.rules(), &policy->rules());
    EXPECT_EQ(&copy.text(), &policy->text());
}

TEST(LifecycleParse, LengthCountsCharactersNotBytes) {
    // 30,720 characters in 30,722 bytes: "\xc3\xa9" is one character in two bytes.
    std::string text = "{\"rules\": [{\"description\": \"\xc3\xa9\xc3\xa9\", " +
                       rule(1, kUntaggedCount).substr(1) + "]}";
    text = pad(text, 30'722);
    auto policy = LifecyclePolicy::parse(text);
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_EQ(policy->rules()[0].description, "\xc3\xa9\xc3\xa9");

    const std::string short_text = pad(R"({"rules": []})", 98) + "\xc3\xa9";  // 99 characters
    auto too_short = LifecyclePolicy::parse(short_text);
    ASSERT_FALSE(too_short);
    EXPECT_NE(too_short.error().message.find("is 99 characters"), std::string::npos)
        << too_short.error().message;
}

TEST(LifecycleParse, JsonErrorsDoNotThrowAndStayPrintable) {
    for (const std::string& text :
         {pad("{\"rules\": \"\xff\"}"), pad("{\"rules\": [1e999]}"), pad(std::string(100, '['))}) {
        auto policy = LifecyclePolicy::parse(text);
        ASSERT_FALSE(policy);
        EXPECT_EQ(policy.error().code, Errc::bad_request);
        EXPECT_LT(policy.error().message.size(), 1024u);
        EXPECT_NO_THROW((void)nlohmann::json({{"m", policy.error().message}}).dump());
    }
}

}  // namespace
}  // namespace wharf::lifecycle
