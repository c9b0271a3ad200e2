// RepositoryAdmin: creation with settings, deletion, policies, resource tags, registry policy.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";
const std::string kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow",)"
    R"("Principal":{"AWS":"arn:aws:iam::000000000000:role/puller"},)"
    R"("Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]})";
const std::string kNoPrincipal =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*"}]})";

class RepositoryAdmin : public RegistryTest {
protected:
    Result<storage::RepositoryRecord> create(std::string_view name,
                                             const storage::RepositorySettings& settings = {},
                                             const storage::ResourceTags& tags = {}) {
        return registry_->admin.create(repo(name), settings, tags);
    }
    bool exists(std::string_view name) { return registry_->admin.get(repo(name)).has_value(); }
    storage::ResourceTags tags_of(std::string_view name) {
        auto r = registry_->admin.get(repo(name));
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->tags : storage::ResourceTags{};
    }
    static storage::ResourceTags numbered_tags(int n, std::string_view prefix = "k") {
        storage::ResourceTags tags;
        for (int i = 0; i < n; ++i) {
            tags.emplace_back(std::string(prefix) + std::to_string(i), "v");
        }
        return tags;
    }
};

// ---- create / get / remove ----

TEST_F(RepositoryAdmin, CreateStoresSettingsAndTagsOnce) {
    storage::RepositorySettings settings;
    settings.tag_mutability = "IMMUTABLE_WITH_EXCLUSION";
    settings.mutability_exclusions = {"latest"};
    settings.scan_on_push = true;
    const storage::ResourceTags tags{{"team", "blue"}, {"env", "prod"}};
    auto made = create("team/app", settings, tags);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->name, repo("team/app"));
    EXPECT_EQ(made->tags, tags);
    EXPECT_EQ(made->created_at, clock_.now());
    auto got = registry_->admin.get(repo("team/app")).value();
    EXPECT_EQ(got.settings.tag_mutability, "IMMUTABLE_WITH_EXCLUSION");
    EXPECT_EQ(got.settings.mutability_exclusions, std::vector<std::string>{"latest"});
    EXPECT_TRUE(got.settings.scan_on_push);
    EXPECT_EQ(got.tags, tags);
    EXPECT_FALSE(got.policy_text);

    auto again = create("team/app");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::already_exists);
    EXPECT_EQ(again.error().message,
              "The repository with name 'team/app' already exists in the registry with id "
              "'000000000000'");
    EXPECT_EQ(again.error().detail["kind"], "repository");
    EXPECT_EQ(registry_->admin.get(repo("team/app"))->tags, tags);  // untouched
}

struct InvalidCreate {
    std::string name;
    storage::RepositorySettings settings;
    storage::ResourceTags tags;
    Errc code;
};

void PrintTo(const InvalidCreate& c, std::ostream* os) {
    *os << c.name;
}

class RepositoryAdminInvalidCreate : public RepositoryAdmin,
                                     public ::testing::WithParamInterface<InvalidCreate> {};

TEST_P(RepositoryAdminInvalidCreate, IsRefusedAndCreatesNothing) {
    const auto& c = GetParam();
    auto made = create("app", c.settings, c.tags);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code, c.code) << made.error().message;
    EXPECT_EQ(registry_->admin.get(repo("app")).error().code, Errc::name_unknown);
}

storage::RepositorySettings mutability(std::string value, std::vector<std::string> filters = {}) {
    storage::RepositorySettings s;
    s.tag_mutability = std::move(value);
    s.mutability_exclusions = std::move(filters);
    return s;
}

storage::ResourceTags many_tags(int n) {
    storage::ResourceTags tags;
    for (int i = 0; i < n; ++i) {
        tags.emplace_back("k" + std::to_string(i), "v");
    }
    return tags;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RepositoryAdminInvalidCreate,
    ::testing::Values(
        InvalidCreate{"UnknownMutability", mutability("SOMETIMES"), {}, Errc::bad_request},
        InvalidCreate{"ExclusionWithoutFilters",
                      mutability("IMMUTABLE_WITH_EXCLUSION"),
                      {},
                      Errc::bad_request},
        InvalidCreate{"FiltersOnMutable", mutability("MUTABLE", {"x"}), {}, Errc::bad_request},
        InvalidCreate{"FiftyOneTags", {}, many_tags(51), Errc::limit_exceeded},
        InvalidCreate{"EmptyTagKey", {}, {{"", "v"}}, Errc::bad_request},
        InvalidCreate{"LongTagKey", {}, {{std::string(129, 'k'), "v"}}, Errc::bad_request},
        InvalidCreate{"LongTagValue", {}, {{"k", std::string(257, 'v')}}, Errc::bad_request},
        InvalidCreate{"ReservedTagKey", {}, {{"aws:owner", "v"}}, Errc::bad_request}),
    [](const auto& info) { return info.param.name; });

TEST_F(RepositoryAdmin, LimitsAreInclusive) {
    EXPECT_TRUE(create("fifty", {}, many_tags(50)));
    EXPECT_TRUE(create("long", {}, {{std::string(128, 'k'), std::string(256, 'v')}}));
}

TEST_F(RepositoryAdmin, RemoveWithoutForceRefusesARepositoryWithImages) {
    const auto body = image_manifest("app", "layer");
    ASSERT_TRUE(registry_->manifests.put(caller_, repo("app"), ref("v1"), kOci, body));
    auto refused = registry_->admin.remove(repo("app"), false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::not_empty);
    EXPECT_NE(refused.error().message.find("'app'"), std::string::npos);
    EXPECT_TRUE(exists("app"));
    EXPECT_TRUE(registry_->manifests.get(caller_, repo("app"), ref("v1"), ""));

    auto removed = registry_->admin.remove(repo("app"), true);
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_EQ(removed->name, repo("app"));
    EXPECT_EQ(registry_->admin.get(repo("app")).error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->manifests.get(caller_, repo("app"), ref("v1"), "").error().code,
              Errc::name_unknown);
}

TEST_F(RepositoryAdmin, RemoveEmptyOrMissing) {
    ASSERT_TRUE(create("empty"));
    EXPECT_TRUE(registry_->admin.remove(repo("empty"), false));
    EXPECT_FALSE(exists("empty"));
    auto missing = registry_->admin.remove(repo("empty"), true);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::name_unknown);
    EXPECT_EQ(missing.error().message,
              "The repository with name 'empty' does not exist in the registry with id "
              "'000000000000'");
}

TEST_F(RepositoryAdmin, SetMutabilityValidatesAndKeepsTheOldSettingOnError) {
    ASSERT_TRUE(create("app"));
    EXPECT_EQ(registry_->admin.set_mutability(repo("app"), "NEVER", {}).error().code,
              Errc::bad_request);
    EXPECT_EQ(registry_->admin.get(repo("app"))->settings.tag_mutability, "MUTABLE");
    auto set = registry_->admin.set_mutability(repo("app"), "MUTABLE_WITH_EXCLUSION", {"rel-*"});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->settings.tag_mutability, "MUTABLE_WITH_EXCLUSION");
    EXPECT_EQ(registry_->admin.get(repo("app"))->settings.mutability_exclusions,
              std::vector<std::string>{"rel-*"});
    EXPECT_EQ(registry_->admin.set_mutability(repo("nope"), "MUTABLE", {}).error().code,
              Errc::name_unknown);
}

// ---- repository policy ----

TEST_F(RepositoryAdmin, RepositoryPolicySetGetDelete) {
    ASSERT_TRUE(create("app"));
    auto none = registry_->admin.get_policy(repo("app"));
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    EXPECT_EQ(none.error().detail["kind"], "repository_policy");
    EXPECT_EQ(none.error().message,
              "Repository policy does not exist for the repository with name 'app' in the "
              "registry with id '000000000000'");

    EXPECT_EQ(registry_->admin.set_policy(repo("app"), kPolicy).value(), kPolicy);
    EXPECT_EQ(registry_->admin.get_policy(repo("app")).value(), kPolicy);
    EXPECT_EQ(registry_->admin.delete_policy(repo("app")).value(), kPolicy);  // returns the text
    EXPECT_EQ(registry_->admin.get_policy(repo("app")).error().code, Errc::not_found);
    auto again = registry_->admin.delete_policy(repo("app"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::not_found);
    EXPECT_EQ(again.error().detail["kind"], "repository_policy");
    EXPECT_EQ(registry_->admin.set_policy(repo("nope"), kPolicy).error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->admin.get_policy(repo("nope")).error().code, Errc::name_unknown);
}

TEST_F(RepositoryAdmin, InvalidRepositoryPolicyIsBadRequestAndKeepsTheOldOne) {
    ASSERT_TRUE(create("app"));
    ASSERT_TRUE(registry_->admin.set_policy(repo("app"), kPolicy));
    struct Case {
        std::string text;
        std::string message_part;
    };
    const std::vector<Case> cases{
        {"{not json", "PolicyText"},
        {kNoPrincipal, "Principal"},
        {"", "1-10,240 characters"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",)"
         R"("Action":"ecr:*","Sid":")" +
             std::string(10240, 'a') + "\"}]}",
         "1-10,240 characters"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*",)"
         R"("Action":"ecr:*"}]})",
         "Effect"},
    };
    for (const auto& c : cases) {
        auto set = registry_->admin.set_policy(repo("app"), c.text);
        ASSERT_FALSE(set) << c.text.substr(0, 80);
        EXPECT_EQ(set.error().code, Errc::bad_request);
        EXPECT_NE(set.error().message.find(c.message_part), std::string::npos)
            << set.error().message;
        EXPECT_EQ(registry_->admin.get_policy(repo("app")).value(), kPolicy);
    }
}

// ---- resource tags ----

TEST_F(RepositoryAdmin, TagMergesByKeyAndUntagRemovesKeys) {
    ASSERT_TRUE(create("app", {}, {{"a", "1"}, {"b", "2"}}));
    ASSERT_TRUE(registry_->admin.tag(repo("app"), {{"b", "3"}, {"c", "4"}}));
    EXPECT_EQ(tags_of("app"), (storage::ResourceTags{{"a", "1"}, {"b", "3"}, {"c", "4"}}));
    ASSERT_TRUE(registry_->admin.untag(repo("app"), {"a", "not-there"}));
    EXPECT_EQ(tags_of("app"), (storage::ResourceTags{{"b", "3"}, {"c", "4"}}));
    EXPECT_EQ(registry_->admin.tag(repo("nope"), {{"a", "1"}}).error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->admin.untag(repo("nope"), {"a"}).error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->admin.tag(repo("app"), {{"aws:x", "1"}}).error().code, Errc::bad_request);
    EXPECT_EQ(tags_of("app"), (storage::ResourceTags{{"b", "3"}, {"c", "4"}}));
}

TEST_F(RepositoryAdmin, FiftyTagCapIsCountedAfterTheMerge) {
    ASSERT_TRUE(create("app", {}, numbered_tags(49)));
    // Two new keys would make 51: refused, nothing changes.
    auto over = registry_->admin.tag(repo("app"), {{"new1", "v"}, {"new2", "v"}});
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, Errc::limit_exceeded);
    EXPECT_NE(over.error().message.find("51"), std::string::npos) << over.error().message;
    EXPECT_EQ(tags_of("app").size(), 49u);
    // One existing key and one new key make 50: fine.
    ASSERT_TRUE(registry_->admin.tag(repo("app"), {{"k0", "changed"}, {"new1", "v"}}));
    auto tags = tags_of("app");
    EXPECT_EQ(tags.size(), 50u);
    EXPECT_EQ(tags.front(), (std::pair<std::string, std::string>{"k0", "changed"}));
    // Re-tagging existing keys at the cap is fine; a 51st is not.
    EXPECT_TRUE(registry_->admin.tag(repo("app"), {{"k1", "x"}}));
    EXPECT_EQ(registry_->admin.tag(repo("app"), {{"one-more", "x"}}).error().code,
              Errc::limit_exceeded);
    EXPECT_EQ(registry_->admin.tag(repo("app"), numbered_tags(51, "z")).error().code,
              Errc::limit_exceeded);
}

// ---- registry policy ----

TEST_F(RepositoryAdmin, RegistryPolicySetGetDelete) {
    auto none = registry_->admin.get_registry_policy();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    EXPECT_EQ(none.error().detail["kind"], "registry_policy");
    EXPECT_NE(none.error().message.find("'000000000000'"), std::string::npos);
    EXPECT_EQ(registry_->admin.delete_registry_policy().error().code, Errc::not_found);

    EXPECT_EQ(registry_->admin.set_registry_policy(kPolicy).value(), kPolicy);
    EXPECT_EQ(registry_->admin.get_registry_policy().value(), kPolicy);
    auto bad = registry_->admin.set_registry_policy(kNoPrincipal);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::bad_request);
    EXPECT_EQ(registry_->admin.get_registry_policy().value(), kPolicy);

    EXPECT_EQ(registry_->admin.delete_registry_policy().value(), kPolicy);
    EXPECT_EQ(registry_->admin.get_registry_policy().error().code, Errc::not_found);
    EXPECT_EQ(registry_->admin.delete_registry_policy().error().code, Errc::not_found);
}

}  // namespace
}  // namespace wharf::testing
