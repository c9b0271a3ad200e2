// Condition operators, one Allow statement each: the case allows exactly when the condition holds.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "policy/policy.hpp"

namespace wharf::policy {
namespace {

using Values = std::vector<std::string>;

struct ConditionCase {
    std::string name;
    std::string condition;                                // the Condition object
    std::vector<std::pair<std::string, Values>> context;  // request keys
    bool holds;
};

void PrintTo(const ConditionCase& c, std::ostream* os) {
    *os << c.name;
}

std::vector<ConditionCase> cases() {
    const std::string time = "aws:CurrentTime";
    const std::string ip = "aws:SourceIp";
    const std::string tags = "aws:TagKeys";
    return {
        // Strings
        {"StringEqualsMatch",
         R"({"StringEquals": {"aws:username": "alice"}})",
         {{"aws:username", {"alice"}}},
         true},
        {"StringEqualsCaseSensitive",
         R"({"StringEquals": {"aws:username": "alice"}})",
         {{"aws:username", {"Alice"}}},
         false},
        {"StringEqualsValuesOred",
         R"({"StringEquals": {"aws:username": ["bob", "alice"]}})",
         {{"aws:username", {"alice"}}},
         true},
        {"StringNotEqualsNeither",
         R"({"StringNotEquals": {"aws:username": ["a", "b"]}})",
         {{"aws:username", {"c"}}},
         true},
        {"StringNotEqualsOneOf",
         R"({"StringNotEquals": {"aws:username": ["a", "b"]}})",
         {{"aws:username", {"b"}}},
         false},
        {"StringEqualsIgnoreCase",
         R"({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}})",
         {{"aws:username", {"alice"}}},
         true},
        {"StringNotEqualsIgnoreCase",
         R"({"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}})",
         {{"aws:username", {"Alice"}}},
         false},
        {"StringLikeWildcards",
         R"({"StringLike": {"ecr:ResourceTag/team": ["t?am-*"]}})",
         {{"ecr:ResourceTag/team", {"team-a/b"}}},
         true},
        {"StringLikeCaseSensitive",
         R"({"StringLike": {"k": "Team-*"}})",
         {{"k", {"team-a"}}},
         false},
        {"StringNotLike",
         R"({"StringNotLike": {"k": ["dev-*", "test-*"]}})",
         {{"k", {"prod-1"}}},
         true},
        {"KeyCaseInsensitive",
         R"({"StringEquals": {"AWS:UserName": "alice"}})",
         {{"aws:username", {"alice"}}},
         true},
        {"KeyAbsentFalse", R"({"StringEquals": {"aws:username": "alice"}})", {}, false},
        {"NegatedKeyAbsentFalse", R"({"StringNotEquals": {"aws:username": "alice"}})", {}, false},
        {"IfExistsAbsentTrue", R"({"StringEqualsIfExists": {"aws:username": "alice"}})", {}, true},
        {"IfExistsPresentChecked",
         R"({"StringEqualsIfExists": {"aws:username": "alice"}})",
         {{"aws:username", {"bob"}}},
         false},
        {"EmptyValueListIsAbsent", R"({"StringEqualsIfExists": {"k": "a"}})", {{"k", {}}}, true},
        // Numbers
        {"NumericLessThan",
         R"({"NumericLessThan": {"ecr:MaxResults": 10}})",
         {{"ecr:MaxResults", {"5"}}},
         true},
        {"NumericLessThanNotEqual",
         R"({"NumericLessThan": {"ecr:MaxResults": "10"}})",
         {{"ecr:MaxResults", {"10"}}},
         false},
        {"NumericLessThanEquals",
         R"({"NumericLessThanEquals": {"n": "10"}})",
         {{"n", {"10"}}},
         true},
        {"NumericGreaterThanDecimal",
         R"({"NumericGreaterThan": {"n": 1.5}})",
         {{"n", {"2"}}},
         true},
        {"NumericGreaterThanEquals",
         R"({"NumericGreaterThanEquals": {"n": "-3"}})",
         {{"n", {"-4"}}},
         false},
        {"NumericEqualsCoercedNumber", R"({"NumericEquals": {"n": 10}})", {{"n", {"10.0"}}}, true},
        {"NumericRequestNotNumber", R"({"NumericEquals": {"n": 10}})", {{"n", {"ten"}}}, false},
        {"NumericNotEqualsRequestNotNumber",
         R"({"NumericNotEquals": {"n": 10}})",
         {{"n", {"ten"}}},
         false},
        {"NumericNotEquals", R"({"NumericNotEquals": {"n": [1, 2]}})", {{"n", {"3"}}}, true},
        // Dates
        {"DateLessThanIso",
         R"({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
         {{time, {"2025-12-31T23:59:59Z"}}},
         true},
        {"DateLessThanAtBoundary",
         R"({"DateLessThan": {"aws:CurrentTime": "2026-01-01"}})",
         {{time, {"2026-01-01T00:00:00Z"}}},
         false},
        {"DateGreaterThanEpochPolicy",
         R"({"DateGreaterThan": {"aws:CurrentTime": 1767225600}})",
         {{time, {"2026-01-01T00:00:01Z"}}},
         true},
        {"DateEqualsAcrossOffsets",
         R"({"DateEquals": {"aws:CurrentTime": "2026-01-01T02:00:00+02:00"}})",
         {{time, {"2026-01-01T00:00:00.000Z"}}},
         true},
        {"DateNotEquals",
         R"({"DateNotEquals": {"aws:EpochTime": "1767225600"}})",
         {{"aws:EpochTime", {"1767225601"}}},
         true},
        {"DateRequestNotDate",
         R"({"DateGreaterThanEquals": {"aws:CurrentTime": "2020-01-01"}})",
         {{time, {"tomorrow"}}},
         false},
        // Bool, binary
        {"BoolTrue",
         R"({"Bool": {"aws:SecureTransport": "true"}})",
         {{"aws:SecureTransport", {"true"}}},
         true},
        {"BoolJsonFalseMismatch",
         R"({"Bool": {"aws:SecureTransport": false}})",
         {{"aws:SecureTransport", {"true"}}},
         false},
        {"BoolRequestNotBool",
         R"({"Bool": {"aws:MultiFactorAuthPresent": "true"}})",
         {{"aws:MultiFactorAuthPresent", {"yes"}}},
         false},
        {"BinaryEquals", R"({"BinaryEquals": {"k": "aGVsbG8="}})", {{"k", {"hello"}}}, true},
        {"BinaryEqualsMismatch",
         R"({"BinaryEquals": {"k": "aGVsbG8="}})",
         {{"k", {"hellO"}}},
         false},
        // IP addresses
        {"IpV4InCidr",
         R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
         {{ip, {"203.0.113.77"}}},
         true},
        {"IpV4OutsideCidr",
         R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
         {{ip, {"203.0.114.1"}}},
         false},
        {"IpPlainAddressIs32",
         R"({"IpAddress": {"aws:SourceIp": "10.1.2.3"}})",
         {{ip, {"10.1.2.4"}}},
         false},
        {"IpV6InCidr",
         R"({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}})",
         {{ip, {"2001:db8:1::5"}}},
         true},
        {"IpV6OutsideCidr",
         R"({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}})",
         {{ip, {"2001:db9::1"}}},
         false},
        {"IpV6OddPrefix",
         R"({"IpAddress": {"aws:SourceIp": "2001:db8:ab00::/40"}})",
         {{ip, {"2001:db8:abff:1::1"}}},
         true},
        {"IpV4NotInV6Cidr",
         R"({"IpAddress": {"aws:SourceIp": "::/0"}})",
         {{ip, {"192.0.2.1"}}},
         false},
        {"IpMappedV6MatchesV4",
         R"({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})",
         {{ip, {"::ffff:192.0.2.9"}}},
         true},
        {"NotIpAddress",
         R"({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "fd00::/8"]}})",
         {{ip, {"192.0.2.1"}}},
         true},
        {"NotIpAddressInside",
         R"({"NotIpAddress": {"aws:SourceIp": "fd00::/8"}})",
         {{ip, {"fd12::1"}}},
         false},
        {"IpRequestNotAddress",
         R"({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})",
         {{ip, {"localhost"}}},
         false},
        // ARNs
        {"ArnLikeRole",
         R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}})",
         {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:role/ci-build"}}},
         true},
        {"ArnEqualsExact",
         R"({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}})",
         {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:user/Alice"}}},
         false},
        {"ArnWildcardStaysInComponent",
         R"({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/x"}})",
         {{"aws:SourceArn", {"arn:aws:iam::1:2:role/x"}}},
         false},
        {"ArnNotLike",
         R"({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}})",
         {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:role/ci"}}},
         true},
        {"ArnLikeRequestNotArn",
         R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:*"}})",
         {{"aws:PrincipalArn", {"alice"}}},
         false},
        // Null
        {"NullTrueAbsent", R"({"Null": {"aws:TokenIssueTime": "true"}})", {}, true},
        {"NullTruePresent",
         R"({"Null": {"aws:TokenIssueTime": "true"}})",
         {{"aws:TokenIssueTime", {"2026-01-01T00:00:00Z"}}},
         false},
        {"NullFalsePresent",
         R"({"Null": {"aws:TokenIssueTime": false}})",
         {{"aws:TokenIssueTime", {"x"}}},
         true},
        // Sets and multi-valued keys
        {"ForAnyValueHit",
         R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}})",
         {{tags, {"c", "a"}}},
         true},
        {"ForAnyValueMiss",
         R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}})",
         {{tags, {"c"}}},
         false},
        {"ForAnyValueAbsent", R"({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}})", {}, false},
        {"ForAnyValueNegated",
         R"({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}})",
         {{tags, {"a", "c"}}},
         true},
        {"ForAllValuesSubset",
         R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})",
         {{tags, {"b", "a"}}},
         true},
        {"ForAllValuesExtra",
         R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})",
         {{tags, {"a", "c"}}},
         false},
        {"ForAllValuesAbsent", R"({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}})", {}, true},
        {"ForAllValuesLike",
         R"({"ForAllValues:StringLike": {"aws:TagKeys": "team-*"}})",
         {{tags, {"team-a", "team-b"}}},
         true},
        {"ForAllValuesNegated",
         R"({"ForAllValues:StringNotLike": {"aws:TagKeys": "secret*"}})",
         {{tags, {"team", "secret-x"}}},
         false},
        {"MultiValuedNoPrefixAny",
         R"({"StringEquals": {"aws:TagKeys": "a"}})",
         {{tags, {"x", "a"}}},
         true},
        {"MultiValuedNoPrefixNegatedNone",
         R"({"StringNotEquals": {"aws:TagKeys": "a"}})",
         {{tags, {"x", "a"}}},
         false},
        // Combining
        {"KeysAnded",
         R"({"StringEquals": {"k1": "a", "k2": "b"}})",
         {{"k1", {"a"}}, {"k2", {"c"}}},
         false},
        {"OperatorsAnded",
         R"({"StringEquals": {"k1": "a"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})",
         {{"k1", {"a"}}, {ip, {"10.9.9.9"}}},
         true},
        {"OperatorsAndedOneFails",
         R"({"StringEquals": {"k1": "a"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})",
         {{"k1", {"a"}}, {ip, {"11.0.0.1"}}},
         false},
    };
}

class Conditions : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(Conditions, HoldExactlyWhenExpected) {
    const auto& c = GetParam();
    const std::string json =
        R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ecr:*", )"
        R"("Resource": "*", "Condition": )" +
        c.condition + "}}";
    auto policy = Policy::parse(json, PolicyKind::identity);
    ASSERT_TRUE(policy) << policy.error().message;
    ConditionContext context;
    for (const auto& [key, values] : c.context) {
        context.set(key, values);
    }
    const Policy* identity[] = {&*policy};
    const AccessRequest request{"ecr:PutImage", "*", "arn:aws:iam::123456789012:user/alice",
                                "123456789012", &context};
    const auto d = evaluate(request, identity, {});
    EXPECT_EQ(d.outcome == Outcome::allow, c.holds) << to_string(d.outcome);
}

INSTANTIATE_TEST_SUITE_P(Policy, Conditions, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ConditionContext, KeysCaseInsensitiveAndReplaced) {
    ConditionContext context;
    context.set("aws:SourceIp", "10.0.0.1");
    context.set("AWS:SOURCEIP", std::vector<std::string>{"10.0.0.2", "10.0.0.3"});
    const auto* values = context.find("aws:sourceip");
    ASSERT_NE(values, nullptr);
    EXPECT_EQ(*values, (std::vector<std::string>{"10.0.0.2", "10.0.0.3"}));
    EXPECT_EQ(context.find("aws:SourceVpc"), nullptr);
}

TEST(ConditionContext, MissingContextMeansNoKeys) {
    auto policy = Policy::parse(
        R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", )"
        R"("Condition": {"Null": {"aws:SourceIp": "true"}, "StringLikeIfExists": {"k": "x"}}}})",
        PolicyKind::identity);
    ASSERT_TRUE(policy) << policy.error().message;
    const Policy* identity[] = {&*policy};
    const AccessRequest request{"ecr:PutImage", "*", "", ""};
    EXPECT_EQ(evaluate(request, identity, {}).outcome, Outcome::allow);
}

}  // namespace
}  // namespace wharf::policy
