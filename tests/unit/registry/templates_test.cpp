// Repository creation templates: CRUD, validation, and CREATE_ON_PUSH.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using json = nlohmann::json;

constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";
const std::string kPullPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",)"
    R"("Action":"ecr:BatchGetImage"}]})";

json template_of(std::string prefix, std::vector<std::string> applied_for = {"CREATE_ON_PUSH"}) {
    return json{{"prefix", std::move(prefix)}, {"appliedFor", std::move(applied_for)}};
}

class Templates : public RegistryTest {
protected:
    void create_template(const json& fields) {
        auto made = registry_->templates.create(fields);
        ASSERT_TRUE(made) << made.error().message;
    }
    std::vector<std::string> prefixes() {
        std::vector<std::string> out;
        const auto all = registry_->templates.describe({}).value();
        for (const auto& t : all) {
            out.push_back(t.value("prefix", ""));
        }
        return out;
    }
};

// The ECR rule: no implicit creation on push.
class TemplatesNoCreateOnPush : public Templates {
    registry::RegistryOptions options() const override {
        registry::RegistryOptions o;
        o.create_on_push = false;
        return o;
    }
};

// ---- create / describe / update / remove ----

TEST_F(Templates, CreateDescribeUpdateRemove) {
    auto fields = template_of("team");
    fields["description"] = "team repositories";
    fields["imageTagMutability"] = "IMMUTABLE";
    auto made = registry_->templates.create(fields);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ((*made)["prefix"], "team");
    EXPECT_EQ((*made)["imageTagMutability"], "IMMUTABLE");
    EXPECT_TRUE(made->contains("createdAt"));
    const auto created_at = (*made)["createdAt"];

    auto again = registry_->templates.create(template_of("team"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::already_exists);
    EXPECT_EQ(again.error().detail["kind"], "template");
    EXPECT_NE(again.error().message.find("'team'"), std::string::npos);

    auto defaulted = registry_->templates.create(template_of("ROOT"));
    ASSERT_TRUE(defaulted) << defaulted.error().message;
    EXPECT_EQ((*defaulted)["imageTagMutability"], "MUTABLE");
    EXPECT_EQ(prefixes(), (std::vector<std::string>{"ROOT", "team"}));
    auto one = registry_->templates.describe({"team"}).value();
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0]["description"], "team repositories");

    clock_.advance(std::chrono::seconds(10));
    auto updated = registry_->templates.update({{"prefix", "team"}, {"description", "new"}});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ((*updated)["description"], "new");
    EXPECT_EQ((*updated)["imageTagMutability"], "IMMUTABLE");  // merged, not replaced
    EXPECT_EQ((*updated)["createdAt"], created_at);
    EXPECT_NE((*updated)["updatedAt"], created_at);
    EXPECT_EQ(registry_->templates.describe({"team"}).value()[0]["description"], "new");

    auto removed = registry_->templates.remove("team");
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_EQ((*removed)["description"], "new");
    EXPECT_EQ(prefixes(), std::vector<std::string>{"ROOT"});
}

TEST_F(Templates, MissingTemplateIsNotFoundOfKindTemplate) {
    const std::string message =
        "The specified repository creation template with prefix 'nope' does not exist in the "
        "registry";
    auto update = registry_->templates.update({{"prefix", "nope"}, {"description", "x"}});
    ASSERT_FALSE(update);
    EXPECT_EQ(update.error().code, Errc::not_found);
    EXPECT_EQ(update.error().detail["kind"], "template");
    EXPECT_EQ(update.error().message, message);
    auto removed = registry_->templates.remove("nope");
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, Errc::not_found);
    EXPECT_EQ(removed.error().detail["kind"], "template");
    auto described = registry_->templates.describe({"nope"});
    ASSERT_FALSE(described);
    EXPECT_EQ(described.error().code, Errc::not_found);
    EXPECT_TRUE(prefixes().empty());
}

struct InvalidTemplate {
    std::string name;
    json fields;
};

void PrintTo(const InvalidTemplate& c, std::ostream* os) {
    *os << c.name;
}

class TemplatesInvalid : public Templates, public ::testing::WithParamInterface<InvalidTemplate> {};

TEST_P(TemplatesInvalid, IsBadRequestAndStoresNothing) {
    auto made = registry_->templates.create(GetParam().fields);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code, Errc::bad_request) << made.error().message;
    EXPECT_TRUE(prefixes().empty());
}

json tag_list(const std::vector<std::pair<std::string, std::string>>& tags) {
    json out = json::array();
    for (const auto& [k, v] : tags) {
        out.push_back(json{{"Key", k}, {"Value", v}});
    }
    return out;
}

json with(json t, const std::string& key, json value) {
    t[key] = std::move(value);
    return t;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TemplatesInvalid,
    ::testing::Values(
        InvalidTemplate{"NoAppliedFor", json{{"prefix", "team"}}},
        InvalidTemplate{"EmptyAppliedFor", template_of("team", {})},
        InvalidTemplate{"BadAppliedFor", template_of("team", {"CREATE_ON_PUSH", "ON_PULL"})},
        InvalidTemplate{"AppliedForNotAList", with(template_of("team"), "appliedFor", "x")},
        InvalidTemplate{"EmptyPrefix", template_of("")},
        InvalidTemplate{"UppercasePrefix", template_of("Team")},
        InvalidTemplate{"TrailingSlashPrefix", template_of("team/")},
        InvalidTemplate{"LongPrefix", template_of(std::string(257, 'a'))},
        InvalidTemplate{"BadMutability", with(template_of("team"), "imageTagMutability", "X")},
        InvalidTemplate{"ExclusionWithoutFilters", with(template_of("team"), "imageTagMutability",
                                                        "IMMUTABLE_WITH_EXCLUSION")},
        InvalidTemplate{"PolicyNotJson", with(template_of("team"), "repositoryPolicy", "{x")},
        InvalidTemplate{"PolicyWithoutPrincipal",
                        with(template_of("team"), "repositoryPolicy",
                             R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                             R"("Action":"ecr:*"}]})")},
        InvalidTemplate{"LongDescription",
                        with(template_of("team"), "description", std::string(257, 'd'))},
        // Wrong JSON types are refused, not thrown.
        InvalidTemplate{"MutabilityNotAString", with(template_of("team"), "imageTagMutability", 5)},
        InvalidTemplate{"PolicyNotAString",
                        with(template_of("team"), "repositoryPolicy", json::object())},
        InvalidTemplate{"PrefixNotAString", with(template_of("team"), "prefix", 7)},
        // Tags are checked as CreateRepository checks them (a push applies them later).
        InvalidTemplate{"TagNotAnObject",
                        with(template_of("team"), "resourceTags", json::array({"team"}))},
        InvalidTemplate{"ReservedTagKey",
                        with(template_of("team"), "resourceTags", tag_list({{"aws:team", "x"}}))},
        InvalidTemplate{
            "FilterTypeNotWildcard",
            with(with(template_of("team"), "imageTagMutability", "MUTABLE_WITH_EXCLUSION"),
                 "imageTagMutabilityExclusionFilters",
                 json::array({json{{"filterType", "REGEX"}, {"filter", "x"}}}))},
        InvalidTemplate{
            "FilterNotAnObject",
            with(with(template_of("team"), "imageTagMutability", "MUTABLE_WITH_EXCLUSION"),
                 "imageTagMutabilityExclusionFilters", json::array({"latest"}))}),
    [](const auto& info) { return info.param.name; });

TEST_F(Templates, InvalidUpdateKeepsTheStoredTemplate) {
    create_template(with(template_of("team"), "description", "kept"));
    auto bad =
        registry_->templates.update({{"prefix", "team"}, {"appliedFor", json::array({"NEVER"})}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::bad_request);
    auto stored = registry_->templates.describe({"team"}).value().at(0);
    EXPECT_EQ(stored["appliedFor"], json::array({"CREATE_ON_PUSH"}));
    EXPECT_EQ(stored["description"], "kept");
}

// ---- CREATE_ON_PUSH ----

TEST_F(TemplatesNoCreateOnPush, PushWithoutTemplateIsNameUnknown) {
    const std::string message =
        "The repository with name 'x' does not exist in the registry with id '000000000000'";
    auto started = registry_->uploads.start(caller_, repo("x"));
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, Errc::name_unknown);
    EXPECT_EQ(started.error().message, message);
    const auto body = json{
        {"schemaVersion", 2},
        {"mediaType", kOci},
        {"config",
         {{"mediaType", "application/vnd.oci.image.config.v1+json"},
          {"digest", model::Digest::of("{}").str()},
          {"size", 2}}},
        {"layers",
         json::array()}}.dump();
    auto put = registry_->manifests.put(caller_, repo("x"), ref("v1"), kOci, body);
    ASSERT_FALSE(put);
    EXPECT_EQ(put.error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->admin.get(repo("x")).error().code, Errc::name_unknown);
}

TEST_F(TemplatesNoCreateOnPush, TemplateCreatesTheRepositoryWithItsSettings) {
    auto t = template_of("team");
    t["imageTagMutability"] = "IMMUTABLE_WITH_EXCLUSION";
    t["imageTagMutabilityExclusionFilters"] =
        json::array({json{{"filterType", "WILDCARD"}, {"filter", "dev-*"}}});
    t["resourceTags"] = tag_list({{"team", "blue"}, {"env", "ci"}});
    t["repositoryPolicy"] = kPullPolicy;
    t["encryptionConfiguration"] = {{"encryptionType", "KMS"}, {"kmsKey", "alias/team"}};
    create_template(t);
    ASSERT_TRUE(registry_->uploads.start(caller_, repo("team/app")));
    auto created = registry_->admin.get(repo("team/app"));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->settings.tag_mutability, "IMMUTABLE_WITH_EXCLUSION");
    EXPECT_EQ(created->settings.mutability_exclusions, std::vector<std::string>{"dev-*"});
    EXPECT_EQ(created->settings.encryption_type, "KMS");
    EXPECT_EQ(created->settings.kms_key, "alias/team");
    EXPECT_EQ(created->tags, (storage::ResourceTags{{"team", "blue"}, {"env", "ci"}}));
    EXPECT_EQ(created->policy_text, std::optional(kPullPolicy));
    // A manifest push into another new repository under the prefix works the same way.
    const auto body = image_manifest("team/other", "layer");
    ASSERT_TRUE(registry_->manifests.put(caller_, repo("team/other"), ref("v1"), kOci, body));
    EXPECT_EQ(registry_->admin.get(repo("team/other"))->settings.tag_mutability,
              "IMMUTABLE_WITH_EXCLUSION");
}

TEST_F(TemplatesNoCreateOnPush, LongestPrefixWinsOverRoot) {
    create_template(with(template_of("ROOT"), "resourceTags", tag_list({{"t", "root"}})));
    create_template(with(with(template_of("team"), "resourceTags", tag_list({{"t", "team"}})),
                         "imageTagMutability", "IMMUTABLE"));
    create_template(with(template_of("team/sub"), "resourceTags", tag_list({{"t", "sub"}})));
    const std::vector<std::pair<std::string, std::string>> cases{
        {"team/sub/app", "sub"}, {"team/app", "team"},
        {"team/subway", "team"},  // a prefix is a namespace, not a string prefix
        {"teamx/app", "root"},   {"team", "root"},
        {"other", "root"},
    };
    for (const auto& [name, level] : cases) {
        ASSERT_TRUE(registry_->uploads.start(caller_, repo(name))) << name;
        auto created = registry_->admin.get(repo(name)).value();
        EXPECT_EQ(created.tags, (storage::ResourceTags{{"t", level}})) << name;
        EXPECT_EQ(created.settings.tag_mutability, level == "team" ? "IMMUTABLE" : "MUTABLE")
            << name;
    }
}

TEST_F(TemplatesNoCreateOnPush, TemplatesForOtherPurposesDoNotApply) {
    create_template(template_of("rep", {"REPLICATION"}));
    create_template(template_of("ROOT", {"PULL_THROUGH_CACHE"}));
    auto started = registry_->uploads.start(caller_, repo("rep/app"));
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, Errc::name_unknown);
    EXPECT_EQ(registry_->admin.get(repo("rep/app")).error().code, Errc::name_unknown);
    // Once it also names CREATE_ON_PUSH it does.
    ASSERT_TRUE(registry_->templates.update(
        {{"prefix", "rep"}, {"appliedFor", json::array({"REPLICATION", "CREATE_ON_PUSH"})}}));
    EXPECT_TRUE(registry_->uploads.start(caller_, repo("rep/app")));
}

TEST_F(Templates, TemplateAppliesEvenWhenCreateOnPushIsOn) {
    create_template(with(template_of("team"), "imageTagMutability", "IMMUTABLE"));
    ASSERT_TRUE(registry_->uploads.start(caller_, repo("team/app")));
    ASSERT_TRUE(registry_->uploads.start(caller_, repo("plain")));
    EXPECT_EQ(registry_->admin.get(repo("team/app"))->settings.tag_mutability, "IMMUTABLE");
    EXPECT_EQ(registry_->admin.get(repo("plain"))->settings.tag_mutability, "MUTABLE");
    EXPECT_FALSE(registry_->admin.get(repo("plain"))->policy_text);
}

}  // namespace
}  // namespace wharf::testing
