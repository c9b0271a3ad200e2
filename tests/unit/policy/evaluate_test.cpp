// Evaluation tables after AWS's policy evaluation logic (same account): explicit deny beats any
// allow, an allow in an identity or a resource policy allows, an account principal delegates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace wharf::policy {
namespace {

const std::string kAccount = "123456789012";
const std::string kAlice = "arn:aws:iam::123456789012:user/alice";
const std::string kBob = "arn:aws:iam::123456789012:user/bob";
const std::string kCi = "arn:aws:iam::123456789012:role/ci";
const std::string kRoot = "arn:aws:iam::123456789012:root";
const std::string kRepo = "arn:aws:ecr:us-east-1:123456789012:repository/team/app";
const std::string kOtherRepo = "arn:aws:ecr:us-east-1:123456789012:repository/other/app";

struct Req {
    std::string action = "ecr:PutImage";
    std::string resource = kRepo;
    std::string arn = kAlice;
    std::string account = kAccount;
};
const Req kAnonymous{"ecr:BatchGetImage", kRepo, "", ""};

struct EvalCase {
    std::string name;
    std::vector<std::string> identity;
    std::vector<std::string> resource;
    Req req;
    Outcome outcome;
    Source source = Source::none;
    std::string statement = {};
};

void PrintTo(const EvalCase& c, std::ostream* os) {
    *os << c.name;
}

std::string policy(const std::string& statements) {
    return R"({"Version": "2012-10-17", "Statement": [)" + statements + "]}";
}
std::string allow(const std::string& body) {
    return R"({"Effect": "Allow", )" + body + "}";
}
std::string deny(const std::string& body) {
    return R"({"Effect": "Deny", )" + body + "}";
}
std::string aws(const std::string& who) {
    return R"("Principal": {"AWS": ")" + who + R"("}, )";
}

const std::string kAllActions = R"("Action": "*", "Resource": "*")";
const std::string kEcrAll = R"("Action": "ecr:*", "Resource": "*")";
const std::string kAnyEcr = R"("Action": "ecr:*")";  // resource policy: attached resource

constexpr auto kAllow = Outcome::allow;
constexpr auto kDeny = Outcome::explicit_deny;
constexpr auto kImplicit = Outcome::implicit_deny;
constexpr auto kId = Source::identity;
constexpr auto kRes = Source::resource;

std::vector<EvalCase> cases() {
    const std::string team =
        R"("Resource": "arn:aws:ecr:us-east-1:123456789012:repository/team/*")";
    return {
        {"NoPoliciesImplicitDeny", {}, {}, {}, kImplicit},
        {"IdentityAllowAll", {policy(allow(kAllActions))}, {}, {}, kAllow, kId, "#0"},
        {"IdentityAllowNamesSid",
         {policy(allow(R"("Sid": "Push", )" + kEcrAll))},
         {},
         {},
         kAllow,
         kId,
         "Push"},
        {"ActionStarMatchesOtherServices",
         {policy(allow(kAllActions))},
         {},
         {"s3:GetObject", "*"},
         kAllow,
         kId,
         "#0"},
        {"ActionCaseInsensitive",
         {policy(allow(R"("Action": "ECR:putimage", "Resource": "*")"))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"ActionPrefixWildcard",
         {policy(allow(R"("Action": "ecr:Batch*", "Resource": "*")"))},
         {},
         {},
         kImplicit},
        {"ActionQuestionMark",
         {policy(allow(R"("Action": "ecr:?utImage", "Resource": "*")"))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"ResourceCaseSensitive",
         {policy(allow(
             R"("Action": "ecr:*", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/Team/*")"))},
         {},
         {},
         kImplicit},
        {"ResourceStarSpansSlash",
         {policy(allow(R"("Action": "ecr:*", )" + team))},
         {},
         {"ecr:PutImage", kRepo + "/api"},
         kAllow,
         kId,
         "#0"},
        {"ResourceQuestionMarkOneChar",
         {policy(allow(
             R"("Action": "ecr:*", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/team/ap?")"))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"ResourceQuestionMarkNotTwo",
         {policy(allow(
             R"("Action": "ecr:*", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/team/a?")"))},
         {},
         {},
         kImplicit},
        {"RegistryActionNeedsStarResource",
         {policy(allow(R"("Action": "ecr:*", )" + team))},
         {},
         {"ecr:GetAuthorizationToken", "*"},
         kImplicit},
        {"SecondStatementDecides",
         {policy(allow(R"("Action": "ecr:DeleteRepository", "Resource": "*")") + ", " +
                 allow(kEcrAll))},
         {},
         {},
         kAllow,
         kId,
         "#1"},
        {"IdentityDenyBeatsIdentityAllow",
         {policy(allow(kAllActions)), policy(deny(R"("Sid": "NoPush", )" + kEcrAll))},
         {},
         {},
         kDeny,
         kId,
         "NoPush"},
        {"ResourceDenyBeatsIdentityAllow",
         {policy(allow(kAllActions))},
         {policy(deny(R"("Principal": "*", )" + kAnyEcr))},
         {},
         kDeny,
         kRes,
         "#0"},
        {"IdentityDenyBeatsResourceAllow",
         {policy(deny(kEcrAll))},
         {policy(allow(aws(kAlice) + kAnyEcr))},
         {},
         kDeny,
         kId,
         "#0"},
        {"IdentityDenyReportedFirst",
         {policy(deny(R"("Sid": "IdDeny", )" + kEcrAll))},
         {policy(deny(R"("Sid": "ResDeny", "Principal": "*", )" + kAnyEcr))},
         {},
         kDeny,
         kId,
         "IdDeny"},
        {"ResourceAllowForUserArn",
         {},
         {policy(allow(aws(kAlice) + kAnyEcr))},
         {},
         kAllow,
         kRes,
         "#0"},
        {"ResourceAllowForRoleArn",
         {},
         {policy(allow(aws(kCi) + kAnyEcr))},
         {"ecr:PutImage", kRepo, kCi, kAccount},
         kAllow,
         kRes,
         "#0"},
        {"ResourceAllowOtherUserImplicit", {}, {policy(allow(aws(kBob) + kAnyEcr))}, {}, kImplicit},
        {"ResourcePolicyResourceElement",
         {},
         {policy(allow(aws(kAlice) + R"("Action": "ecr:*", )" + team))},
         {"ecr:PutImage", kOtherRepo},
         kImplicit},
        {"AccountPrincipalDoesNotGrantAlone",
         {},
         {policy(allow(aws(kAccount) + kAnyEcr))},
         {},
         kImplicit},
        {"RootPrincipalDoesNotGrantAlone",
         {},
         {policy(allow(aws(kRoot) + kAnyEcr))},
         {},
         kImplicit},
        {"AccountPrincipalWithIdentityAllow",
         {policy(allow(kEcrAll))},
         {policy(allow(aws(kAccount) + kAnyEcr))},
         {},
         kAllow,
         kId,
         "#0"},
        {"AccountPrincipalDenyAppliesToUsers",
         {policy(allow(kEcrAll))},
         {policy(deny(aws(kAccount) + kAnyEcr))},
         {},
         kDeny,
         kRes,
         "#0"},
        {"DirectStatementAfterAccountStatement",
         {},
         {policy(allow(aws(kAccount) + kAnyEcr) + ", " +
                 allow(R"("Sid": "Alice", )" + aws(kAlice) + kAnyEcr))},
         {},
         kAllow,
         kRes,
         "Alice"},
        {"AnonymousPrincipalStar",
         {},
         {policy(allow(R"("Principal": "*", )" + kAnyEcr))},
         kAnonymous,
         kAllow,
         kRes,
         "#0"},
        {"AnonymousAwsStar",
         {},
         {policy(allow(aws("*") + kAnyEcr))},
         kAnonymous,
         kAllow,
         kRes,
         "#0"},
        {"AnonymousNotNamedByUser",
         {},
         {policy(allow(aws(kAlice) + kAnyEcr))},
         kAnonymous,
         kImplicit},
        {"AnonymousNotNamedByAccount",
         {},
         {policy(allow(aws(kAccount) + kAnyEcr))},
         kAnonymous,
         kImplicit},
        {"ServicePrincipalNeverMatchesUsers",
         {},
         {policy(allow(R"("Principal": {"Service": "codebuild.amazonaws.com"}, )" + kAnyEcr))},
         {},
         kImplicit},
        {"NotActionAllowsOthers",
         {policy(allow(R"("NotAction": "ecr:Delete*", "Resource": "*")"))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"NotActionExcludesListed",
         {policy(allow(R"("NotAction": "ecr:Delete*", "Resource": "*")"))},
         {},
         {"ecr:DeleteRepository"},
         kImplicit},
        {"NotActionDeny",
         {policy(allow(kEcrAll) + ", " +
                 deny(R"("NotAction": ["ecr:BatchGetImage", "ecr:Get*"], "Resource": "*")"))},
         {},
         {},
         kDeny,
         kId,
         "#1"},
        {"NotResourceDenyOutside",
         {policy(allow(kEcrAll) + ", " + deny(R"("Action": "ecr:*", "Not)" + team.substr(1)))},
         {},
         {"ecr:PutImage", kOtherRepo},
         kDeny,
         kId,
         "#1"},
        {"NotResourceDenySparesInside",
         {policy(allow(kEcrAll) + ", " + deny(R"("Action": "ecr:*", "Not)" + team.substr(1)))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"NotPrincipalExemptsListedUserAndAccount",
         {policy(allow(kEcrAll))},
         {policy(deny(R"("NotPrincipal": {"AWS": [")" + kRoot + R"(", ")" + kAlice + R"("]}, )" +
                      kAnyEcr))},
         {},
         kAllow,
         kId,
         "#0"},
        {"NotPrincipalDeniesOthers",
         {policy(allow(kEcrAll))},
         {policy(deny(R"("NotPrincipal": {"AWS": [")" + kRoot + R"(", ")" + kAlice + R"("]}, )" +
                      kAnyEcr))},
         {"ecr:PutImage", kRepo, kBob, kAccount},
         kDeny,
         kRes,
         "#0"},
        {"NotPrincipalUserWithoutAccountStillDenied",
         {policy(allow(kEcrAll))},
         {policy(deny(R"("NotPrincipal": {"AWS": ")" + kAlice + R"("}, )" + kAnyEcr))},
         {},
         kDeny,
         kRes,
         "#0"},
        {"NotPrincipalDeniesAnonymous",
         {},
         {policy(allow(R"("Principal": "*", )" + kAnyEcr) + ", " +
                 deny(R"("NotPrincipal": {"AWS": ")" + kAccount + R"("}, )" + kAnyEcr))},
         kAnonymous,
         kDeny,
         kRes,
         "#1"},
        {"DenyWithFailingConditionIgnored",
         {policy(allow(kEcrAll) + ", " +
                 deny(kEcrAll + R"(, "Condition": {"Bool": {"aws:SecureTransport": "false"}})"))},
         {},
         {},
         kAllow,
         kId,
         "#0"},
        {"AllowWithFailingConditionImplicit",
         {policy(
             allow(kEcrAll + R"(, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})"))},
         {},
         {},
         kImplicit},
    };
}

class Evaluate : public ::testing::TestWithParam<EvalCase> {};

std::vector<Policy> parse_all(const std::vector<std::string>& texts, PolicyKind kind) {
    std::vector<Policy> out;
    for (const auto& t : texts) {
        auto p = Policy::parse(t, kind);
        EXPECT_TRUE(p) << p.error().message << "\n" << t;
        if (p) {
            out.push_back(*p);
        }
    }
    return out;
}

std::vector<const Policy*> pointers(const std::vector<Policy>& policies) {
    std::vector<const Policy*> out;
    for (const auto& p : policies) {
        out.push_back(&p);
    }
    return out;
}

TEST_P(Evaluate, Decides) {
    const auto& c = GetParam();
    const auto identity = parse_all(c.identity, PolicyKind::identity);
    const auto resource = parse_all(c.resource, PolicyKind::resource);
    ConditionContext context;
    context.set("aws:SecureTransport", "true");
    context.set("aws:SourceIp", "192.0.2.10");
    const AccessRequest request{c.req.action, c.req.resource, c.req.arn, c.req.account, &context};
    const auto d = evaluate(request, pointers(identity), pointers(resource));
    EXPECT_EQ(to_string(d.outcome), to_string(c.outcome));
    EXPECT_EQ(d.source, c.source);
    EXPECT_EQ(d.statement, c.statement);
}

INSTANTIATE_TEST_SUITE_P(Policy, Evaluate, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Evaluate, SkipsNullPolicies) {
    auto p = Policy::parse(policy(allow(kEcrAll)), PolicyKind::identity);
    ASSERT_TRUE(p);
    const std::vector<const Policy*> identity{nullptr, &*p};
    const std::vector<const Policy*> resource{nullptr};
    const AccessRequest request{"ecr:PutImage", kRepo, kAlice, kAccount};
    EXPECT_EQ(evaluate(request, identity, resource).outcome, Outcome::allow);
}

TEST(Explain, Texts) {
    EXPECT_EQ(explain({}, "ecr:PutImage"),
              "because no identity-based policy allows the ecr:PutImage action");
    EXPECT_EQ(explain({Outcome::explicit_deny, Source::resource, "#0"}, "ecr:PutImage"),
              "with an explicit deny in a resource-based policy");
    EXPECT_EQ(explain({Outcome::explicit_deny, Source::identity, "D"}, "ecr:PutImage"),
              "with an explicit deny in an identity-based policy");
    EXPECT_EQ(explain({Outcome::allow, Source::resource, "A"}, "ecr:BatchGetImage"),
              "because a resource-based policy allows the ecr:BatchGetImage action");
}

}  // namespace
}  // namespace wharf::policy
