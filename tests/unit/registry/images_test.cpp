// ImageService: ECR's ListImages/DescribeImages/BatchGetImage/BatchDeleteImage semantics.
#include <gtest/gtest.h>

#include <set>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using registry::ImageId;
using registry::TagStatus;

constexpr std::string_view kOci = "application/vnd.oci.image.manifest.v1+json";

class Images : public RegistryTest {
protected:
    // An image over the config "{}" (2 bytes) and `layers`, pushed under `reference`.
    model::Digest push_image(std::string_view name, std::string_view reference,
                             const std::vector<std::string>& layers) {
        nlohmann::json layer_list = nlohmann::json::array();
        for (const auto& l : layers) {
            layer_list.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                  {"digest", push_blob(name, l).str()},
                                  {"size", l.size()}});
        }
        const auto body = nlohmann::json{
            {"schemaVersion", 2},
            {"mediaType", kOci},
            {"config",
             {{"mediaType", "application/vnd.oci.image.config.v1+json"},
              {"digest", push_blob(name, "{}").str()},
              {"size", 2}}},
            {"layers",
             layer_list}}.dump();
        return put(name, reference, kOci, body);
    }
    model::Digest push_untagged(std::string_view name, std::string_view layer) {
        const auto body = image_manifest(name, layer);
        return put(name, model::Digest::of(body).str(), kOci, body);
    }
    model::Digest push_index(std::string_view name, std::string_view reference,
                             const std::vector<model::Digest>& children) {
        nlohmann::json manifests = nlohmann::json::array();
        for (const auto& c : children) {
            auto child = registry_->manifests.get(caller_, repo(name), ref(c.str()), "").value();
            manifests.push_back(
                {{"mediaType", kOci}, {"digest", c.str()}, {"size", child.payload.size()}});
        }
        const std::string index_type = "application/vnd.oci.image.index.v1+json";
        const auto body = nlohmann::json{
            {"schemaVersion", 2},
            {"mediaType", index_type},
            {"manifests",
             manifests}}.dump();
        return put(name, reference, index_type, body);
    }
    model::Digest put(std::string_view name, std::string_view reference, std::string_view type,
                      const std::string& body) {
        auto pushed = registry_->manifests.put(caller_, repo(name), ref(reference), type, body);
        EXPECT_TRUE(pushed) << pushed.error().message;
        return model::Digest::of(body);
    }
    bool exists(std::string_view name, const model::Digest& d) {
        return registry_->manifests.get(caller_, repo(name), ref(d.str()), "").has_value();
    }
    std::vector<std::string> tags_of(std::string_view name, const model::Digest& d) {
        auto got = registry_->images.get(repo(name), {ImageId{d.str(), std::nullopt}}).value();
        return got.found.empty() ? std::vector<std::string>{} : got.found.front().tags;
    }
};

std::vector<std::string> digests(const std::vector<registry::ImageInfo>& images) {
    std::vector<std::string> out;
    for (const auto& i : images) {
        out.push_back(i.manifest.digest.str());
    }
    return out;
}

std::vector<std::string> sorted(std::vector<model::Digest> ds) {
    std::sort(ds.begin(), ds.end());
    std::vector<std::string> out;
    for (const auto& d : ds) {
        out.push_back(d.str());
    }
    return out;
}

// ---- list ----

TEST_F(Images, ListFiltersByTagStatus) {
    const auto a = push_image("app", "v2", {"a"});
    ASSERT_EQ(push_image("app", "v1", {"a"}), a);
    const auto b = push_image("app", "b1", {"b"});
    const auto c = push_untagged("app", "c");
    auto any = registry_->images.list(repo("app"), TagStatus::any, std::nullopt, 100).value();
    EXPECT_EQ(digests(any.first), sorted({a, b, c}));
    EXPECT_FALSE(any.second);
    for (const auto& i : any.first) {
        if (i.manifest.digest == a) {
            EXPECT_EQ(i.tags, (std::vector<std::string>{"v1", "v2"}));
            EXPECT_FALSE(i.manifest.payload.empty());
        } else if (i.manifest.digest == c) {
            EXPECT_TRUE(i.tags.empty());
        }
    }
    EXPECT_EQ(digests(registry_->images.list(repo("app"), TagStatus::tagged, std::nullopt, 100)
                          .value()
                          .first),
              sorted({a, b}));
    EXPECT_EQ(digests(registry_->images.list(repo("app"), TagStatus::untagged, std::nullopt, 100)
                          .value()
                          .first),
              sorted({c}));
    EXPECT_EQ(
        registry_->images.list(repo("missing"), TagStatus::any, std::nullopt, 10).error().code,
        Errc::name_unknown);
}

TEST_F(Images, ListPagesWithAfterAndMore) {
    std::vector<model::Digest> all;
    for (int i = 0; i < 5; ++i) {
        all.push_back(push_untagged("app", "layer " + std::to_string(i)));
    }
    all.push_back(push_image("app", "tagged", {"t"}));
    std::sort(all.begin(), all.end());
    auto& images = registry_->images;
    auto first = images.list(repo("app"), TagStatus::any, std::nullopt, 2).value();
    EXPECT_EQ(digests(first.first), sorted({all[0], all[1]}));
    EXPECT_TRUE(first.second);
    auto second = images.list(repo("app"), TagStatus::any, all[1], 2).value();
    EXPECT_EQ(digests(second.first), sorted({all[2], all[3]}));
    EXPECT_TRUE(second.second);
    auto last = images.list(repo("app"), TagStatus::any, all[3], 2).value();
    EXPECT_EQ(digests(last.first), sorted({all[4], all[5]}));
    EXPECT_FALSE(last.second);  // exactly the last page: nothing follows
    // With a filter, `more` is about matching images only.
    auto untagged = images.list(repo("app"), TagStatus::untagged, std::nullopt, 5).value();
    EXPECT_EQ(untagged.first.size(), 5u);
    EXPECT_FALSE(untagged.second);
    auto tagged = images.list(repo("app"), TagStatus::tagged, std::nullopt, 1).value();
    EXPECT_EQ(tagged.first.size(), 1u);
    EXPECT_FALSE(tagged.second);
}

TEST_F(Images, ListReadsPastItsInternalBatchWithoutRepeating) {
    // More images than one internal read (256): each listed once, in order.
    std::vector<model::Digest> all;
    for (int i = 0; i < 300; ++i) {
        all.push_back(push_untagged("app", "layer " + std::to_string(i)));
    }
    auto listed = registry_->images.list(repo("app"), TagStatus::any, std::nullopt, 1000).value();
    EXPECT_EQ(digests(listed.first), sorted(all));
    EXPECT_FALSE(listed.second);
    auto untagged =
        registry_->images.list(repo("app"), TagStatus::untagged, std::nullopt, 299).value();
    EXPECT_EQ(untagged.first.size(), 299u);
    EXPECT_TRUE(untagged.second);
    const auto listed_untagged = digests(untagged.first);
    const std::set<std::string> unique(listed_untagged.begin(), listed_untagged.end());
    EXPECT_EQ(unique.size(), 299u);
}

// ---- get ----

TEST_F(Images, GetReportsEachIdFoundOrWhyNot) {
    const auto a = push_image("app", "v1", {"a"});
    const auto b = push_image("app", "b1", {"b"});
    const auto bad_tag = std::string(200, 'x');
    const std::vector<ImageId> ids{
        {std::nullopt, "v1"},                               // found
        {a.str(), std::nullopt},                            // the same image: described once
        {b.str(), "b1"},                                    // found, tag and digest agree
        {std::nullopt, "nope"},                             // ImageNotFound
        {"sha256:xyz", std::nullopt},                       // InvalidImageDigest
        {std::nullopt, std::nullopt},                       // MissingDigestAndTag
        {b.str(), "v1"},                                    // ImageTagDoesNotMatchDigest
        {model::Digest::of("absent").str(), std::nullopt},  // ImageNotFound
        {std::nullopt, bad_tag},                            // InvalidImageTag
    };
    auto got = registry_->images.get(repo("app"), ids).value();
    EXPECT_EQ(digests(got.found), (std::vector<std::string>{a.str(), b.str()}));
    ASSERT_EQ(got.ids.size(), 3u);
    EXPECT_EQ(got.ids[0].tag, std::optional<std::string>("v1"));
    EXPECT_EQ(got.ids[1].digest, std::optional(a.str()));
    EXPECT_EQ(got.found[0].tags, std::vector<std::string>{"v1"});
    struct Expected {
        std::size_t id;
        std::string code;
        std::string reason_part;
    };
    const std::vector<Expected> expected{
        {3, "ImageNotFound", "Requested image not found"},
        {4, "InvalidImageDigest", "image digest should satisfy the regex"},
        {5, "MissingDigestAndTag", "Missing image digest and tag"},
        {6, "ImageTagDoesNotMatchDigest", "given tag does not match the digest"},
        {7, "ImageNotFound", "Requested image not found"},
        {8, "InvalidImageTag", "image tag"},
    };
    ASSERT_EQ(got.failures.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& f = got.failures[i];
        EXPECT_EQ(f.code, expected[i].code) << i;
        EXPECT_NE(f.reason.find(expected[i].reason_part), std::string::npos) << f.reason;
        EXPECT_EQ(f.id.digest, ids[expected[i].id].digest) << i;  // the id as given
        EXPECT_EQ(f.id.tag, ids[expected[i].id].tag) << i;
    }
    EXPECT_EQ(registry_->images.get(repo("missing"), ids).error().code, Errc::name_unknown);
}

TEST_F(Images, ImageSizeIsTheSumOfBlobsAndAnIndexTakesItsLargestChild) {
    const auto small = push_image("app", "small", {"12345"});                   // 2 + 5
    const auto large = push_image("app", "large", {"1234567890", "abcdefgh"});  // 2 + 10 + 8
    const auto index = push_index("app", "multi", {small, large});
    auto got = registry_->images
                   .get(repo("app"), {{small.str(), std::nullopt},
                                      {large.str(), std::nullopt},
                                      {index.str(), std::nullopt}})
                   .value();
    ASSERT_EQ(got.found.size(), 3u);
    EXPECT_EQ(got.found[0].manifest.image_size, 7u);
    EXPECT_EQ(got.found[1].manifest.image_size, 20u);
    EXPECT_EQ(got.found[2].manifest.image_size, 20u);  // max, not the sum
}

// ---- remove ----

TEST_F(Images, RemoveByTagKeepsAnImageThatHasOtherTags) {
    const auto a = push_image("app", "v1", {"a"});
    push_image("app", "v2", {"a"});
    auto removed = registry_->images.remove(repo("app"), {{std::nullopt, "v1"}}).value();
    EXPECT_TRUE(removed.failures.empty());
    ASSERT_EQ(removed.ids.size(), 1u);
    EXPECT_EQ(removed.ids[0].digest, std::optional(a.str()));
    EXPECT_EQ(removed.ids[0].tag, std::optional<std::string>("v1"));
    EXPECT_TRUE(exists("app", a));
    EXPECT_EQ(tags_of("app", a), std::vector<std::string>{"v2"});
}

TEST_F(Images, RemoveByLastTagDeletesTheImage) {
    const auto a = push_image("app", "v1", {"a"});
    auto removed = registry_->images.remove(repo("app"), {{std::nullopt, "v1"}}).value();
    EXPECT_TRUE(removed.failures.empty());
    ASSERT_EQ(removed.ids.size(), 1u);
    EXPECT_EQ(removed.ids[0].digest, std::optional(a.str()));
    EXPECT_FALSE(exists("app", a));
    EXPECT_TRUE(
        registry_->images.list(repo("app"), TagStatus::any, std::nullopt, 10)->first.empty());
}

TEST_F(Images, RemoveByDigestDeletesTheImageWithAllItsTags) {
    const auto a = push_image("app", "v1", {"a"});
    push_image("app", "v2", {"a"});
    const auto other = push_image("app", "other", {"o"});
    const auto untagged = push_untagged("app", "u");
    auto removed =
        registry_->images
            .remove(repo("app"), {{a.str(), std::nullopt}, {untagged.str(), std::nullopt}})
            .value();
    EXPECT_TRUE(removed.failures.empty());
    ASSERT_EQ(removed.ids.size(), 3u);
    EXPECT_EQ(removed.ids[0].digest, std::optional(a.str()));
    EXPECT_EQ(removed.ids[0].tag, std::optional<std::string>("v1"));
    EXPECT_EQ(removed.ids[1].tag, std::optional<std::string>("v2"));
    EXPECT_EQ(removed.ids[2].digest, std::optional(untagged.str()));
    EXPECT_EQ(removed.ids[2].tag, std::nullopt);
    EXPECT_FALSE(exists("app", a));
    EXPECT_FALSE(exists("app", untagged));
    EXPECT_EQ(registry_->manifests.get(caller_, repo("app"), ref("v2"), "").error().code,
              Errc::manifest_unknown);
    EXPECT_TRUE(exists("app", other));
}

TEST_F(Images, ChildOfAnIndexCannotBeRemovedByDigest) {
    const auto child = push_image("app", "amd64", {"a"});
    const auto index = push_index("app", "multi", {child});
    auto removed = registry_->images.remove(repo("app"), {{child.str(), std::nullopt}}).value();
    EXPECT_TRUE(removed.ids.empty());
    ASSERT_EQ(removed.failures.size(), 1u);
    EXPECT_EQ(removed.failures[0].code, "ImageReferencedByManifestList");
    EXPECT_NE(removed.failures[0].reason.find(index.str()), std::string::npos)
        << removed.failures[0].reason;
    EXPECT_TRUE(exists("app", child));
    EXPECT_EQ(tags_of("app", child), std::vector<std::string>{"amd64"});
    EXPECT_TRUE(exists("app", index));
    // Once the index is gone the child may go.
    ASSERT_TRUE(
        registry_->images.remove(repo("app"), {{index.str(), std::nullopt}})->failures.empty());
    EXPECT_TRUE(
        registry_->images.remove(repo("app"), {{child.str(), std::nullopt}})->failures.empty());
    EXPECT_FALSE(exists("app", child));
}

TEST_F(Images, FailuresDoNotAbortTheOtherIds) {
    const auto a = push_image("app", "v1", {"a"});
    const auto b = push_image("app", "b1", {"b"});
    const auto child = push_image("app", "child", {"c"});
    push_index("app", "multi", {child});
    auto removed = registry_->images
                       .remove(repo("app"), {{std::nullopt, "nope"},
                                             {"sha256:zz", std::nullopt},
                                             {a.str(), std::nullopt},
                                             {std::nullopt, std::nullopt},
                                             {child.str(), std::nullopt},
                                             {b.str(), "child"},
                                             {std::nullopt, "b1"}})
                       .value();
    std::vector<std::string> codes;
    for (const auto& f : removed.failures) {
        codes.push_back(f.code);
    }
    EXPECT_EQ(codes, (std::vector<std::string>{
                         "ImageNotFound", "InvalidImageDigest", "MissingDigestAndTag",
                         "ImageReferencedByManifestList", "ImageTagDoesNotMatchDigest"}));
    ASSERT_EQ(removed.ids.size(), 2u);
    EXPECT_EQ(removed.ids[0].digest, std::optional(a.str()));
    EXPECT_EQ(removed.ids[1].digest, std::optional(b.str()));
    EXPECT_FALSE(exists("app", a));
    EXPECT_FALSE(exists("app", b));
    EXPECT_TRUE(exists("app", child));
    EXPECT_EQ(registry_->images.remove(repo("missing"), {{std::nullopt, "v1"}}).error().code,
              Errc::name_unknown);
}

}  // namespace
}  // namespace wharf::testing
