// AccountAdmin: users and roles, identity policies, access keys sealed with the master key.
#include "registry/accounts.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using storage::PrincipalKind;

const std::string kPullPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage",)"
    R"("Resource":"*"}]})";

bool all_of_alphabet(std::string_view text, std::string_view alphabet) {
    return std::all_of(text.begin(), text.end(),
                       [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

class Accounts : public RegistryTest {
protected:
    void SetUp() override {
        RegistryTest::SetUp();
        accounts_ = std::make_unique<registry::AccountAdmin>(registry_->ctx, box_);
    }
    std::optional<storage::AccessKeyRecord> stored_key(const std::string& id) {
        std::optional<storage::AccessKeyRecord> out;
        auto done = meta_->read([&](storage::MetadataTx& tx) -> Result<void> {
            auto found = tx.access_keys().find(id);
            if (!found) {
                return found.error();
            }
            out = std::move(*found);
            return ok();
        });
        EXPECT_TRUE(done) << done.error().message;
        return out;
    }
    std::vector<std::string> listed_key_ids() {
        std::vector<std::string> out;
        const auto keys = accounts_->list_keys().value();
        for (const auto& k : keys) {
            out.push_back(k.key.access_key_id);
        }
        return out;
    }

    SecretBox box_ = SecretBox::from_key(SecretBox::generate_key()).value();
    std::unique_ptr<registry::AccountAdmin> accounts_;
};

TEST_F(Accounts, CreateUsersAndRolesWithAwsStyleIds) {
    auto alice = accounts_->create(PrincipalKind::user, "alice");
    ASSERT_TRUE(alice) << alice.error().message;
    EXPECT_EQ(alice->name, "alice");
    EXPECT_EQ(alice->kind, PrincipalKind::user);
    EXPECT_EQ(alice->unique_id.substr(0, 4), "AIDA");
    EXPECT_EQ(alice->unique_id.size(), 21u);
    auto ci = accounts_->create(PrincipalKind::role, "ci");
    ASSERT_TRUE(ci) << ci.error().message;
    EXPECT_EQ(ci->unique_id.substr(0, 4), "AROA");
    auto same_name = accounts_->create(PrincipalKind::role, "alice");  // other kind: fine
    ASSERT_TRUE(same_name) << same_name.error().message;
    auto duplicate = accounts_->create(PrincipalKind::user, "alice");
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, Errc::already_exists);
    ASSERT_EQ(accounts_->list(PrincipalKind::user).value().size(), 1u);
    EXPECT_EQ(accounts_->list(PrincipalKind::role).value().size(), 2u);
}

TEST_F(Accounts, NamesFollowIamRules) {
    for (const auto& name :
         std::vector<std::string>{"a", "A.b-c_d@e+f=g,h", std::string(64, 'n')}) {
        EXPECT_TRUE(accounts_->create(PrincipalKind::user, name)) << name;
    }
    for (const auto& name : std::vector<std::string>{"", std::string(65, 'n'), "has space",
                                                     "slash/name", "colon:name", "\xc3\xbc"}) {
        auto made = accounts_->create(PrincipalKind::user, name);
        ASSERT_FALSE(made) << name;
        EXPECT_EQ(made.error().code, Errc::bad_request) << name;
        EXPECT_NE(made.error().message.find("1-64 characters"), std::string::npos);
    }
    EXPECT_EQ(accounts_->list(PrincipalKind::user).value().size(), 3u);
}

TEST_F(Accounts, PoliciesAreValidatedAsIdentityPolicies) {
    ASSERT_TRUE(accounts_->create(PrincipalKind::user, "alice"));
    ASSERT_TRUE(accounts_->put_policy(PrincipalKind::user, "alice", "pull", kPullPolicy));
    const std::string with_principal =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",)"
        R"("Action":"ecr:*","Resource":"*"}]})";
    auto refused = accounts_->put_policy(PrincipalKind::user, "alice", "bad", with_principal);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::bad_request);
    EXPECT_NE(refused.error().message.find("Principal"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(accounts_->put_policy(PrincipalKind::user, "alice", "bad", "{").error().code,
              Errc::bad_request);
    EXPECT_EQ(
        accounts_->put_policy(PrincipalKind::user, "alice", "bad name", kPullPolicy).error().code,
        Errc::bad_request);
    auto unknown = accounts_->put_policy(PrincipalKind::user, "bob", "pull", kPullPolicy);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    EXPECT_EQ(unknown.error().detail["kind"], "user");
    EXPECT_EQ(accounts_->put_policy(PrincipalKind::role, "alice", "pull", kPullPolicy).error().code,
              Errc::not_found);
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(accounts_->policies(PrincipalKind::user, "alice").value(),
              (Pairs{{"pull", kPullPolicy}}));
    ASSERT_TRUE(accounts_->delete_policy(PrincipalKind::user, "alice", "pull"));
    auto again = accounts_->delete_policy(PrincipalKind::user, "alice", "pull");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::not_found);
    EXPECT_EQ(again.error().detail["kind"], "policy");
    EXPECT_TRUE(accounts_->policies(PrincipalKind::user, "alice").value().empty());
}

TEST_F(Accounts, CreateKeyReturnsTheSecretOnceAndStoresItSealed) {
    ASSERT_TRUE(accounts_->create(PrincipalKind::user, "alice"));
    auto key = accounts_->create_key(PrincipalKind::user, "alice");
    ASSERT_TRUE(key) << key.error().message;
    const auto& id = key->key.access_key_id;
    EXPECT_EQ(id.substr(0, 4), "AKIA");
    EXPECT_EQ(id.size(), 20u);
    EXPECT_TRUE(all_of_alphabet(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")) << id;
    EXPECT_EQ(key->secret.size(), 40u);
    EXPECT_EQ(key->principal.name, "alice");
    EXPECT_TRUE(key->key.active);

    auto stored = stored_key(id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->principal_id, key->principal.id);
    EXPECT_NE(stored->sealed_secret, key->secret);
    EXPECT_EQ(stored->sealed_secret.find(key->secret), std::string::npos);
    EXPECT_EQ(box_.open(stored->sealed_secret, id).value(), key->secret);
    // Bound to its key id: the sealed value does not open for another id.
    EXPECT_FALSE(box_.open(stored->sealed_secret, "AKIAOTHER"));

    auto second = accounts_->create_key(PrincipalKind::user, "alice").value();
    EXPECT_NE(second.key.access_key_id, id);
    EXPECT_NE(second.secret, key->secret);
}

TEST_F(Accounts, CreateKeyForUnknownPrincipalIsNotFoundAndStoresNothing) {
    auto key = accounts_->create_key(PrincipalKind::user, "ghost");
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, Errc::not_found);
    EXPECT_TRUE(accounts_->list_keys().value().empty());
}

TEST_F(Accounts, ListActivateAndDeleteKeys) {
    ASSERT_TRUE(accounts_->create(PrincipalKind::user, "alice"));
    ASSERT_TRUE(accounts_->create(PrincipalKind::role, "ci"));
    const auto a = accounts_->create_key(PrincipalKind::user, "alice").value().key.access_key_id;
    const auto c = accounts_->create_key(PrincipalKind::role, "ci").value().key.access_key_id;
    auto listed = accounts_->list_keys().value();
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].key.access_key_id, a);
    EXPECT_EQ(listed[0].principal.name, "alice");
    EXPECT_EQ(listed[1].key.access_key_id, c);
    EXPECT_EQ(listed[1].principal.kind, PrincipalKind::role);

    ASSERT_TRUE(accounts_->set_key_active(a, false));
    EXPECT_FALSE(stored_key(a)->active);
    EXPECT_TRUE(stored_key(c)->active);
    ASSERT_TRUE(accounts_->set_key_active(a, true));
    EXPECT_TRUE(stored_key(a)->active);
    auto unknown = accounts_->set_key_active("AKIAUNKNOWN", false);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    EXPECT_EQ(unknown.error().detail["kind"], "access_key");

    ASSERT_TRUE(accounts_->delete_key(a));
    EXPECT_FALSE(stored_key(a));
    auto again = accounts_->delete_key(a);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::not_found);
    EXPECT_EQ(listed_key_ids(), std::vector<std::string>{c});
}

TEST_F(Accounts, RemovingAPrincipalRemovesItsKeys) {
    ASSERT_TRUE(accounts_->create(PrincipalKind::user, "alice"));
    ASSERT_TRUE(accounts_->create(PrincipalKind::user, "bob"));
    const auto a = accounts_->create_key(PrincipalKind::user, "alice").value().key.access_key_id;
    const auto b = accounts_->create_key(PrincipalKind::user, "bob").value().key.access_key_id;
    ASSERT_TRUE(accounts_->remove(PrincipalKind::user, "alice"));
    EXPECT_FALSE(stored_key(a));
    EXPECT_EQ(listed_key_ids(), std::vector<std::string>{b});
    EXPECT_EQ(accounts_->remove(PrincipalKind::user, "alice").error().code, Errc::not_found);
}

TEST_F(Accounts, BootstrapAdminOnlyOnAnEmptyAccount) {
    auto first = accounts_->bootstrap_admin("admin");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->has_value());
    const auto& key = **first;
    EXPECT_EQ(key.principal.name, "admin");
    EXPECT_EQ(key.principal.kind, PrincipalKind::user);
    EXPECT_EQ(key.key.access_key_id.substr(0, 4), "AKIA");
    EXPECT_EQ(key.secret.size(), 40u);
    EXPECT_EQ(
        box_.open(stored_key(key.key.access_key_id)->sealed_secret, key.key.access_key_id).value(),
        key.secret);
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(accounts_->policies(PrincipalKind::user, "admin").value(),
              (Pairs{{"AdministratorAccess", std::string(registry::kAdministratorPolicy)}}));

    auto second = accounts_->bootstrap_admin("admin");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->has_value());
    EXPECT_EQ(accounts_->list_keys().value().size(), 1u);
}

TEST_F(Accounts, BootstrapAdminSkipsAnAccountThatHasOnlyRoles) {
    ASSERT_TRUE(accounts_->create(PrincipalKind::role, "ci"));
    auto made = accounts_->bootstrap_admin("admin");
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_FALSE(made->has_value());
    EXPECT_TRUE(accounts_->list(PrincipalKind::user).value().empty());
}

}  // namespace
}  // namespace wharf::testing
