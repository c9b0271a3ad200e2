// Driver-specific behaviour of the filesystem BlobStore: the on-disk layout and crash recovery.
// The interface contract itself is in tests/conformance/blob_store_conformance_test.cpp.
#include "storage/blob/fs/fs_blob_store.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "storage/blob/fs/fs_blob_writer.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage {
namespace {

namespace stdfs = std::filesystem;
using model::Digest;
using model::UploadId;

std::span<const std::byte> as_bytes(std::string_view text) {
    return std::as_bytes(std::span{text.data(), text.size()});
}

std::string slurp(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spew(const stdfs::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

class FsBlobStoreTest : public ::testing::Test {
protected:
    void SetUp() override { store_ = open_fs_blob_store(root()).value(); }
    stdfs::path root() const { return dir_.path() / "store"; }
    stdfs::path upload_dir(const UploadId& id) const { return root() / "uploads" / id.str(); }
    stdfs::path blob_path(const Digest& d) const {
        const std::string hex(d.hex());
        return root() / "blobs" / std::string(to_string(d.algorithm())) / hex.substr(0, 2) / hex;
    }

    testing::TempDir dir_;
    std::unique_ptr<BlobStore> store_;
};

TEST_F(FsBlobStoreTest, OpenCreatesTheLayout) {
    EXPECT_TRUE(stdfs::is_directory(root() / "blobs" / "sha256"));
    EXPECT_TRUE(stdfs::is_directory(root() / "blobs" / "sha512"));
    EXPECT_TRUE(stdfs::is_directory(root() / "uploads"));
}

TEST_F(FsBlobStoreTest, RootThatIsAFileIsInternal) {
    spew(dir_.path() / "file", "x");
    auto store = open_fs_blob_store(dir_.path() / "file");
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::internal);
    EXPECT_NE(store.error().message.find("file"), std::string::npos) << store.error().message;
}

TEST_F(FsBlobStoreTest, CommittedBlobIsAReadOnlyFileUnderItsDigest) {
    ASSERT_TRUE(store_->put(as_bytes("hello")));
    const auto path = blob_path(Digest::of("hello"));
    ASSERT_TRUE(stdfs::is_regular_file(path)) << path;
    EXPECT_EQ(slurp(path), "hello");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0444u);
}

TEST_F(FsBlobStoreTest, Sha512BlobLivesUnderSha512) {
    auto writer = store_->create_upload(UploadId::generate()).value();
    ASSERT_TRUE(writer->append(as_bytes("hello")));
    ASSERT_TRUE(writer->commit(Digest::of("hello", HashAlgorithm::sha512)));
    EXPECT_TRUE(stdfs::is_regular_file(blob_path(Digest::of("hello", HashAlgorithm::sha512))));
}

TEST_F(FsBlobStoreTest, UploadKeepsDataAndHashstateUntilCommit) {
    const UploadId id = UploadId::generate();
    auto writer = store_->create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("abc")));
    EXPECT_EQ(slurp(upload_dir(id) / "data"), "abc");  // written through, not buffered
    EXPECT_FALSE(stdfs::exists(upload_dir(id) / "hashstate"));
    ASSERT_TRUE(writer->save());
    EXPECT_TRUE(stdfs::is_regular_file(upload_dir(id) / "hashstate"));
    EXPECT_FALSE(stdfs::exists(upload_dir(id) / "hashstate.tmp"));
    ASSERT_TRUE(writer->commit(Digest::of("abc")));
    EXPECT_FALSE(stdfs::exists(upload_dir(id)));
}

TEST_F(FsBlobStoreTest, FailedCommitAndCancelRemoveTheUploadDirectory) {
    const UploadId a = UploadId::generate();
    auto writer = store_->create_upload(a).value();
    ASSERT_TRUE(writer->append(as_bytes("abc")));
    EXPECT_FALSE(writer->commit(Digest::of("xyz")));
    EXPECT_FALSE(stdfs::exists(upload_dir(a)));

    const UploadId b = UploadId::generate();
    ASSERT_TRUE(store_->create_upload(b).value()->cancel());
    EXPECT_FALSE(stdfs::exists(upload_dir(b)));
    EXPECT_TRUE(stdfs::is_empty(root() / "uploads"));
}

TEST_F(FsBlobStoreTest, DedupCommitDropsTheUpload) {
    ASSERT_TRUE(store_->put(as_bytes("abc")));
    const UploadId id = UploadId::generate();
    auto writer = store_->create_upload(id).value();
    ASSERT_TRUE(writer->append(as_bytes("abc")));
    ASSERT_TRUE(writer->commit(Digest::of("abc")));
    EXPECT_FALSE(stdfs::exists(upload_dir(id)));
    EXPECT_EQ(slurp(blob_path(Digest::of("abc"))), "abc");
}

TEST_F(FsBlobStoreTest, DamagedHashstateFallsBackToRehashing) {
    const UploadId id = UploadId::generate();
    {
        auto writer = store_->create_upload(id).value();
        ASSERT_TRUE(writer->append(as_bytes("hello ")));
        ASSERT_TRUE(writer->save());
    }
    spew(upload_dir(id) / "hashstate", "garbage");
    store_ = open_fs_blob_store(root()).value();
    auto writer = store_->resume_upload(id).value();
    EXPECT_EQ(writer->size(), 6u);
    ASSERT_TRUE(writer->append(as_bytes("world")));
    EXPECT_TRUE(writer->commit(Digest::of("hello world")));
}

TEST_F(FsBlobStoreTest, ShorterDataThanHashstateIsRehashed) {
    // After a power loss the data file may hold fewer bytes than the saved hash covered.
    const UploadId id = UploadId::generate();
    {
        auto writer = store_->create_upload(id).value();
        ASSERT_TRUE(writer->append(as_bytes("hello world")));
        ASSERT_TRUE(writer->save());
    }
    ASSERT_EQ(::truncate((upload_dir(id) / "data").c_str(), 5), 0);
    auto writer = store_->resume_upload(id).value();
    EXPECT_EQ(writer->size(), 5u);
    ASSERT_TRUE(writer->append(as_bytes("!")));
    EXPECT_TRUE(writer->commit(Digest::of("hello!")));
}

TEST_F(FsBlobStoreTest, HashstateEncoding) {
    Hasher hasher;
    hasher.update(std::string_view("abc"));
    const std::string state = fs::encode_hashstate(3, hasher);
    auto back = fs::decode_hashstate(state, 3);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->hex(), hasher.hex());
    EXPECT_FALSE(fs::decode_hashstate(state, 4));                     // other offset
    EXPECT_FALSE(fs::decode_hashstate(state.substr(0, 20), 3));       // torn write
    EXPECT_FALSE(fs::decode_hashstate("XXXX" + state.substr(4), 3));  // foreign file
    EXPECT_FALSE(fs::decode_hashstate("", 0));
    Hasher sha512(HashAlgorithm::sha512);
    EXPECT_FALSE(fs::decode_hashstate(fs::encode_hashstate(0, sha512), 0));  // not the running one
}

TEST_F(FsBlobStoreTest, NativeRegionIsTheBlobFile) {
    ASSERT_TRUE(store_->put(as_bytes("hello world")));
    auto reader = store_->open(Digest::of("hello world"), model::ByteSpan{6, 5}).value();
    auto region = reader->native_region();
    ASSERT_TRUE(region);
    char buffer[5] = {};
    ASSERT_EQ(::pread(region->fd, buffer, 5, static_cast<off_t>(region->offset)), 5);
    EXPECT_EQ(std::string_view(buffer, 5), "world");
    EXPECT_EQ(region->length, 5u);
}

TEST_F(FsBlobStoreTest, OpenReaderOutlivesRemove) {
    ASSERT_TRUE(store_->put(as_bytes("still here")));
    auto reader = store_->open(Digest::of("still here")).value();
    ASSERT_TRUE(store_->remove(Digest::of("still here")));
    EXPECT_FALSE(stdfs::exists(blob_path(Digest::of("still here"))));
    std::vector<std::byte> buffer(64);
    EXPECT_EQ(reader->read(buffer).value(), 10u);
}

TEST_F(FsBlobStoreTest, SpanOutsideTheBlobIsRejected) {
    ASSERT_TRUE(store_->put(as_bytes("abc")));
    EXPECT_EQ(store_->open(Digest::of("abc"), model::ByteSpan{2, 2}).error().code,
              Errc::range_invalid);
}

}  // namespace
}  // namespace wharf::storage
