// The control-plane parts of the MetadataStore contract (src/storage/meta/metadata_store.hpp):
// repository settings, policies and tags; manifest listing and pull times; registry documents;
// upload part state; rollback of all of them. Run against every driver.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "control_plane_harness.hpp"

namespace wharf::storage::conformance {
namespace {

using model::Digest;
using model::UploadId;

using ControlPlaneConformance = StoreConformance;

RepositorySettings custom_settings() {
    RepositorySettings s;
    s.tag_mutability = "IMMUTABLE_WITH_EXCLUSION";
    s.mutability_exclusions = {"latest", "dev-*"};
    s.scan_on_push = true;
    s.encryption_type = "KMS";
    s.kms_key = "arn:aws:kms:us-east-1:000000000000:key/abc";
    s.immutable_allows_identical = true;
    return s;
}

void expect_settings_eq(const RepositorySettings& actual, const RepositorySettings& expected) {
    EXPECT_EQ(actual.tag_mutability, expected.tag_mutability);
    EXPECT_EQ(actual.mutability_exclusions, expected.mutability_exclusions);
    EXPECT_EQ(actual.scan_on_push, expected.scan_on_push);
    EXPECT_EQ(actual.encryption_type, expected.encryption_type);
    EXPECT_EQ(actual.kms_key, expected.kms_key);
    EXPECT_EQ(actual.immutable_allows_identical, expected.immutable_allows_identical);
}

std::vector<std::string> digests(const std::vector<ManifestRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) {
        out.push_back(r.digest.str());
    }
    return out;
}

// ---- repositories: settings, policy, tags ----

TEST_P(ControlPlaneConformance, CreateWithSettingsRoundTripsAndIsIdempotent) {
    RepoId id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        auto created = tx.repositories().create(repo("team/app"), custom_settings(), at(1));
        EXPECT_TRUE(created) << created.error().message;
        id = created->id;
        expect_settings_eq(created->settings, custom_settings());
        EXPECT_FALSE(created->policy_text);
        EXPECT_TRUE(created->tags.empty());
        // A second create returns the existing record and does not change its settings.
        auto again = tx.repositories().create(repo("team/app"), RepositorySettings{}, at(2));
        EXPECT_TRUE(again);
        EXPECT_EQ(again->id, id);
        EXPECT_EQ(again->created_at, at(1));
        expect_settings_eq(again->settings, custom_settings());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.repositories().find(repo("team/app")).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->id, id);
        expect_settings_eq(found->settings, custom_settings());
        return ok();
    });
}

TEST_P(ControlPlaneConformance, DefaultSettingsAreEcrDefaults) {
    write([&](MetadataTx& tx) -> Result<void> {
        return status(tx.repositories().create(repo("plain"), at(0)));
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.repositories().find(repo("plain")).value();
        EXPECT_TRUE(found);
        expect_settings_eq(found->settings, RepositorySettings{});
        EXPECT_EQ(found->settings.tag_mutability, "MUTABLE");
        EXPECT_EQ(found->settings.encryption_type, "AES256");
        return ok();
    });
}

TEST_P(ControlPlaneConformance, UpdateReplacesSettingsPolicyAndTags) {
    const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
    const ResourceTags tags{{"team", "blue"}, {"cost-center", ""}, {"a", "ü ünïcode \"q\""}};
    write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().create(repo("app"), at(0));
        if (!r) {
            return r.error();
        }
        r->settings = custom_settings();
        r->policy_text = policy;
        r->tags = tags;
        return tx.repositories().update(*r);
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.repositories().find(repo("app")).value();
        EXPECT_TRUE(found);
        expect_settings_eq(found->settings, custom_settings());
        EXPECT_EQ(found->policy_text, std::optional<std::string>(policy));
        EXPECT_EQ(found->tags, tags);  // insertion order kept
        EXPECT_EQ(found->created_at, at(0));
        return ok();
    });
    // Clearing: no policy, no tags, default settings.
    write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().find(repo("app")).value().value();
        r.policy_text.reset();
        r.tags.clear();
        r.settings = RepositorySettings{};
        return tx.repositories().update(r);
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.repositories().find(repo("app")).value();
        EXPECT_TRUE(found);
        EXPECT_FALSE(found->policy_text);
        EXPECT_TRUE(found->tags.empty());
        expect_settings_eq(found->settings, RepositorySettings{});
        return ok();
    });
}

TEST_P(ControlPlaneConformance, UpdateOfMissingIdFailsAndChangesNothing) {
    RepoId id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().create(repo("kept"), at(0));
        id = r ? r->id : 0;
        return status(r);
    });
    RepositoryRecord ghost{id + 1000, repo("ghost"), at(0), custom_settings(), "{}", {}};
    const Error e = write_error([&](MetadataTx& tx) { return tx.repositories().update(ghost); });
    EXPECT_EQ(e.code, Errc::name_unknown);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.repositories().find(repo("ghost")).value());
        expect_settings_eq(tx.repositories().find(repo("kept")).value()->settings,
                           RepositorySettings{});
        return ok();
    });
}

// ---- manifests: list and pull times ----

TEST_P(ControlPlaneConformance, ManifestListInDigestOrderWithAfterAndLimit) {
    RepoId id = 0;
    RepoId other = 0;
    std::vector<ManifestRecord> all;
    for (int i = 0; i < 6; ++i) {
        all.push_back(image_manifest("manifest " + std::to_string(i), 100 + i));
    }
    const std::uint64_t big = (std::uint64_t{1} << 40) + 3;
    all[2].image_size = big;
    write([&](MetadataTx& tx) -> Result<void> {
        id = tx.repositories().create(repo("app"), at(0)).value().id;
        other = tx.repositories().create(repo("other"), at(0)).value().id;
        for (const auto& m : all) {
            if (auto put = tx.manifests().put(id, m, {}); !put) {
                return put;
            }
        }
        return tx.manifests().put(other, image_manifest("elsewhere", 1), {});
    });
    std::sort(all.begin(), all.end(),
              [](const auto& l, const auto& r) { return l.digest < r.digest; });
    read([&](MetadataTx& tx) -> Result<void> {
        auto listed = tx.manifests().list(id, std::nullopt, 100).value();
        EXPECT_EQ(digests(listed), digests(all));
        for (std::size_t i = 0; i < std::min(listed.size(), all.size()); ++i) {
            EXPECT_EQ(listed[i].payload, all[i].payload);  // payload included
            EXPECT_EQ(listed[i].media_type, all[i].media_type);
            EXPECT_EQ(listed[i].image_size, all[i].image_size);
        }
        EXPECT_TRUE(std::any_of(listed.begin(), listed.end(),
                                [&](const auto& m) { return m.image_size == big; }));
        EXPECT_EQ(digests(tx.manifests().list(id, std::nullopt, 2).value()),
                  (std::vector<std::string>{all[0].digest.str(), all[1].digest.str()}));
        EXPECT_EQ(digests(tx.manifests().list(id, all[1].digest, 3).value()),
                  (std::vector<std::string>{all[2].digest.str(), all[3].digest.str(),
                                            all[4].digest.str()}));
        EXPECT_TRUE(tx.manifests().list(id, all[5].digest, 10).value().empty());
        EXPECT_TRUE(tx.manifests().list(id, std::nullopt, 0).value().empty());
        // `after` need not be a stored digest.
        const Digest absent = Digest::of("not stored");
        std::vector<std::string> expected;
        for (const auto& m : all) {
            if (absent < m.digest) {
                expected.push_back(m.digest.str());
            }
        }
        EXPECT_EQ(digests(tx.manifests().list(id, absent, 100).value()), expected);
        EXPECT_EQ(tx.manifests().list(other, std::nullopt, 100).value().size(), 1u);
        return ok();
    });
}

TEST_P(ControlPlaneConformance, ImageSizeRoundTripsThroughFind) {
    const auto m = image_manifest("sized", (std::uint64_t{1} << 33) + 1);
    RepoId id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        id = tx.repositories().create(repo("app"), at(0)).value().id;
        return tx.manifests().put(id, m, {});
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.manifests().find(id, m.digest).value()->image_size, m.image_size);
        return ok();
    });
}

TEST_P(ControlPlaneConformance, MarkPulledKeepsTheLatestTime) {
    const auto m = image_manifest("pulled", 1);
    const auto untouched = image_manifest("never pulled", 1);
    RepoId id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        id = tx.repositories().create(repo("app"), at(0)).value().id;
        if (auto put = tx.manifests().put(id, untouched, {}); !put) {
            return put;
        }
        return tx.manifests().put(id, m, {});
    });
    auto last_pulled = [&]() {
        std::optional<TimePoint> out;
        read([&](MetadataTx& tx) -> Result<void> {
            out = tx.manifests().find(id, m.digest).value()->last_pulled_at;
            EXPECT_FALSE(tx.manifests().find(id, untouched.digest).value()->last_pulled_at);
            return ok();
        });
        return out;
    };
    EXPECT_EQ(last_pulled(), std::nullopt);
    write([&](MetadataTx& tx) { return tx.manifests().mark_pulled(id, m.digest, at(100)); });
    EXPECT_EQ(last_pulled(), std::optional(at(100)));
    write([&](MetadataTx& tx) { return tx.manifests().mark_pulled(id, m.digest, at(50)); });
    EXPECT_EQ(last_pulled(), std::optional(at(100)));  // an older report does not go back
    write([&](MetadataTx& tx) { return tx.manifests().mark_pulled(id, m.digest, at(200)); });
    EXPECT_EQ(last_pulled(), std::optional(at(200)));
}

// ---- registry documents ----

TEST_P(ControlPlaneConformance, DocumentsGetPutOverwriteRemove) {
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.documents().get("registry/policy").value());
        EXPECT_TRUE(tx.documents().put("registry/policy", "first", at(1)));
        EXPECT_TRUE(tx.documents().put("registry/policy", "second", at(2)));  // overwrites
        EXPECT_TRUE(tx.documents().put("other", "", at(2)));                  // empty value
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.documents().get("registry/policy").value(),
                  std::optional<std::string>("second"));
        EXPECT_EQ(tx.documents().get("other").value(), std::optional<std::string>(""));
        EXPECT_FALSE(tx.documents().get("Registry/Policy").value());  // keys are case-sensitive
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.documents().remove("registry/policy").value());
        EXPECT_FALSE(tx.documents().remove("registry/policy").value());
        EXPECT_FALSE(tx.documents().remove("never").value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.documents().get("registry/policy").value());
        EXPECT_TRUE(tx.documents().get("other").value());
        return ok();
    });
}

TEST_P(ControlPlaneConformance, DocumentsListByLiteralPrefixInKeyOrder) {
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    const std::vector<std::string> keys{"template/b", "template/a", "templateX", "Template/c",
                                        "a%b/1",      "axb/1",      "a_c/1",     "abc/1",
                                        "a%",         "template/"};
    write([&](MetadataTx& tx) -> Result<void> {
        for (const auto& k : keys) {
            if (auto put = tx.documents().put(k, "v:" + k, at(0)); !put) {
                return put;
            }
        }
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.documents().list("template/").value(),
                  (Pairs{{"template/", "v:template/"},
                         {"template/a", "v:template/a"},
                         {"template/b", "v:template/b"}}));
        // '%' and '_' are literal characters, not LIKE wildcards.
        EXPECT_EQ(tx.documents().list("a%").value(), (Pairs{{"a%", "v:a%"}, {"a%b/1", "v:a%b/1"}}));
        EXPECT_EQ(tx.documents().list("a_").value(), (Pairs{{"a_c/1", "v:a_c/1"}}));
        EXPECT_EQ(tx.documents().list("a%b").value(), (Pairs{{"a%b/1", "v:a%b/1"}}));
        EXPECT_TRUE(tx.documents().list("zzz").value().empty());
        auto all = tx.documents().list("").value();
        EXPECT_EQ(all.size(), keys.size());
        EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
        return ok();
    });
}

// ---- uploads ----

TEST_P(ControlPlaneConformance, UploadPartStateRoundTrips) {
    const UploadId upload = UploadId::generate();
    write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().create(repo("app"), at(0));
        if (!r) {
            return r.error();
        }
        return tx.uploads().create({upload, r->id, at(1), at(1)});
    });
    auto state = [&]() {
        int out = -1;
        read([&](MetadataTx& tx) -> Result<void> {
            out = tx.uploads().find(upload).value()->part_state;
            return ok();
        });
        return out;
    };
    EXPECT_EQ(state(), 0);
    write([&](MetadataTx& tx) { return tx.uploads().set_part_state(upload, 1); });
    EXPECT_EQ(state(), 1);
    write([&](MetadataTx& tx) { return tx.uploads().set_part_state(upload, 2); });
    EXPECT_EQ(state(), 2);
    write([&](MetadataTx& tx) { return tx.uploads().touch(upload, at(9)); });
    EXPECT_EQ(state(), 2);  // touching keeps it
}

// ---- transactions ----

TEST_P(ControlPlaneConformance, RollbackLeavesNoControlPlaneChangeVisible) {
    const UploadId upload = UploadId::generate();
    const auto m = image_manifest("m", 10);
    RepoId id = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        id = tx.repositories().create(repo("app"), at(0)).value().id;
        if (auto put = tx.manifests().put(id, m, {}); !put) {
            return put;
        }
        return tx.uploads().create({upload, id, at(0), at(0)});
    });
    auto result = store().write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().find(repo("app")).value().value();
        r.settings = custom_settings();
        r.policy_text = "{}";
        r.tags = {{"k", "v"}};
        EXPECT_TRUE(tx.repositories().update(r));
        EXPECT_TRUE(tx.repositories().create(repo("new"), custom_settings(), at(1)));
        EXPECT_TRUE(tx.manifests().mark_pulled(id, m.digest, at(5)));
        EXPECT_TRUE(tx.documents().put("registry/policy", "x", at(1)));
        EXPECT_TRUE(tx.uploads().set_part_state(upload, 2));
        auto p = tx.principals().create(PrincipalKind::user, "alice", "AIDAROLLBACK", at(1));
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_TRUE(tx.principals().put_policy(p->id, "pol", "{}"));
            EXPECT_TRUE(tx.principals().set_tags(p->id, {{"t", "v"}}));
            EXPECT_TRUE(tx.access_keys().create({"AKIAROLLBACK", p->id, "sealed", true, at(1)}));
        }
        // Visible inside the transaction itself.
        EXPECT_TRUE(tx.documents().get("registry/policy").value());
        return Error{Errc::denied, "changed my mind"};
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::denied);
    read([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().find(repo("app")).value();
        EXPECT_TRUE(r);
        expect_settings_eq(r->settings, RepositorySettings{});
        EXPECT_FALSE(r->policy_text);
        EXPECT_TRUE(r->tags.empty());
        EXPECT_FALSE(tx.repositories().find(repo("new")).value());
        EXPECT_FALSE(tx.manifests().find(id, m.digest).value()->last_pulled_at);
        EXPECT_FALSE(tx.documents().get("registry/policy").value());
        EXPECT_EQ(tx.uploads().find(upload).value()->part_state, 0);
        EXPECT_FALSE(tx.principals().find(PrincipalKind::user, "alice").value());
        EXPECT_TRUE(tx.principals().list(PrincipalKind::user).value().empty());
        EXPECT_FALSE(tx.access_keys().find("AKIAROLLBACK").value());
        EXPECT_TRUE(tx.access_keys().list(std::nullopt).value().empty());
        return ok();
    });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ControlPlaneConformance, ::testing::Values(&make_sqlite_store));

}  // namespace
}  // namespace wharf::storage::conformance
