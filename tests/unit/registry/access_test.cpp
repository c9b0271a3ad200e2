// AccessControl: identity, repository and registry policies evaluated together, with the
// condition keys the registry fills in.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using registry::AccessTarget;
using registry::Caller;

constexpr std::string_view kRepoArn = "arn:aws:ecr:us-east-1:000000000000:repository/";

std::string allow_all(std::string_view action = "ecr:*", std::string_view resource = "*") {
    return nlohmann::json{
        {"Version", "2012-10-17"},
        {"Statement", {{{"Effect", "Allow"}, {"Action", action}, {"Resource", resource}}}}}
        .dump();
}

// An identity policy allowing ecr:* under one condition.
std::string allow_if(const nlohmann::json& condition) {
    return nlohmann::json{
        {"Version", "2012-10-17"},
        {"Statement",
         {{{"Effect", "Allow"}, {"Action", "ecr:*"}, {"Resource", "*"}, {"Condition", condition}}}}}
        .dump();
}

// A resource policy with one statement.
std::string resource_policy(std::string_view effect, const nlohmann::json& principal,
                            const nlohmann::json& actions,
                            std::optional<std::string> resource = std::nullopt) {
    nlohmann::json s{{"Effect", effect}, {"Principal", principal}, {"Action", actions}};
    if (resource) {
        s["Resource"] = *resource;
    }
    return nlohmann::json{{"Version", "2012-10-17"}, {"Statement", {s}}}.dump();
}

Caller caller_of(storage::PrincipalKind kind, const std::string& name,
                 std::vector<std::string> policies = {}, storage::ResourceTags tags = {}) {
    auto id = std::make_shared<auth::Identity>();
    id->principal_id = 7;
    id->kind = kind;
    id->name = name;
    id->arn = auth::principal_arn(auth::AccountInfo{}, kind, name);
    id->unique_id = (kind == storage::PrincipalKind::user ? "AIDA" : "AROA") + name;
    id->account = "000000000000";
    id->tags = std::move(tags);
    for (std::size_t i = 0; i < policies.size(); ++i) {
        id->policies.emplace_back("policy" + std::to_string(i), std::move(policies[i]));
    }
    Caller c;
    c.identity = std::move(id);
    c.source_ip = "10.1.2.3";
    return c;
}
Caller user(const std::string& name, std::vector<std::string> policies = {},
            storage::ResourceTags tags = {}) {
    return caller_of(storage::PrincipalKind::user, name, std::move(policies), std::move(tags));
}
Caller role(const std::string& name, std::vector<std::string> policies = {}) {
    return caller_of(storage::PrincipalKind::role, name, std::move(policies));
}

class Access : public RegistryTest {
protected:
    void SetUp() override {
        RegistryTest::SetUp();
        ASSERT_TRUE(registry_->admin.create(repo("team/app"), {}, {}));
        ASSERT_TRUE(registry_->admin.create(repo("other"), {}, {}));
    }
    static AccessTarget on(std::string_view name) { return AccessTarget{repo(name)}; }
    Result<void> authorize(const Caller& c, std::string_view action,
                           const AccessTarget& target = on("team/app")) {
        auto decision = registry_->access.authorize(c, action, target);
        // allowed() must always agree with authorize().
        EXPECT_EQ(registry_->access.allowed(c, action, target), decision.has_value())
            << c.arn() << " " << action;
        return decision;
    }
    bool allowed(const Caller& c, std::string_view action,
                 const AccessTarget& target = on("team/app")) {
        return authorize(c, action, target).has_value();
    }
    void set_repository_policy(std::string_view name, const std::string& text) {
        auto set = registry_->admin.set_policy(repo(name), text);
        ASSERT_TRUE(set) << set.error().message;
    }
    void set_registry_policy(const std::string& text) {
        auto set = registry_->admin.set_registry_policy(text);
        ASSERT_TRUE(set) << set.error().message;
    }
};

TEST_F(Access, IdentityAllowOnEcrStarAllows) {
    const auto alice = user("alice", {allow_all()});
    EXPECT_TRUE(authorize(alice, "ecr:PutImage"));
    EXPECT_TRUE(authorize(alice, "ecr:DeleteRepository", on("other")));
    EXPECT_TRUE(authorize(alice, "ecr:GetAuthorizationToken", AccessTarget{}));
    EXPECT_FALSE(allowed(alice, "s3:GetObject"));
}

TEST_F(Access, IdentityResourcePatternScopesRepositories) {
    const auto alice = user("alice", {allow_all("ecr:*", std::string(kRepoArn) + "team/*")});
    EXPECT_TRUE(allowed(alice, "ecr:PutImage", on("team/app")));
    EXPECT_FALSE(allowed(alice, "ecr:PutImage", on("other")));
}

TEST_F(Access, NoPolicyIsDeniedWithEcrsMessage) {
    auto denied = authorize(user("alice"), "ecr:PutImage");
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::denied);
    const std::string expected =
        "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: ecr:PutImage "
        "on resource: arn:aws:ecr:us-east-1:000000000000:repository/team/app";
    EXPECT_EQ(denied.error().message.substr(0, expected.size()), expected)
        << denied.error().message;
    EXPECT_NE(denied.error().message.find("because no identity-based policy allows the "
                                          "ecr:PutImage action"),
              std::string::npos)
        << denied.error().message;
    EXPECT_EQ(denied.error().detail["action"], "ecr:PutImage");
    EXPECT_EQ(denied.error().detail["resource"],
              "arn:aws:ecr:us-east-1:000000000000:repository/team/app");
    EXPECT_EQ(denied.error().detail["principal"], "arn:aws:iam::000000000000:user/alice");
}

TEST_F(Access, RepositoryPolicyForARoleAllowsPullButNotPush) {
    set_repository_policy(
        "team/app", resource_policy("Allow", {{"AWS", "arn:aws:iam::000000000000:role/puller"}},
                                    {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}));
    const auto puller = role("puller");
    EXPECT_TRUE(authorize(puller, "ecr:BatchGetImage"));
    EXPECT_TRUE(authorize(puller, "ecr:GetDownloadUrlForLayer"));
    auto push = authorize(puller, "ecr:PutImage");
    ASSERT_FALSE(push);
    EXPECT_EQ(push.error().code, Errc::denied);
    EXPECT_NE(push.error().message.find("arn:aws:iam::000000000000:role/puller"),
              std::string::npos);
    EXPECT_FALSE(allowed(puller, "ecr:BatchGetImage", on("other")));  // another repository
    EXPECT_FALSE(allowed(user("puller"), "ecr:BatchGetImage"));       // a user of that name
}

TEST_F(Access, AccountPrincipalDelegatesToIdentityPolicies) {
    set_repository_policy("team/app", resource_policy("Allow", {{"AWS", "000000000000"}}, "ecr:*"));
    EXPECT_FALSE(allowed(user("alice"), "ecr:BatchGetImage"));
    EXPECT_TRUE(allowed(user("alice", {allow_all("ecr:BatchGetImage")}), "ecr:BatchGetImage"));
}

TEST_F(Access, ExplicitDenyInRepositoryPolicyBeatsIdentityAllow) {
    set_repository_policy("team/app", resource_policy("Deny", "*", "ecr:DeleteRepository"));
    const auto admin = user("admin", {allow_all()});
    auto denied = authorize(admin, "ecr:DeleteRepository");
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::denied);
    EXPECT_NE(denied.error().message.find("with an explicit deny in a resource-based policy"),
              std::string::npos)
        << denied.error().message;
    EXPECT_TRUE(authorize(admin, "ecr:PutImage"));
    EXPECT_TRUE(authorize(admin, "ecr:DeleteRepository", on("other")));
}

TEST_F(Access, RegistryPolicyAppliesToEveryRepository) {
    set_registry_policy(resource_policy("Allow", {{"AWS", "arn:aws:iam::000000000000:user/bob"}},
                                        "ecr:BatchGetImage", std::string(kRepoArn) + "*"));
    const auto bob = user("bob");
    EXPECT_TRUE(authorize(bob, "ecr:BatchGetImage", on("team/app")));
    EXPECT_TRUE(authorize(bob, "ecr:BatchGetImage", on("other")));
    EXPECT_EQ(authorize(bob, "ecr:PutImage").error().code, Errc::denied);
    EXPECT_FALSE(allowed(user("carol"), "ecr:BatchGetImage"));
    // A Deny in the registry policy beats an identity Allow too.
    set_registry_policy(resource_policy("Deny", "*", "ecr:PutImage"));
    EXPECT_EQ(authorize(user("admin", {allow_all()}), "ecr:PutImage").error().code, Errc::denied);
}

TEST_F(Access, AnonymousWithoutAGrantIsUnauthorized) {
    const Caller anonymous;
    auto refused = authorize(anonymous, "ecr:BatchGetImage");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::unauthorized);
    EXPECT_EQ(authorize(anonymous, "ecr:GetAuthorizationToken", AccessTarget{}).error().code,
              Errc::unauthorized);
}

TEST_F(Access, AnonymousMayPullWhereTheRepositoryPolicyNamesEveryone) {
    set_repository_policy("team/app", resource_policy("Allow", "*", {"ecr:BatchGetImage"}));
    const Caller anonymous;
    EXPECT_TRUE(authorize(anonymous, "ecr:BatchGetImage"));
    EXPECT_EQ(authorize(anonymous, "ecr:PutImage").error().code, Errc::unauthorized);
    EXPECT_EQ(authorize(anonymous, "ecr:BatchGetImage", on("other")).error().code,
              Errc::unauthorized);
}

TEST_F(Access, IdentityOnlyTargetsIgnoreRepositoryAndRegistryPolicies) {
    set_repository_policy("team/app", resource_policy("Allow", "*", "ecr:*"));
    set_registry_policy(resource_policy("Allow", "*", "ecr:*"));
    AccessTarget token_target{repo("team/app")};
    token_target.identity_only = true;
    EXPECT_TRUE(allowed(user("alice"), "ecr:BatchGetImage"));  // through the resource policy
    auto denied = authorize(user("alice"), "ecr:GetAuthorizationToken", token_target);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::denied);
    EXPECT_TRUE(authorize(user("alice", {allow_all("ecr:GetAuthorizationToken")}),
                          "ecr:GetAuthorizationToken", token_target));
}

// ---- condition keys ----

TEST_F(Access, SourceIpCondition) {
    auto alice = user("alice", {allow_if({{"IpAddress", {{"aws:SourceIp", "10.0.0.0/8"}}}})});
    alice.source_ip = "10.200.0.1";
    EXPECT_TRUE(allowed(alice, "ecr:PutImage"));
    alice.source_ip = "192.168.0.1";
    EXPECT_FALSE(allowed(alice, "ecr:PutImage"));
    alice.source_ip = "";  // unknown address: the key is absent, the condition fails
    EXPECT_FALSE(allowed(alice, "ecr:PutImage"));
}

TEST_F(Access, ResourceTagConditionReadsRepositoryTags) {
    ASSERT_TRUE(registry_->admin.create(repo("blue"), {}, {{"team", "blue"}}));
    ASSERT_TRUE(registry_->admin.create(repo("red"), {}, {{"team", "red"}}));
    const auto alice =
        user("alice", {allow_if({{"StringEquals", {{"ecr:ResourceTag/team", "blue"}}}})});
    EXPECT_TRUE(allowed(alice, "ecr:PutImage", on("blue")));
    EXPECT_FALSE(allowed(alice, "ecr:PutImage", on("red")));
    EXPECT_FALSE(allowed(alice, "ecr:PutImage", on("team/app")));  // untagged
    // Tags changed later are seen by the next decision.
    ASSERT_TRUE(registry_->admin.tag(repo("red"), {{"team", "blue"}}));
    EXPECT_TRUE(allowed(alice, "ecr:PutImage", on("red")));
}

TEST_F(Access, PrincipalTagCondition) {
    const auto policy = allow_if({{"StringEquals", {{"aws:PrincipalTag/team", "blue"}}}});
    EXPECT_TRUE(allowed(user("alice", {policy}, {{"team", "blue"}}), "ecr:PutImage"));
    EXPECT_FALSE(allowed(user("alice", {policy}, {{"team", "red"}}), "ecr:PutImage"));
    EXPECT_FALSE(allowed(user("alice", {policy}), "ecr:PutImage"));
}

TEST_F(Access, RequestTagAndTagKeysConditions) {
    const auto alice = user(
        "alice", {allow_if({{"StringEquals", {{"aws:RequestTag/env", "dev"}}},
                            {"ForAllValues:StringEquals", {{"aws:TagKeys", {"env", "team"}}}}})});
    auto target_with = [](const registry::RequestTags& tags) {
        AccessTarget t{repo("team/app")};
        t.request_tags = &tags;
        return t;
    };
    const registry::RequestTags dev{{"env", "dev"}};
    const registry::RequestTags dev_team{{"env", "dev"}, {"team", "blue"}};
    const registry::RequestTags prod{{"env", "prod"}};
    const registry::RequestTags extra_key{{"env", "dev"}, {"owner", "me"}};
    EXPECT_TRUE(allowed(alice, "ecr:TagResource", target_with(dev)));
    EXPECT_TRUE(allowed(alice, "ecr:TagResource", target_with(dev_team)));
    EXPECT_FALSE(allowed(alice, "ecr:TagResource", target_with(prod)));
    EXPECT_FALSE(allowed(alice, "ecr:TagResource", target_with(extra_key)));
    EXPECT_FALSE(allowed(alice, "ecr:TagResource", on("team/app")));  // no request tags
}

TEST_F(Access, SecureTransportCondition) {
    auto alice = user("alice", {allow_if({{"Bool", {{"aws:SecureTransport", "true"}}}})});
    alice.secure_transport = true;
    EXPECT_TRUE(allowed(alice, "ecr:PutImage"));
    alice.secure_transport = false;
    EXPECT_FALSE(allowed(alice, "ecr:PutImage"));
    // The usual guard: deny everything over plain HTTP in the repository policy.
    set_repository_policy(
        "team/app",
        nlohmann::json{{"Version", "2012-10-17"},
                       {"Statement",
                        {{{"Effect", "Deny"},
                          {"Principal", "*"},
                          {"Action", "ecr:*"},
                          {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}}}}}
            .dump());
    auto admin = user("admin", {allow_all()});
    admin.secure_transport = false;
    EXPECT_EQ(authorize(admin, "ecr:PutImage").error().code, Errc::denied);
    admin.secure_transport = true;
    EXPECT_TRUE(authorize(admin, "ecr:PutImage"));
}

TEST_F(Access, PolicyChangesThroughTheAdminAreSeenAtOnce) {
    const auto bob = user("bob");
    EXPECT_FALSE(allowed(bob, "ecr:BatchGetImage"));
    set_repository_policy("team/app",
                          resource_policy("Allow", {{"AWS", "arn:aws:iam::000000000000:user/bob"}},
                                          "ecr:BatchGetImage"));
    EXPECT_TRUE(allowed(bob, "ecr:BatchGetImage"));
    ASSERT_TRUE(registry_->admin.delete_policy(repo("team/app")));
    EXPECT_FALSE(allowed(bob, "ecr:BatchGetImage"));
    set_registry_policy(resource_policy("Allow", "*", "ecr:BatchGetImage"));
    EXPECT_TRUE(allowed(bob, "ecr:BatchGetImage"));
    ASSERT_TRUE(registry_->admin.delete_registry_policy());
    EXPECT_FALSE(allowed(bob, "ecr:BatchGetImage"));
    // A repository removed and created again starts without the old policy.
    set_repository_policy("other", resource_policy("Allow", "*", "ecr:BatchGetImage"));
    EXPECT_TRUE(allowed(bob, "ecr:BatchGetImage", on("other")));
    ASSERT_TRUE(registry_->admin.remove(repo("other"), true));
    ASSERT_TRUE(registry_->admin.create(repo("other"), {}, {}));
    EXPECT_FALSE(allowed(bob, "ecr:BatchGetImage", on("other")));
}

TEST_F(Access, ChangesMadeByAnotherProcessAreSeenWithinTheFactsLifetime) {
    const auto bob = user("bob");
    EXPECT_FALSE(allowed(bob, "ecr:BatchGetImage"));
    // Written straight to the store, as another wharf process sharing it would.
    auto done = meta_->write([&](storage::MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().find(repo("team/app")).value().value();
        r.policy_text = resource_policy("Allow", "*", "ecr:BatchGetImage");
        return tx.repositories().update(r);
    });
    ASSERT_TRUE(done) << done.error().message;
    clock_.advance(registry::AccessControl::kFactsLifetime);
    EXPECT_TRUE(allowed(bob, "ecr:BatchGetImage"));
}

TEST_F(Access, RepositoryCreatedByPushIsJudgedByItsTemplatePolicy) {
    const auto bob = user("bob");
    EXPECT_EQ(authorize(Caller{}, "ecr:BatchGetImage", on("pub/app")).error().code,
              Errc::unauthorized);
    ASSERT_TRUE(registry_->templates.create(
        {{"prefix", "pub"},
         {"appliedFor", nlohmann::json::array({"CREATE_ON_PUSH"})},
         {"repositoryPolicy", resource_policy("Allow", "*", "ecr:BatchGetImage")}}));
    ASSERT_TRUE(registry_->uploads.start(caller_, repo("pub/app")));
    EXPECT_TRUE(authorize(Caller{}, "ecr:BatchGetImage", on("pub/app")));
    EXPECT_TRUE(allowed(bob, "ecr:BatchGetImage", on("pub/app")));
}

TEST_F(Access, DecisionTable) {
    set_repository_policy("team/app",
                          resource_policy("Allow", {{"AWS", "arn:aws:iam::000000000000:role/ci"}},
                                          {"ecr:BatchGetImage", "ecr:PutImage"}));
    const Caller anonymous;
    const auto alice = user("alice");
    const auto admin = user("admin", {allow_all()});
    const auto ci = role("ci");
    const auto reader = user("reader", {allow_all("ecr:Batch*")});
    struct Row {
        const Caller& caller;
        std::string_view action;
        AccessTarget target;
        std::optional<Errc> error;  // nullopt: allowed
    };
    const std::vector<Row> rows{
        {anonymous, "ecr:BatchGetImage", on("team/app"), Errc::unauthorized},
        {anonymous, "ecr:DescribeRegistry", AccessTarget{}, Errc::unauthorized},
        {alice, "ecr:BatchGetImage", on("team/app"), Errc::denied},
        {admin, "ecr:DeleteRepository", on("other"), std::nullopt},
        {admin, "ecr:DescribeRegistry", AccessTarget{}, std::nullopt},
        {ci, "ecr:BatchGetImage", on("team/app"), std::nullopt},
        {ci, "ecr:PutImage", on("team/app"), std::nullopt},
        {ci, "ecr:DeleteRepository", on("team/app"), Errc::denied},
        {ci, "ecr:BatchGetImage", on("other"), Errc::denied},
        {reader, "ecr:BatchGetImage", on("other"), std::nullopt},
        {reader, "ecr:BatchCheckLayerAvailability", AccessTarget{}, std::nullopt},
        {reader, "ecr:PutImage", on("other"), Errc::denied},
    };
    for (const auto& row : rows) {
        auto decision = authorize(row.caller, row.action, row.target);  // also checks allowed()
        if (!row.error) {
            EXPECT_TRUE(decision) << row.caller.arn() << " " << row.action << ": "
                                  << decision.error().message;
        } else {
            EXPECT_FALSE(decision) << row.caller.arn() << " " << row.action;
            EXPECT_EQ(decision ? Errc::internal : decision.error().code, *row.error)
                << row.caller.arn() << " " << row.action;
        }
    }
}

}  // namespace
}  // namespace wharf::testing
