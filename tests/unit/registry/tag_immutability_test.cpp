// Tag mutability settings as ManifestService::put enforces them, and PushedManifest::unchanged.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kFrozen = "cannot be overwritten because the tag is immutable";

class TagImmutability : public RegistryTest {
protected:
    // Pushes an image whose only layer is `layer` under `reference` (a tag or digest).
    Result<registry::PushedManifest> push(std::string_view name, std::string_view reference,
                                          std::string_view layer) {
        const auto body = image_manifest(name, layer);
        return registry_->manifests.put(caller_, repo(name), ref(reference), kOci, body);
    }
    model::Digest digest_of_image(std::string_view name, std::string_view layer) {
        return model::Digest::of(image_manifest(name, layer));
    }
    // Where the tag points now.
    model::Digest tagged(std::string_view name, std::string_view tag) {
        auto m = registry_->manifests.get(caller_, repo(name), ref(tag), "");
        EXPECT_TRUE(m) << m.error().message;
        return m ? model::Digest::of(m->payload) : model::Digest::of("");
    }
    void set_mutability(std::string_view name, const std::string& mutability,
                        const std::vector<std::string>& filters = {}) {
        auto set = registry_->admin.set_mutability(repo(name), mutability, filters);
        ASSERT_TRUE(set) << set.error().message;
    }
    void allow_identical(std::string_view name) {
        auto done = meta_->write([&](storage::MetadataTx& tx) -> Result<void> {
            auto r = tx.repositories().find(repo(name)).value().value();
            r.settings.immutable_allows_identical = true;
            return tx.repositories().update(r);
        });
        ASSERT_TRUE(done) << done.error().message;
    }
};

TEST_F(TagImmutability, MovingAnImmutableTagIsRefusedAndChangesNothing) {
    const auto first = push("app", "v1", "one").value().digest;
    set_mutability("app", "IMMUTABLE");
    auto moved = push("app", "v1", "two");
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().code, Errc::tag_immutable);
    EXPECT_NE(moved.error().message.find(kFrozen), std::string::npos) << moved.error().message;
    EXPECT_NE(moved.error().message.find("'v1'"), std::string::npos) << moved.error().message;
    EXPECT_NE(moved.error().message.find("'app'"), std::string::npos) << moved.error().message;
    EXPECT_EQ(moved.error().detail["tag"], "v1");
    EXPECT_EQ(tagged("app", "v1"), first);
    // Nothing half-written: the refused manifest is not stored either.
    EXPECT_EQ(
        registry_->manifests.get(caller_, repo("app"), ref(digest_of_image("app", "two").str()), "")
            .error()
            .code,
        Errc::manifest_unknown);
}

TEST_F(TagImmutability, RePushingTheSameDigestIsRefusedByDefault) {
    const auto first = push("app", "v1", "one").value().digest;
    set_mutability("app", "IMMUTABLE");
    auto again = push("app", "v1", "one");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::tag_immutable);
    EXPECT_NE(again.error().message.find(kFrozen), std::string::npos);
    EXPECT_EQ(tagged("app", "v1"), first);
}

TEST_F(TagImmutability, RePushingTheSameDigestIsAllowedWhenTheRepositorySaysSo) {
    const auto first = push("app", "v1", "one").value().digest;
    set_mutability("app", "IMMUTABLE");
    allow_identical("app");
    auto again = push("app", "v1", "one");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->digest, first);
    EXPECT_TRUE(again->unchanged);
    // ... but a different digest still may not move the tag.
    auto moved = push("app", "v1", "two");
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().code, Errc::tag_immutable);
    EXPECT_EQ(tagged("app", "v1"), first);
}

TEST_F(TagImmutability, NewTagsAndDigestPushesAreFineInAnImmutableRepository) {
    ASSERT_TRUE(push("app", "v1", "one"));
    set_mutability("app", "IMMUTABLE");
    auto fresh = push("app", "v2", "two");
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_FALSE(fresh->unchanged);
    // The same image under another new tag.
    auto alias = push("app", "v3", "one");
    ASSERT_TRUE(alias) << alias.error().message;
    EXPECT_FALSE(alias->unchanged);
    // By digest: no tag moves.
    const auto d = digest_of_image("app", "three");
    ASSERT_TRUE(push("app", d.str(), "three"));
    EXPECT_EQ(tagged("app", "v2"), digest_of_image("app", "two"));
}

TEST_F(TagImmutability, ImmutableWithExclusionLetsMatchingTagsMove) {
    for (const char* t : {"latest", "dev-1", "v1", "latest-1"}) {
        ASSERT_TRUE(push("app", t, "one"));
    }
    set_mutability("app", "IMMUTABLE_WITH_EXCLUSION", {"latest", "dev-*"});
    for (const char* t : {"latest", "dev-1"}) {
        auto moved = push("app", t, "two");
        ASSERT_TRUE(moved) << t << ": " << moved.error().message;
        EXPECT_EQ(tagged("app", t), digest_of_image("app", "two")) << t;
    }
    for (const char* t : {"v1", "latest-1"}) {
        auto moved = push("app", t, "two");
        ASSERT_FALSE(moved) << t;
        EXPECT_EQ(moved.error().code, Errc::tag_immutable) << t;
        EXPECT_EQ(tagged("app", t), digest_of_image("app", "one")) << t;
    }
}

TEST_F(TagImmutability, MutableWithExclusionFreezesOnlyMatchingTags) {
    for (const char* t : {"release-1", "latest", "v1"}) {
        ASSERT_TRUE(push("app", t, "one"));
    }
    set_mutability("app", "MUTABLE_WITH_EXCLUSION", {"release-*"});
    auto frozen = push("app", "release-1", "two");
    ASSERT_FALSE(frozen);
    EXPECT_EQ(frozen.error().code, Errc::tag_immutable);
    EXPECT_NE(frozen.error().message.find(kFrozen), std::string::npos);
    EXPECT_EQ(tagged("app", "release-1"), digest_of_image("app", "one"));
    for (const char* t : {"latest", "v1"}) {
        ASSERT_TRUE(push("app", t, "two")) << t;
        EXPECT_EQ(tagged("app", t), digest_of_image("app", "two")) << t;
    }
    // A new matching tag may be created; then it is frozen.
    ASSERT_TRUE(push("app", "release-2", "two"));
    EXPECT_EQ(push("app", "release-2", "one").error().code, Errc::tag_immutable);
}

TEST_F(TagImmutability, BackToMutableUnfreezes) {
    ASSERT_TRUE(push("app", "v1", "one"));
    set_mutability("app", "IMMUTABLE");
    ASSERT_FALSE(push("app", "v1", "two"));
    set_mutability("app", "MUTABLE");
    ASSERT_TRUE(push("app", "v1", "two"));
    EXPECT_EQ(tagged("app", "v1"), digest_of_image("app", "two"));
}

TEST_F(TagImmutability, UnchangedOnlyWhenTheManifestExistedAndTheTagAlreadyNamedIt) {
    auto first = push("app", "v1", "one").value();
    EXPECT_FALSE(first.unchanged);                             // new manifest, new tag
    EXPECT_TRUE(push("app", "v1", "one").value().unchanged);   // identical re-push
    EXPECT_FALSE(push("app", "v2", "one").value().unchanged);  // existing manifest, new tag
    EXPECT_FALSE(push("app", "v1", "two").value().unchanged);  // new manifest moves the tag
    EXPECT_FALSE(push("app", "v1", "one").value().unchanged);  // existing manifest, tag moves
    EXPECT_TRUE(push("app", "v1", "one").value().unchanged);
    // By digest: unchanged when the manifest was already stored.
    const auto d = digest_of_image("app", "three");
    EXPECT_FALSE(push("app", d.str(), "three").value().unchanged);
    EXPECT_TRUE(push("app", d.str(), "three").value().unchanged);
}

}  // namespace
}  // namespace wharf::testing
