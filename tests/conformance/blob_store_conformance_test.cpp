// The BlobStore contract (src/storage/blob/blob_store.hpp), run against every driver and fake.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/blob/blob_store.hpp"
#include "storage/blob/fs/fs_blob_store.hpp"
#include "support/in_memory_blob_store.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage {
namespace {

using model::ByteSpan;
using model::Digest;
using model::UploadId;

// One driver under test. restart() simulates a server restart: the store object is dropped and
// opened again on the same state (the in-memory fake has no restart; its state carries over).
class BlobStoreHarness {
public:
    virtual ~BlobStoreHarness() = default;
    virtual BlobStore& store() = 0;
    virtual void restart() = 0;
};

class FsHarness final : public BlobStoreHarness {
public:
    FsHarness() { restart(); }
    BlobStore& store() override { return *store_; }
    void restart() override {
        store_.reset();
        store_ = open_fs_blob_store(dir_.path() / "blobs").value();
    }

private:
    testing::TempDir dir_;
    std::unique_ptr<BlobStore> store_;
};

class InMemoryHarness final : public BlobStoreHarness {
public:
    BlobStore& store() override { return store_; }
    void restart() override {}

private:
    testing::InMemoryBlobStore store_;
};

using HarnessFactory = std::unique_ptr<BlobStoreHarness> (*)();

std::unique_ptr<BlobStoreHarness> make_fs() {
    return std::make_unique<FsHarness>();
}
std::unique_ptr<BlobStoreHarness> make_in_memory() {
    return std::make_unique<InMemoryHarness>();
}

std::span<const std::byte> as_bytes(std::string_view text) {
    return std::as_bytes(std::span{text.data(), text.size()});
}

Digest digest_of(std::string_view text, HashAlgorithm algorithm = HashAlgorithm::sha256) {
    return Digest::of(text, algorithm);
}

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) {
        c = static_cast<char>(rng() & 0xff);
    }
    return out;
}

std::string read_all(BlobReader& reader, std::size_t piece = 4096) {
    std::string out;
    std::vector<std::byte> buffer(piece);
    for (;;) {
        auto n = reader.read(buffer);
        EXPECT_TRUE(n) << n.error().message;
        if (!n || *n == 0) {
            return out;
        }
        out.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
}

class BlobStoreConformance : public ::testing::TestWithParam<HarnessFactory> {
protected:
    void SetUp() override { harness_ = GetParam()(); }
    BlobStore& store() { return harness_->store(); }

    std::string content_of(const Digest& digest) {
        auto reader = store().open(digest);
        EXPECT_TRUE(reader) << reader.error().message;
        return reader ? read_all(**reader) : std::string{};
    }

    std::unique_ptr<BlobStoreHarness> harness_;
};

TEST_P(BlobStoreConformance, PutThenStatAndReadWhole) {
    const std::string content = "hello world";
    auto info = store().put(as_bytes(content));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->digest, digest_of(content));
    EXPECT_EQ(info->size, content.size());

    auto stat = store().stat(digest_of(content));
    ASSERT_TRUE(stat) << stat.error().message;
    EXPECT_EQ(stat->size, content.size());

    auto reader = store().open(digest_of(content)).value();
    EXPECT_EQ(reader->length(), content.size());
    if (auto region = reader->native_region()) {
        EXPECT_GE(region->fd, 0);
        EXPECT_EQ(region->offset, 0u);
        EXPECT_EQ(region->length, content.size());
    }
    EXPECT_EQ(read_all(*reader), content);
}

TEST_P(BlobStoreConformance, PutIsIdempotent) {
    ASSERT_TRUE(store().put(as_bytes("same")));
    auto again = store().put(as_bytes("same"));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->digest, digest_of("same"));
    EXPECT_EQ(content_of(digest_of("same")), "same");
}

TEST_P(BlobStoreConformance, EmptyBlob) {
    auto info = store().put({});
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->digest, digest_of(""));
    EXPECT_EQ(store().stat(digest_of(""))->size, 0u);
    EXPECT_EQ(content_of(digest_of("")), "");
}

TEST_P(BlobStoreConformance, OpenSpanReadsOnlyThatSpan) {
    ASSERT_TRUE(store().put(as_bytes("hello world")));
    auto reader = store().open(digest_of("hello world"), ByteSpan{6, 5});
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ((*reader)->length(), 5u);
    if (auto region = (*reader)->native_region()) {
        EXPECT_EQ(region->offset, 6u);
        EXPECT_EQ(region->length, 5u);
    }
    EXPECT_EQ(read_all(**reader, 2), "world");

    auto first = store().open(digest_of("hello world"), ByteSpan{0, 1}).value();
    EXPECT_EQ(read_all(*first), "h");
}

TEST_P(BlobStoreConformance, ReadsLargeBlobInPiecesToTheEnd) {
    const std::string content = random_bytes(3 * 1024 * 1024 + 17, 1);
    ASSERT_TRUE(store().put(as_bytes(content)));
    auto reader = store().open(digest_of(content)).value();
    EXPECT_EQ(read_all(*reader, 65536 + 3), content);
    std::vector<std::byte> buffer(16);
    EXPECT_EQ(reader->read(buffer).value(), 0u);  // stays at the end

    auto tail = store().open(digest_of(content), ByteSpan{content.size() - 1000, 1000}).value();
    EXPECT_EQ(read_all(*tail, 333), content.substr(content.size() - 1000));
}

TEST_P(BlobStoreConformance, UnknownBlobIsBlobUnknown) {
    EXPECT_EQ(store().stat(digest_of("nope")).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().open(digest_of("nope")).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().open(digest_of("nope", HashAlgorithm::sha512)).error().code,
              Errc::blob_unknown);
}

TEST_P(BlobStoreConformance, ManyAppendsEqualOneShotDigest) {
    const std::string content = random_bytes(2 * 1024 * 1024, 2);
    auto writer = store().create_upload(UploadId::generate()).value();
    std::mt19937 rng(3);
    std::size_t at = 0;
    while (at < content.size()) {
        const std::size_t n = std::min<std::size_t>(rng() % 9000, content.size() - at);
        ASSERT_TRUE(writer->append(as_bytes(std::string_view(content).substr(at, n))));
        at += n;
        ASSERT_EQ(writer->size(), at);
    }
    auto info = writer->commit(digest_of(content));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->digest, digest_of(content));
    EXPECT_EQ(info->size, content.size());
    EXPECT_EQ(store().stat(digest_of(content))->size, content.size());
    EXPECT_EQ(content_of(digest_of(content)), content);
}

TEST_P(BlobStoreConformance, SavedUploadResumesAfterRestart) {
    const UploadId id = UploadId::generate();
    {
        auto writer = store().create_upload(id).value();
        ASSERT_TRUE(writer->append(as_bytes("first part, ")));
        ASSERT_TRUE(writer->save());
    }
    harness_->restart();
    auto writer = store().resume_upload(id);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ((*writer)->size(), 12u);
    ASSERT_TRUE((*writer)->append(as_bytes("second part")));
    ASSERT_TRUE((*writer)->save());
    ASSERT_TRUE((*writer)->append(as_bytes(".")));
    auto info = (*writer)->commit(digest_of("first part, second part."));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->size, 24u);
    EXPECT_EQ(content_of(info->digest), "first part, second part.");
}

TEST_P(BlobStoreConformance, UnsavedAppendsSurviveAndAreRehashedOnResume) {
    const UploadId id = UploadId::generate();
    {
        auto writer = store().create_upload(id).value();
        ASSERT_TRUE(writer->append(as_bytes("saved ")));
        ASSERT_TRUE(writer->save());
        ASSERT_TRUE(writer->append(as_bytes("unsaved ")));  // crash before save()
    }
    harness_->restart();
    auto writer = store().resume_upload(id).value();
    EXPECT_EQ(writer->size(), 14u);
    ASSERT_TRUE(writer->append(as_bytes("tail")));
    auto info = writer->commit(digest_of("saved unsaved tail"));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(content_of(info->digest), "saved unsaved tail");
}

TEST_P(BlobStoreConformance, NeverSavedUploadResumes) {
    const UploadId id = UploadId::generate();
    ASSERT_TRUE(store().create_upload(id).value()->append(as_bytes("abc")));
    harness_->restart();
    auto writer = store().resume_upload(id).value();
    EXPECT_EQ(writer->size(), 3u);
    EXPECT_TRUE(writer->commit(digest_of("abc")));
}

TEST_P(BlobStoreConformance, ResumeUnknownUploadIsBlobUploadUnknown) {
    EXPECT_EQ(store().resume_upload(UploadId::generate()).error().code, Errc::blob_upload_unknown);
}

TEST_P(BlobStoreConformance, CommitWithWrongDigestLeavesNothingVisible) {
    const UploadId id = UploadId::generate();
    auto writer = store().create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("hello")));
    ASSERT_TRUE(writer->save());
    auto commit = writer->commit(digest_of("world"));
    ASSERT_FALSE(commit);
    EXPECT_EQ(commit.error().code, Errc::digest_invalid);
    EXPECT_NE(commit.error().message.find(digest_of("hello").str()), std::string::npos)
        << commit.error().message;
    EXPECT_EQ(store().stat(digest_of("hello")).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().stat(digest_of("world")).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
    EXPECT_TRUE(writer->cancel());  // still idempotent afterwards
}

TEST_P(BlobStoreConformance, CommitSha512) {
    const std::string content = random_bytes(300000, 4);
    auto writer = store().create_upload(UploadId::generate()).value();
    ASSERT_TRUE(writer->append(as_bytes(content)));
    const Digest expected = digest_of(content, HashAlgorithm::sha512);
    auto info = writer->commit(expected);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->digest, expected);
    EXPECT_EQ(store().stat(expected)->size, content.size());
    EXPECT_EQ(store().stat(digest_of(content)).error().code, Errc::blob_unknown);
    EXPECT_EQ(content_of(expected), content);
}

TEST_P(BlobStoreConformance, CommitWithWrongSha512IsDigestInvalid) {
    const UploadId id = UploadId::generate();
    auto writer = store().create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("content")));
    const Digest wrong = digest_of("other", HashAlgorithm::sha512);
    EXPECT_EQ(writer->commit(wrong).error().code, Errc::digest_invalid);
    EXPECT_EQ(store().stat(wrong).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
}

TEST_P(BlobStoreConformance, CommitOfStoredContentDeduplicates) {
    ASSERT_TRUE(store().put(as_bytes("layer")));
    const UploadId id = UploadId::generate();
    auto writer = store().create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("layer")));
    auto info = writer->commit(digest_of("layer"));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->size, 5u);
    EXPECT_EQ(content_of(digest_of("layer")), "layer");
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
}

TEST_P(BlobStoreConformance, CommitEndsTheUpload) {
    const UploadId id = UploadId::generate();
    auto writer = store().create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("x")));
    ASSERT_TRUE(writer->commit(digest_of("x")));
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
    EXPECT_FALSE(writer->append(as_bytes("y")));
    EXPECT_EQ(content_of(digest_of("x")), "x");
}

TEST_P(BlobStoreConformance, CancelIsIdempotent) {
    const UploadId id = UploadId::generate();
    auto writer = store().create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("discard me")));
    EXPECT_TRUE(writer->cancel());
    EXPECT_TRUE(writer->cancel());
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
    EXPECT_FALSE(writer->commit(digest_of("discard me")));
    EXPECT_EQ(store().stat(digest_of("discard me")).error().code, Errc::blob_unknown);
}

TEST_P(BlobStoreConformance, CancelThroughResumedWriter) {
    const UploadId id = UploadId::generate();
    ASSERT_TRUE(store().create_upload(id).value()->append(as_bytes("abc")));
    ASSERT_TRUE(store().resume_upload(id).value()->cancel());
    EXPECT_EQ(store().resume_upload(id).error().code, Errc::blob_upload_unknown);
}

TEST_P(BlobStoreConformance, RemoveIsIdempotent) {
    ASSERT_TRUE(store().put(as_bytes("short-lived")));
    EXPECT_TRUE(store().remove(digest_of("short-lived")));
    EXPECT_TRUE(store().remove(digest_of("short-lived")));
    EXPECT_TRUE(store().remove(digest_of("never stored", HashAlgorithm::sha512)));
    EXPECT_EQ(store().stat(digest_of("short-lived")).error().code, Errc::blob_unknown);
    EXPECT_EQ(store().open(digest_of("short-lived")).error().code, Errc::blob_unknown);
    ASSERT_TRUE(store().put(as_bytes("short-lived")));  // and it can come back
    EXPECT_EQ(content_of(digest_of("short-lived")), "short-lived");
}

TEST_P(BlobStoreConformance, ConcurrentUploadsOfTheSameContent) {
    const std::string content = random_bytes(512 * 1024, 5);
    const Digest digest = digest_of(content);
    constexpr int kThreads = 8;
    std::vector<std::thread> threads;
    std::vector<std::string> failures(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto writer = store().create_upload(UploadId::generate());
            if (!writer) {
                failures[t] = writer.error().message;
                return;
            }
            for (std::size_t at = 0; at < content.size(); at += 10000) {
                auto piece = std::string_view(content).substr(at, 10000);
                if (auto a = (*writer)->append(as_bytes(piece)); !a) {
                    failures[t] = a.error().message;
                    return;
                }
            }
            if (auto info = (*writer)->commit(digest); !info) {
                failures[t] = info.error().message;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(failures[t], "") << "thread " << t;
    }
    EXPECT_EQ(store().stat(digest)->size, content.size());
    EXPECT_EQ(content_of(digest), content);
}

TEST_P(BlobStoreConformance, ConcurrentDistinctUploadsAndReads) {
    constexpr int kThreads = 6;
    std::vector<std::thread> threads;
    std::vector<std::string> failures(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                const std::string content = random_bytes(1000 + i, t * 100 + i);
                auto info = store().put(as_bytes(content));
                if (!info) {
                    failures[t] = info.error().message;
                    return;
                }
                auto reader = store().open(info->digest);
                if (!reader || read_all(**reader) != content) {
                    failures[t] = "read back differs";
                    return;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(failures[t], "") << "thread " << t;
    }
}

INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreConformance, ::testing::Values(&make_fs));
INSTANTIATE_TEST_SUITE_P(InMemory, BlobStoreConformance, ::testing::Values(&make_in_memory));

}  // namespace
}  // namespace wharf::storage
