#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace wharf::testing {
namespace {

using Uploads = RegistryTest;

TEST_F(Uploads, ChunksAppendInOrderAndCompleteLinksTheBlob) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("team/app")).value();
    EXPECT_EQ(s.offset, 0u);
    {
        auto a = uploads.open(caller_, repo("team/app"), s.id, 0).value();
        ASSERT_TRUE(a.append(bytes_of("hello ")));
        EXPECT_EQ(uploads.save(a).value().offset, 6u);
    }
    EXPECT_EQ(uploads.status(caller_, repo("team/app"), s.id).value().offset, 6u);
    auto a = uploads.open(caller_, repo("team/app"), s.id, 6).value();
    ASSERT_TRUE(a.append(bytes_of("world")));
    auto info = uploads.complete(std::move(a), model::Digest::of("hello world")).value();
    EXPECT_EQ(info.size, 11u);
    EXPECT_EQ(registry_->blobs.stat(caller_, repo("team/app"), info.digest).value().size, 11u);
    // The session is gone once completed.
    EXPECT_EQ(uploads.status(caller_, repo("team/app"), s.id).error().code,
              Errc::blob_upload_unknown);
}

TEST_F(Uploads, OutOfOrderChunkIsRefusedWithTheCurrentOffset) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("a")).value();
    {
        auto a = uploads.open(caller_, repo("a"), s.id, 0).value();
        ASSERT_TRUE(a.append(bytes_of("12345")));
        ASSERT_TRUE(uploads.save(a));
    }
    auto wrong = uploads.open(caller_, repo("a"), s.id, 3);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::range_invalid);
    EXPECT_EQ(wrong.error().detail["offset"], 5);
}

TEST_F(Uploads, OneWriterAtATime) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("a")).value();
    auto first = uploads.open(caller_, repo("a"), s.id, std::nullopt).value();
    EXPECT_EQ(uploads.open(caller_, repo("a"), s.id, std::nullopt).error().code, Errc::upload_busy);
}

TEST_F(Uploads, WrongDigestLeavesNothingVisibleAndEndsTheSession) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("a")).value();
    auto a = uploads.open(caller_, repo("a"), s.id, 0).value();
    ASSERT_TRUE(a.append(bytes_of("hello")));
    auto done = uploads.complete(std::move(a), model::Digest::of("world"));
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, Errc::digest_invalid);
    EXPECT_EQ(registry_->blobs.stat(caller_, repo("a"), model::Digest::of("hello")).error().code,
              Errc::blob_unknown);
    EXPECT_EQ(blobs_.blob_count(), 0u);
    EXPECT_EQ(uploads.status(caller_, repo("a"), s.id).error().code, Errc::blob_upload_unknown);
}

TEST_F(Uploads, SessionBelongsToItsRepository) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("a")).value();
    ASSERT_TRUE(uploads.start(caller_, repo("b")));
    EXPECT_EQ(uploads.status(caller_, repo("b"), s.id).error().code, Errc::blob_upload_unknown);
    EXPECT_EQ(uploads.open(caller_, repo("b"), s.id, 0).error().code, Errc::blob_upload_unknown);
}

TEST_F(Uploads, CancelDiscardsAndIsThenUnknown) {
    auto& uploads = registry_->uploads;
    auto s = uploads.start(caller_, repo("a")).value();
    ASSERT_TRUE(uploads.cancel(caller_, repo("a"), s.id));
    EXPECT_EQ(uploads.cancel(caller_, repo("a"), s.id).error().code, Errc::blob_upload_unknown);
    EXPECT_EQ(blobs_.upload_count(), 0u);
}

class NoCreateOnPush : public RegistryTest {
    registry::RegistryOptions options() const override {
        registry::RegistryOptions o;
        o.create_on_push = false;
        return o;
    }
};

TEST_F(NoCreateOnPush, PushToMissingRepositoryIsNameUnknown) {
    EXPECT_EQ(registry_->uploads.start(caller_, repo("nope")).error().code, Errc::name_unknown);
    EXPECT_EQ(blobs_.upload_count(), 0u);
}

}  // namespace
}  // namespace wharf::testing
