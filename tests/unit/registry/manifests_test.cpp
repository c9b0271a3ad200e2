#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using Manifests = RegistryTest;
constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";

TEST_F(Manifests, PutByTagThenGetByTagAndDigestReturnsTheSameBytes) {
    const auto body = image_manifest("team/app", "layer");
    auto pushed = registry_->manifests.put(caller_, repo("team/app"), ref("v1"), kOci, body);
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(pushed->digest, model::Digest::of(body));
    auto by_tag = registry_->manifests.get(caller_, repo("team/app"), ref("v1"), "").value();
    EXPECT_EQ(by_tag.payload, body);
    EXPECT_EQ(by_tag.media_type, kOci);
    auto by_digest =
        registry_->manifests.get(caller_, repo("team/app"), ref(pushed->digest.str()), "").value();
    EXPECT_EQ(by_digest.payload, body);
}

TEST_F(Manifests, MissingLayerIsManifestBlobUnknownNamingIt) {
    auto body = nlohmann::json::parse(image_manifest("a", "layer"));
    const auto missing = model::Digest::of("not pushed");
    body["layers"][0]["digest"] = missing.str();
    auto pushed = registry_->manifests.put(caller_, repo("a"), ref("v1"), kOci, body.dump());
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, Errc::manifest_blob_unknown);
    EXPECT_EQ(pushed.error().detail["digest"], missing.str());
    EXPECT_EQ(registry_->manifests.get(caller_, repo("a"), ref("v1"), "").error().code,
              Errc::manifest_unknown);
}

TEST_F(Manifests, BlobOfAnotherRepositoryDoesNotCount) {
    const auto body = image_manifest("one", "layer");
    auto pushed = registry_->manifests.put(caller_, repo("two"), ref("v1"), kOci, body);
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, Errc::manifest_blob_unknown);
}

TEST_F(Manifests, PutByDigestMustMatchTheBody) {
    const auto body = image_manifest("a", "layer");
    auto pushed = registry_->manifests.put(caller_, repo("a"),
                                           ref(model::Digest::of("other").str()), kOci, body);
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, Errc::digest_invalid);
}

TEST_F(Manifests, DeleteByTagKeepsTheManifestDeleteByDigestRemovesTags) {
    const auto body = image_manifest("a", "layer");
    auto d = registry_->manifests.put(caller_, repo("a"), ref("v1"), kOci, body).value().digest;
    ASSERT_TRUE(registry_->manifests.put(caller_, repo("a"), ref("v2"), kOci, body));
    ASSERT_TRUE(registry_->manifests.remove(caller_, repo("a"), ref("v1")));
    EXPECT_EQ(registry_->manifests.get(caller_, repo("a"), ref("v1"), "").error().code,
              Errc::manifest_unknown);
    EXPECT_TRUE(registry_->manifests.get(caller_, repo("a"), ref(d.str()), ""));
    ASSERT_TRUE(registry_->manifests.remove(caller_, repo("a"), ref(d.str())));
    EXPECT_EQ(registry_->manifests.get(caller_, repo("a"), ref("v2"), "").error().code,
              Errc::manifest_unknown);
    EXPECT_EQ(registry_->tags.list(caller_, repo("a"), std::nullopt, std::nullopt)->items.size(),
              0u);
}

TEST_F(Manifests, IndexNeedsItsChildrenAndProtectsThem) {
    const auto child_body = image_manifest("a", "layer");
    auto child =
        registry_->manifests.put(caller_, repo("a"), ref("amd64"), kOci, child_body).value().digest;
    const auto index =
        nlohmann::json{{"schemaVersion", 2},
                       {"mediaType", "application/vnd.oci.image.index.v1+json"},
                       {"manifests",
                        {{{"mediaType", kOci},
                          {"digest", child.str()},
                          {"size", child_body.size()},
                          {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}}
            .dump();
    ASSERT_TRUE(registry_->manifests.put(caller_, repo("a"), ref("multi"),
                                         "application/vnd.oci.image.index.v1+json", index));
    EXPECT_EQ(registry_->manifests.remove(caller_, repo("a"), ref(child.str())).error().code,
              Errc::in_use);
    EXPECT_EQ(registry_->blobs.remove(caller_, repo("a"), push_blob("a", "{}")).error().code,
              Errc::in_use);
}

TEST_F(Manifests, AcceptNegotiation) {
    using registry::accepts_media_type;
    EXPECT_TRUE(accepts_media_type("", kOci));
    EXPECT_TRUE(accepts_media_type("*/*", kOci));
    EXPECT_TRUE(accepts_media_type("application/json", kOci));
    EXPECT_TRUE(
        accepts_media_type("application/vnd.docker.distribution.manifest.v2+json, "
                           "application/vnd.oci.image.manifest.v1+json; q=0.9",
                           kOci));
    EXPECT_FALSE(accepts_media_type("application/vnd.docker.distribution.manifest.v2+json", kOci));
}

TEST_F(Manifests, ReferrersListSubjectsAndFilterByArtifactType) {
    const auto image = image_manifest("a", "layer");
    auto subject =
        registry_->manifests.put(caller_, repo("a"), ref("v1"), kOci, image).value().digest;
    const auto empty = push_blob("a", "{}");
    auto artifact = [&](std::string_view type) {
        return nlohmann::json{
            {"schemaVersion", 2},
            {"mediaType", kOci},
            {"artifactType", type},
            {"config",
             {{"mediaType", "application/vnd.oci.empty.v1+json"},
              {"digest", empty.str()},
              {"size", 2}}},
            {"layers", nlohmann::json::array()},
            {"subject", {{"mediaType", kOci}, {"digest", subject.str()}, {"size", image.size()}}},
            {"annotations", {{"org.example.kind", std::string(type)}}}}
            .dump();
    };
    auto sbom = registry_->manifests.put(
        caller_, repo("a"), ref(model::Digest::of(artifact("sbom")).str()), kOci, artifact("sbom"));
    ASSERT_TRUE(sbom) << sbom.error().message;
    EXPECT_EQ(sbom->subject, subject);
    ASSERT_TRUE(registry_->manifests.put(
        caller_, repo("a"), ref(model::Digest::of(artifact("sig")).str()), kOci, artifact("sig")));
    auto all = registry_->referrers.list(caller_, repo("a"), subject, std::nullopt).value();
    EXPECT_EQ(all.manifests.size(), 2u);
    EXPECT_FALSE(all.filtered);
    auto only = registry_->referrers.list(caller_, repo("a"), subject, "sbom").value();
    ASSERT_EQ(only.manifests.size(), 1u);
    EXPECT_TRUE(only.filtered);
    EXPECT_EQ(only.manifests[0].artifact_type, "sbom");
    EXPECT_EQ(only.manifests[0].annotations.at("org.example.kind"), "sbom");
}

TEST_F(Manifests, TagsPageInLexicalOrder) {
    const auto body = image_manifest("a", "layer");
    for (auto t : {"b", "a", "c", "a1"}) {
        ASSERT_TRUE(registry_->manifests.put(caller_, repo("a"), ref(t), kOci, body));
    }
    auto first = registry_->tags.list(caller_, repo("a"), std::nullopt, 2).value();
    EXPECT_EQ(first.items, (std::vector<std::string>{"a", "a1"}));
    EXPECT_TRUE(first.more);
    auto second = registry_->tags.list(caller_, repo("a"), std::string("a1"), 2).value();
    EXPECT_EQ(second.items, (std::vector<std::string>{"b", "c"}));
    EXPECT_FALSE(second.more);
}

TEST_F(Manifests, MountLinksWithoutCopyingOrFallsBack) {
    const auto d = push_blob("src", "shared layer");
    auto mounted = registry_->blobs.mount(caller_, repo("dst"), d, repo("src")).value();
    ASSERT_TRUE(mounted);
    EXPECT_EQ(mounted->size, 12u);
    EXPECT_TRUE(registry_->blobs.stat(caller_, repo("dst"), d));
    EXPECT_FALSE(
        registry_->blobs.mount(caller_, repo("dst"), model::Digest::of("x"), repo("src")).value());
    EXPECT_FALSE(registry_->blobs.mount(caller_, repo("dst"), d, repo("nowhere")).value());
}

}  // namespace
}  // namespace wharf::testing
