// PrincipalTable and AccessKeyTable of the MetadataStore contract, run against every driver.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "control_plane_harness.hpp"

namespace wharf::storage::conformance {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> names(const std::vector<PrincipalRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) {
        out.push_back(r.name);
    }
    return out;
}

std::vector<std::string> key_ids(const std::vector<AccessKeyRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) {
        out.push_back(r.access_key_id);
    }
    return out;
}

class PrincipalConformance : public StoreConformance {
protected:
    std::int64_t create(PrincipalKind kind, const std::string& name, TimePoint now = at(0)) {
        std::int64_t id = 0;
        write([&](MetadataTx& tx) -> Result<void> {
            auto p = tx.principals().create(
                kind, name, (kind == PrincipalKind::user ? "AIDA" : "AROA") + name, now);
            id = p ? p->id : 0;
            return status(p);
        });
        return id;
    }
    void create_key(const std::string& id, std::int64_t principal, TimePoint now,
                    bool active = true) {
        write([&](MetadataTx& tx) {
            return tx.access_keys().create({id, principal, "sealed " + id, active, now});
        });
    }
};

// ---- principals ----

TEST_P(PrincipalConformance, CreateRoundTripsAndFindsByNameAndId) {
    std::int64_t id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.principals().create(PrincipalKind::user, "alice", "AIDAALICE", at(7));
        if (!p) {
            return p.error();
        }
        id = p->id;
        EXPECT_NE(p->id, 0);
        EXPECT_EQ(p->kind, PrincipalKind::user);
        EXPECT_EQ(p->name, "alice");
        EXPECT_EQ(p->unique_id, "AIDAALICE");
        EXPECT_EQ(p->created_at, at(7));
        EXPECT_TRUE(p->tags.empty());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto by_name = tx.principals().find(PrincipalKind::user, "alice").value();
        EXPECT_TRUE(by_name);
        EXPECT_EQ(by_name->id, id);
        EXPECT_EQ(by_name->unique_id, "AIDAALICE");
        EXPECT_EQ(by_name->created_at, at(7));
        auto by_id = tx.principals().find_by_id(id).value();
        EXPECT_TRUE(by_id);
        EXPECT_EQ(by_id->name, "alice");
        EXPECT_EQ(by_id->kind, PrincipalKind::user);
        EXPECT_FALSE(tx.principals().find(PrincipalKind::role, "alice").value());
        EXPECT_FALSE(tx.principals().find(PrincipalKind::user, "Alice").value());
        EXPECT_FALSE(tx.principals().find_by_id(id + 100).value());
        return ok();
    });
}

TEST_P(PrincipalConformance, DuplicateNameOfTheSameKindIsAlreadyExists) {
    create(PrincipalKind::user, "alice");
    const Error e = write_error([&](MetadataTx& tx) {
        return status(tx.principals().create(PrincipalKind::user, "alice", "AIDAOTHER", at(1)));
    });
    EXPECT_EQ(e.code, Errc::already_exists);
    EXPECT_NE(e.message.find("alice"), std::string::npos) << e.message;
    // The same name is free for the other kind.
    const auto role = create(PrincipalKind::role, "alice");
    EXPECT_NE(role, 0);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.principals().list(PrincipalKind::user).value().size(), 1u);
        EXPECT_EQ(tx.principals().find(PrincipalKind::role, "alice").value()->id, role);
        EXPECT_NE(tx.principals().find(PrincipalKind::user, "alice").value()->id, role);
        return ok();
    });
}

TEST_P(PrincipalConformance, ListIsPerKindInNameOrder) {
    for (const char* n : {"carol", "alice", "Bob", "bob"}) {
        create(PrincipalKind::user, n);
    }
    create(PrincipalKind::role, "deployer");
    create(PrincipalKind::role, "builder");
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(names(tx.principals().list(PrincipalKind::user).value()),
                  (std::vector<std::string>{"Bob", "alice", "bob", "carol"}));
        auto roles = tx.principals().list(PrincipalKind::role).value();
        EXPECT_EQ(names(roles), (std::vector<std::string>{"builder", "deployer"}));
        for (const auto& r : roles) {
            EXPECT_EQ(r.kind, PrincipalKind::role);
            EXPECT_EQ(r.unique_id, "AROA" + r.name);
        }
        return ok();
    });
}

TEST_P(PrincipalConformance, PoliciesPutReplaceRemoveInNameOrder) {
    const auto alice = create(PrincipalKind::user, "alice");
    const auto bob = create(PrincipalKind::user, "bob");
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.principals().put_policy(alice, "zeta", "doc z"));
        EXPECT_TRUE(tx.principals().put_policy(alice, "alpha", "doc a"));
        EXPECT_TRUE(tx.principals().put_policy(alice, "mid", "doc m"));
        EXPECT_TRUE(tx.principals().put_policy(bob, "alpha", "bob's"));
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.principals().put_policy(alice, "mid", "doc m2"); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.principals().policies(alice).value(),
                  (Pairs{{"alpha", "doc a"}, {"mid", "doc m2"}, {"zeta", "doc z"}}));
        EXPECT_EQ(tx.principals().policies(bob).value(), (Pairs{{"alpha", "bob's"}}));
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.principals().remove_policy(alice, "alpha").value());
        EXPECT_FALSE(tx.principals().remove_policy(alice, "alpha").value());
        EXPECT_FALSE(tx.principals().remove_policy(alice, "never").value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.principals().policies(alice).value(),
                  (Pairs{{"mid", "doc m2"}, {"zeta", "doc z"}}));
        EXPECT_EQ(tx.principals().policies(bob).value(), (Pairs{{"alpha", "bob's"}}));
        EXPECT_TRUE(tx.principals().policies(alice + bob + 100).value().empty());
        return ok();
    });
}

TEST_P(PrincipalConformance, SetTagsReplacesAndRoundTrips) {
    const auto alice = create(PrincipalKind::user, "alice");
    const ResourceTags tags{{"team", "blue"}, {"env", ""}, {"a", "b"}};
    write([&](MetadataTx& tx) { return tx.principals().set_tags(alice, {{"old", "x"}}); });
    write([&](MetadataTx& tx) { return tx.principals().set_tags(alice, tags); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.principals().find_by_id(alice).value()->tags, tags);
        EXPECT_EQ(tx.principals().find(PrincipalKind::user, "alice").value()->tags, tags);
        EXPECT_EQ(tx.principals().list(PrincipalKind::user).value().at(0).tags, tags);
        return ok();
    });
}

TEST_P(PrincipalConformance, RemoveCascadesToKeysAndPolicies) {
    const auto alice = create(PrincipalKind::user, "alice");
    const auto bob = create(PrincipalKind::user, "bob");
    create_key("AKIAALICE1", alice, at(1));
    create_key("AKIABOB1", bob, at(2));
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.principals().put_policy(alice, "p", "doc"));
        EXPECT_TRUE(tx.principals().put_policy(bob, "p", "doc"));
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.principals().remove(alice).value());
        EXPECT_FALSE(tx.principals().remove(alice).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.principals().find_by_id(alice).value());
        EXPECT_FALSE(tx.access_keys().find("AKIAALICE1").value());
        EXPECT_TRUE(tx.access_keys().list(alice).value().empty());
        EXPECT_TRUE(tx.principals().policies(alice).value().empty());
        EXPECT_TRUE(tx.access_keys().find("AKIABOB1").value());
        EXPECT_EQ(tx.principals().policies(bob).value().size(), 1u);
        EXPECT_EQ(key_ids(tx.access_keys().list(std::nullopt).value()),
                  std::vector<std::string>{"AKIABOB1"});
        return ok();
    });
    // The name is free again, and the new principal inherits nothing.
    const auto again = create(PrincipalKind::user, "alice", at(9));
    ASSERT_NE(again, 0);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.principals().policies(again).value().empty());
        EXPECT_TRUE(tx.access_keys().list(again).value().empty());
        return ok();
    });
}

// ---- access keys ----

TEST_P(PrincipalConformance, AccessKeyRoundTripsEveryField) {
    const auto alice = create(PrincipalKind::user, "alice");
    create_key("AKIAACTIVE", alice, at(3));
    create_key("AKIAINACTIVE", alice, at(4), false);
    read([&](MetadataTx& tx) -> Result<void> {
        auto k = tx.access_keys().find("AKIAACTIVE").value();
        EXPECT_TRUE(k);
        EXPECT_EQ(k->access_key_id, "AKIAACTIVE");
        EXPECT_EQ(k->principal_id, alice);
        EXPECT_EQ(k->sealed_secret, "sealed AKIAACTIVE");
        EXPECT_TRUE(k->active);
        EXPECT_EQ(k->created_at, at(3));
        EXPECT_FALSE(tx.access_keys().find("AKIAINACTIVE").value()->active);
        EXPECT_FALSE(tx.access_keys().find("AKIAUNKNOWN").value());
        EXPECT_FALSE(tx.access_keys().find("akiaactive").value());  // ids are case-sensitive
        return ok();
    });
}

TEST_P(PrincipalConformance, DuplicateAccessKeyIdIsAlreadyExists) {
    const auto alice = create(PrincipalKind::user, "alice");
    const auto bob = create(PrincipalKind::user, "bob");
    create_key("AKIADUP", alice, at(1));
    const Error e = write_error([&](MetadataTx& tx) {
        return tx.access_keys().create({"AKIADUP", bob, "other", true, at(2)});
    });
    EXPECT_EQ(e.code, Errc::already_exists);
    read([&](MetadataTx& tx) -> Result<void> {
        auto k = tx.access_keys().find("AKIADUP").value();
        EXPECT_EQ(k->principal_id, alice);  // the first one is untouched
        EXPECT_EQ(k->sealed_secret, "sealed AKIADUP");
        return ok();
    });
}

TEST_P(PrincipalConformance, AccessKeyForMissingPrincipalFails) {
    const auto alice = create(PrincipalKind::user, "alice");
    const Error e = write_error([&](MetadataTx& tx) {
        return tx.access_keys().create({"AKIAORPHAN", alice + 1000, "s", true, at(1)});
    });
    EXPECT_EQ(e.code, Errc::not_found);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.access_keys().find("AKIAORPHAN").value());
        return ok();
    });
}

TEST_P(PrincipalConformance, ListKeysAllOrByPrincipalInCreationOrder) {
    const auto alice = create(PrincipalKind::user, "alice");
    const auto bob = create(PrincipalKind::role, "bob");
    const auto carol = create(PrincipalKind::user, "carol");
    create_key("AKIAZZZ", alice, at(1));
    create_key("AKIAMMM", bob, at(2));
    create_key("AKIAAAA", alice, at(3));
    // Created in the same millisecond: still in the order of creation, not of id.
    create_key("AKIAYYY", bob, at(4));
    create_key("AKIABBB", bob, at(4));
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(
            key_ids(tx.access_keys().list(std::nullopt).value()),
            (std::vector<std::string>{"AKIAZZZ", "AKIAMMM", "AKIAAAA", "AKIAYYY", "AKIABBB"}));
        EXPECT_EQ(key_ids(tx.access_keys().list(alice).value()),
                  (std::vector<std::string>{"AKIAZZZ", "AKIAAAA"}));
        EXPECT_EQ(key_ids(tx.access_keys().list(bob).value()),
                  (std::vector<std::string>{"AKIAMMM", "AKIAYYY", "AKIABBB"}));
        EXPECT_TRUE(tx.access_keys().list(carol).value().empty());
        return ok();
    });
}

TEST_P(PrincipalConformance, SetActiveAndRemoveReportWhetherTheKeyExisted) {
    const auto alice = create(PrincipalKind::user, "alice");
    create_key("AKIAONE", alice, at(1));
    create_key("AKIATWO", alice, at(2));
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.access_keys().set_active("AKIAONE", false).value());
        EXPECT_FALSE(tx.access_keys().set_active("AKIAUNKNOWN", false).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.access_keys().find("AKIAONE").value()->active);
        EXPECT_TRUE(tx.access_keys().find("AKIATWO").value()->active);
        return ok();
    });
    write([&](MetadataTx& tx) { return status(tx.access_keys().set_active("AKIAONE", true)); });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.access_keys().find("AKIAONE").value()->active);
        EXPECT_TRUE(tx.access_keys().remove("AKIAONE").value());
        EXPECT_FALSE(tx.access_keys().remove("AKIAONE").value());
        EXPECT_FALSE(tx.access_keys().remove("AKIAUNKNOWN").value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.access_keys().find("AKIAONE").value());
        EXPECT_EQ(key_ids(tx.access_keys().list(alice).value()),
                  std::vector<std::string>{"AKIATWO"});
        EXPECT_TRUE(tx.principals().find_by_id(alice).value());  // the principal stays
        return ok();
    });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PrincipalConformance, ::testing::Values(&make_sqlite_store));

}  // namespace
}  // namespace wharf::storage::conformance
