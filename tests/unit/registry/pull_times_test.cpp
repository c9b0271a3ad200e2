#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using namespace std::chrono_literals;

class PullTimes : public RegistryTest {
protected:
    // Pushes an image to repo:tag and returns its digest.
    model::Digest push(std::string_view name, std::string_view tag, std::string_view layer) {
        const auto body = image_manifest(name, layer);
        return registry_->manifests
            .put(caller_, repo(name), ref(tag), "application/vnd.oci.image.manifest.v1+json", body)
            .value()
            .digest;
    }
    std::optional<TimePoint> pulled_at(std::string_view name, const model::Digest& d) {
        auto got = registry_->images.get(repo(name), {registry::ImageId{d.str(), std::nullopt}});
        EXPECT_TRUE(got);
        EXPECT_EQ(got->found.size(), 1u);
        return got->found.empty() ? std::nullopt : got->found.front().manifest.last_pulled_at;
    }
    void pull(std::string_view name, std::string_view tag) {
        auto m = registry_->manifests.get(caller_, repo(name), ref(tag), "");
        ASSERT_TRUE(m);
        registry_->pulls.note(m->repo_id, m->digest);
    }
};

TEST_F(PullTimes, NothingIsWrittenUntilAFlush) {
    const auto d = push("app", "v1", "layer-1");
    pull("app", "v1");
    EXPECT_EQ(pulled_at("app", d), std::nullopt);
    EXPECT_EQ(registry_->pulls.flush().value(), 1u);
    EXPECT_EQ(pulled_at("app", d), clock_.now());
}

TEST_F(PullTimes, ManyPullsOfOneImageAreOneUpdateWithTheLatestTime) {
    const auto d = push("app", "v1", "layer-1");
    pull("app", "v1");
    clock_.advance(10s);
    pull("app", "v1");
    const auto last = clock_.now();
    EXPECT_EQ(registry_->pulls.flush().value(), 1u);
    EXPECT_EQ(pulled_at("app", d), last);
    EXPECT_EQ(registry_->pulls.flush().value(), 0u);  // nothing new
}

TEST_F(PullTimes, AnOlderFlushNeverMovesThePullTimeBack) {
    const auto d = push("app", "v1", "layer-1");
    clock_.advance(60s);
    pull("app", "v1");
    ASSERT_TRUE(registry_->pulls.flush());
    const auto later = clock_.now();
    clock_.advance(-30s);
    pull("app", "v1");
    ASSERT_TRUE(registry_->pulls.flush());
    EXPECT_EQ(pulled_at("app", d), later);
}

TEST_F(PullTimes, ImagesOfDifferentRepositoriesAreKeptApart) {
    const auto a = push("team/a", "v1", "same-layer");
    const auto b = push("team/b", "v1", "same-layer");
    ASSERT_EQ(a, b);  // same content, two repositories
    pull("team/a", "v1");
    ASSERT_TRUE(registry_->pulls.flush());
    EXPECT_NE(pulled_at("team/a", a), std::nullopt);
    EXPECT_EQ(pulled_at("team/b", b), std::nullopt);
}

TEST_F(PullTimes, AnImageDeletedBeforeTheFlushIsSkipped) {
    const auto keep = push("app", "keep", "layer-keep");
    const auto gone = push("app", "gone", "layer-gone");
    pull("app", "keep");
    pull("app", "gone");
    ASSERT_TRUE(registry_->manifests.remove(caller_, repo("app"), ref(gone.str())));
    EXPECT_TRUE(registry_->pulls.flush());
    EXPECT_NE(pulled_at("app", keep), std::nullopt);
}

}  // namespace
}  // namespace wharf::testing
