#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace wharf::policy {
namespace {

constexpr auto kIdentity = PolicyKind::identity;
constexpr auto kResource = PolicyKind::resource;

struct ParseCase {
    std::string name;
    PolicyKind kind;
    std::string json;
    std::string message_part;  // empty: the document is valid
    std::size_t statements = 1;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.name;
}

// Statement bodies wrapped in a 2012-10-17 document.
std::string doc(const std::string& statements) {
    return R"({"Version": "2012-10-17", "Statement": )" + statements + "}";
}
const std::string kAllowAll = R"({"Effect": "Allow", "Action": "ecr:*", "Resource": "*")";
const std::string kPublic = R"({"Effect": "Allow", "Principal": "*", "Action": "ecr:*")";

std::vector<ParseCase> valid_cases() {
    return {
        {"IdentityMinimal", kIdentity, doc(kAllowAll + "}"), ""},
        {"StatementArray", kIdentity,
         doc("[" + kAllowAll +
             R"(, "Sid": "Pull1"}, {"Sid": "NoDelete", "Effect": "Deny", )"
             R"("NotAction": ["ecr:Batch*", "ecr:Get*"], "NotResource": )"
             R"("arn:aws:ecr:*:*:repository/keep/*"}])"),
         "", 2},
        {"Version2008", kIdentity, R"({"Version": "2008-10-17", "Statement": )" + kAllowAll + "}}",
         ""},
        {"VersionMissing", kIdentity, R"({"Statement": [)" + kAllowAll + "}]}", ""},
        {"IdElement", kIdentity, R"({"Id": "my policy", "Statement": )" + kAllowAll + "}}", ""},
        {"ResourcePolicyWithoutResource", kResource,
         doc(R"([{"Sid": "allow pull: any string!", "Effect": "Allow", "Principal": "*", )"
             R"("Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}])"),
         ""},
        {"ResourcePolicyWithResource", kResource,
         doc(kPublic + R"(, "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/x"})"), ""},
        {"ResourceDuplicateSidsAllowed", kResource,
         doc("[" + kPublic + R"(, "Sid": "a"}, )" + kPublic + R"(, "Sid": "a"}])"), "", 2},
        {"PrincipalAwsForms", kResource,
         doc(R"({"Effect": "Allow", "Action": "ecr:*", "Principal": {"AWS": ["123456789012", )"
             R"("arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice", )"
             R"("arn:aws:iam::210987654321:role/ci", )"
             R"("arn:aws:sts::123456789012:assumed-role/ci/session", "*"]}})"),
         ""},
        {"PrincipalService", kResource,
         doc(R"({"Effect": "Allow", "Action": "ecr:*", )"
             R"("Principal": {"Service": "codebuild.amazonaws.com"}})"),
         ""},
        {"NotPrincipalDeny", kResource,
         doc(R"({"Effect": "Deny", "Action": "ecr:*", "NotPrincipal": {"AWS": )"
             R"(["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice"]}})"),
         ""},
        {"ConditionValuesCoerced", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"NumericLessThan": {"ecr:MaxResults": 10}, )"
                         R"("Bool": {"aws:SecureTransport": true}, )"
                         R"("NumericEquals": {"x:n": [1.5, -2]}}})"),
         ""},
        {"ConditionAllOperatorForms", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": "t-*"}, )"
                         R"("ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a", "b"]}, )"
                         R"("IpAddress": {"aws:SourceIp": ["2001:db8::/32", "10.0.0.1"]}, )"
                         R"("DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}, )"
                         R"("DateLessThan": {"aws:EpochTime": 1893456000}, )"
                         R"("BinaryEquals": {"x:bin": "aGVsbG8="}, )"
                         R"("ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x-*"}, )"
                         R"("Null": {"aws:TokenIssueTime": "true"}}})"),
         ""},
        {"EmptyConditionObject", kIdentity, doc(kAllowAll + R"(, "Condition": {}})"), ""},
        {"WildcardResourceArn", kIdentity,
         doc(R"({"Effect": "Allow", "Action": "ecr:Get?", )"
             R"("Resource": ["arn:aws:ecr:*:*:repository/*", "arn:*"]})"),
         ""},
    };
}

std::vector<ParseCase> invalid_cases() {
    const std::string allow_identity = R"({"Effect": "Allow", "Action": "ecr:*")";
    return {
        {"NotJson", kIdentity, "not json", "policy is not valid JSON"},
        {"TruncatedJsonSaysWhere", kIdentity, "{\n  \"Statement\": [", "line 2"},
        {"TopLevelArray", kIdentity, "[]", "policy must be a JSON object, not array"},
        {"UnknownTopLevel", kIdentity, R"({"Statement": )" + kAllowAll + R"(}, "Foo": 1})",
         "unknown top-level element \"Foo\""},
        {"BadVersion", kIdentity, R"({"Version": "2012-10-18", "Statement": )" + kAllowAll + "}}",
         "Version must be \"2012-10-17\" or \"2008-10-17\", not \"2012-10-18\""},
        {"VersionNotString", kIdentity, R"({"Version": 2012, "Statement": )" + kAllowAll + "}}",
         "Version must be"},
        {"IdNotString", kIdentity, R"({"Id": 7, "Statement": )" + kAllowAll + "}}",
         "Id must be a string"},
        {"NoStatement", kIdentity, R"({"Version": "2012-10-17"})", "policy has no Statement"},
        {"EmptyStatementArray", kIdentity, doc("[]"), "Statement is an empty array"},
        {"StatementNotObject", kIdentity, doc(R"(["x"])"),
         "statement #0 must be an object, not string"},
        {"UnknownStatementElement", kIdentity, doc(kAllowAll + R"(, "Actions": "ecr:*"})"),
         "statement #0 has unknown element \"Actions\""},
        {"MissingEffect", kIdentity, doc(R"({"Action": "ecr:*", "Resource": "*"})"),
         "statement #0: Effect is missing"},
        {"EffectWrongCase", kIdentity,
         doc(R"({"Effect": "allow", "Action": "*", "Resource": "*"})"),
         "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not \"allow\""},
        {"MessageNamesSid", kIdentity,
         doc(R"({"Sid": "Pull", "Effect": "Permit", "Action": "*", "Resource": "*"})"),
         "statement #0 (\"Pull\"): Effect"},
        {"MessageNamesIndex", kIdentity,
         doc("[" + kAllowAll + R"(}, {"Effect": "Deny", "Resource": "*"}])"),
         "statement #1: Action is missing"},
        {"ActionAndNotAction", kIdentity, doc(kAllowAll + R"(, "NotAction": "ecr:Get*"})"),
         "Action and NotAction cannot both be present"},
        {"ActionWithoutService", kIdentity,
         doc(R"({"Effect": "Allow", "Action": "PutImage", "Resource": "*"})"),
         "Action value \"PutImage\" is not \"*\" or \"<service>:<action>\""},
        {"ActionWithSpace", kIdentity,
         doc(R"({"Effect": "Allow", "Action": "ecr:Put Image", "Resource": "*"})"),
         "\"ecr:Put Image\" is not"},
        {"ActionEmptyArray", kIdentity,
         doc(R"({"Effect": "Allow", "Action": [], "Resource": "*"})"), "Action is an empty array"},
        {"ActionNotString", kIdentity,
         doc(R"({"Effect": "Allow", "Action": ["ecr:*", 1], "Resource": "*"})"),
         "Action must be a string or an array of them, not number"},
        {"NotActionBad", kIdentity,
         doc(R"({"Effect": "Allow", "NotAction": "ecr", "Resource": "*"})"),
         "NotAction value \"ecr\""},
        {"IdentityMissingResource", kIdentity, doc(allow_identity + "}"),
         "Resource is missing; a statement needs Resource or NotResource"},
        {"ResourceNotArn", kIdentity, doc(allow_identity + R"(, "Resource": "repository/x"})"),
         "Resource value \"repository/x\" is not \"*\" or an ARN"},
        {"ResourceAndNotResource", kIdentity,
         doc(kAllowAll + R"(, "NotResource": "arn:aws:ecr:*:*:repository/x"})"),
         "Resource and NotResource cannot both be present"},
        {"IdentityWithPrincipal", kIdentity, doc(kAllowAll + R"(, "Principal": "*"})"),
         "Principal is not allowed in an identity-based policy"},
        {"IdentityWithNotPrincipal", kIdentity,
         doc(kAllowAll + R"(, "NotPrincipal": {"AWS": "123456789012"}})"),
         "NotPrincipal is not allowed in an identity-based policy"},
        {"ResourceWithoutPrincipal", kResource, doc(allow_identity + "}"),
         "needs Principal or NotPrincipal"},
        {"PrincipalAndNotPrincipal", kResource,
         doc(kPublic + R"(, "NotPrincipal": {"AWS": "123456789012"}})"),
         "Principal and NotPrincipal cannot both be present"},
        {"PrincipalArnWildcard", kResource,
         doc(allow_identity + R"(, "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"}})"),
         "has a wildcard; only a bare \"*\" may stand for principals. To match principals by "
         "pattern, use \"*\" with a Condition such as {\"ArnLike\": {\"aws:PrincipalArn\""},
        {"PrincipalNotArn", kResource, doc(allow_identity + R"(, "Principal": {"AWS": "alice"}})"),
         "\"AWS\" value \"alice\" is neither"},
        {"PrincipalShortAccount", kResource,
         doc(allow_identity + R"(, "Principal": {"AWS": "12345"}})"), "is neither"},
        {"PrincipalStringNotStar", kResource, doc(allow_identity + R"(, "Principal": "everyone"})"),
         "Principal must be \"*\" or an object"},
        {"PrincipalUnknownType", kResource,
         doc(allow_identity + R"(, "Principal": {"Users": "alice"}})"),
         "unknown principal type \"Users\""},
        {"PrincipalEmptyObject", kResource, doc(allow_identity + R"(, "Principal": {}})"),
         "Principal must be \"*\" or a non-empty object"},
        {"PrincipalEmptyArray", kResource, doc(allow_identity + R"(, "Principal": {"AWS": []}})"),
         "\"AWS\" has no values"},
        {"IdentitySidNotAlphanumeric", kIdentity, doc(kAllowAll + R"(, "Sid": "my sid"})"),
         "statement #0 (\"my sid\"): Sid may contain only letters"},
        {"SidNotString", kIdentity, doc(kAllowAll + R"(, "Sid": 5})"), "Sid must be a string"},
        {"IdentityDuplicateSid", kIdentity,
         doc("[" + kAllowAll + R"(, "Sid": "A"}, )" + kAllowAll + R"(, "Sid": "A"}])"),
         "statement #1 (\"A\"): Sid is used by an earlier statement"},
        {"ConditionNotObject", kIdentity, doc(kAllowAll + R"(, "Condition": []})"),
         "Condition must be an object"},
        {"ConditionUnknownOperator", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"StringEqualz": {"aws:username": "a"}}})"),
         "Condition operator \"StringEqualz\" is unknown"},
        {"ConditionOperatorCaseSensitive", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"stringEquals": {"aws:username": "a"}}})"),
         "\"stringEquals\" is unknown"},
        {"ConditionBadSetPrefix", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"ForSomeValues:StringLike": {"k": "a"}}})"),
         "\"ForSomeValues:StringLike\" is unknown"},
        {"ConditionNullIfExists", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"NullIfExists": {"k": "true"}}})"),
         "Null takes neither IfExists nor a set prefix"},
        {"ConditionBlockNotObject", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"StringEquals": "a"}})"),
         "operator \"StringEquals\" must map to an object of keys"},
        {"ConditionValueObject", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"StringEquals": {"k": {"a": 1}}}})"),
         "\"StringEquals\" key \"k\" must be strings, numbers or booleans"},
        {"ConditionValueEmptyArray", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"StringEquals": {"k": []}}})"),
         "key \"k\" is an empty array"},
        {"ConditionNumberInvalid", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"NumericLessThan": {"k": "ten"}}})"),
         "value \"ten\" of NumericLessThan for key \"k\" is not a number"},
        {"ConditionDateInvalid", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"DateGreaterThan": {"k": "2026-02-30T00:00:00Z"}}})"),
         "is not a date"},
        {"ConditionIpInvalid", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}})"),
         "is not an IPv4 or IPv6 address or CIDR block"},
        {"ConditionPrefixTooLong", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/33"}}})"),
         "\"10.0.0.0/33\" of NotIpAddress"},
        {"ConditionBoolInvalid", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}})"),
         "is not \"true\" or \"false\""},
        {"ConditionBase64Invalid", kIdentity,
         doc(kAllowAll + R"(, "Condition": {"BinaryEquals": {"k": "@@@@"}}})"), "is not base64"},
    };
}

class ParseValid : public ::testing::TestWithParam<ParseCase> {};
class ParseInvalid : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseValid, Accepts) {
    const auto& c = GetParam();
    auto policy = Policy::parse(c.json, c.kind);
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_EQ(policy->text(), c.json);
    EXPECT_EQ(policy->kind(), c.kind);
    EXPECT_EQ(policy->statement_count(), c.statements);
}

TEST_P(ParseInvalid, RejectsWithMessage) {
    const auto& c = GetParam();
    auto policy = Policy::parse(c.json, c.kind);
    ASSERT_FALSE(policy) << "accepted: " << c.json;
    EXPECT_EQ(policy.error().code, Errc::bad_request);
    EXPECT_NE(policy.error().message.find(c.message_part), std::string::npos)
        << "message: " << policy.error().message << "\nexpected part: " << c.message_part;
}

std::string case_name(const ::testing::TestParamInfo<ParseCase>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Policy, ParseValid, ::testing::ValuesIn(valid_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Policy, ParseInvalid, ::testing::ValuesIn(invalid_cases()), case_name);

TEST(Policy, CopiesShareParsedStateAndKeepMetadata) {
    auto parsed = Policy::parse(
        R"({"Version": "2012-10-17", "Id": "p1", "Statement": )" + kAllowAll + "}}", kIdentity);
    ASSERT_TRUE(parsed);
    const Policy copy = *parsed;
    EXPECT_EQ(&copy.document(), &parsed->document());
    EXPECT_EQ(copy.id(), "p1");
    EXPECT_EQ(copy.version(), "2012-10-17");
}

TEST(Policy, MessagesStayPrintableForHostileInput) {
    const std::string hostile = doc(R"({"Effect": "Allow", "Action": ")" + std::string(500, 'x') +
                                    "\\u0001\", \"Resource\": \"*\"}");
    auto policy = Policy::parse(hostile, kIdentity);
    ASSERT_FALSE(policy);
    EXPECT_LT(policy.error().message.size(), 400u);
    EXPECT_NE(policy.error().message.find("(cut, 501 bytes in all)"), std::string::npos)
        << policy.error().message;
}

}  // namespace
}  // namespace wharf::policy
