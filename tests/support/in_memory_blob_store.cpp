#include "support/in_memory_blob_store.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/hash.hpp"

namespace wharf::testing {
namespace {

Error blob_unknown(const model::Digest& digest) {
    return Error{Errc::blob_unknown, fmt::format("blob {} is not stored", digest.str())};
}

class InMemoryBlobReader final : public storage::BlobReader {
public:
    InMemoryBlobReader(std::shared_ptr<const std::string> bytes, std::uint64_t offset,
                       std::uint64_t length)
        : bytes_(std::move(bytes)), offset_(offset), length_(length) {}

    std::uint64_t length() const noexcept override { return length_; }

    Result<std::size_t> read(std::span<std::byte> out) override {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), length_ - position_));
        std::memcpy(out.data(), bytes_->data() + offset_ + position_, n);
        position_ += n;
        return n;
    }

private:
    std::shared_ptr<const std::string> bytes_;
    std::uint64_t offset_;
    std::uint64_t length_;
    std::uint64_t position_ = 0;
};

}  // namespace

class InMemoryBlobWriter final : public storage::BlobWriter {
public:
    InMemoryBlobWriter(InMemoryBlobStore& store, std::string id,
                       std::shared_ptr<InMemoryBlobStore::Upload> upload, Hasher hasher)
        : store_(store),
          id_(std::move(id)),
          upload_(std::move(upload)),
          hasher_(std::move(hasher)) {}

    std::uint64_t size() const noexcept override { return hasher_.bytes_hashed(); }

    Result<void> append(std::span<const std::byte> bytes) override {
        std::lock_guard lock(store_.mutex_);
        if (ended_ || !upload_is_current()) {
            return gone();
        }
        upload_->data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        hasher_.update(bytes);
        return ok();
    }

    Result<void> save() override {
        std::lock_guard lock(store_.mutex_);
        if (ended_ || !upload_is_current()) {
            return gone();
        }
        upload_->saved_state = hasher_.export_state();
        upload_->saved_offset = hasher_.bytes_hashed();
        return ok();
    }

    Result<storage::BlobInfo> commit(const model::Digest& expected) override {
        std::lock_guard lock(store_.mutex_);
        if (ended_ || !upload_is_current()) {
            return gone();
        }
        const auto actual = expected.algorithm() == hasher_.algorithm()
                                ? model::Digest::from(hasher_)
                                : model::Digest::of(upload_->data, expected.algorithm());
        const std::uint64_t size = upload_->data.size();
        if (actual == expected) {
            store_.blobs_.try_emplace(expected.str(),
                                      std::make_shared<const std::string>(upload_->data));
        }
        store_.uploads_.erase(id_);
        ended_ = true;
        if (actual != expected) {
            return Error{Errc::digest_invalid,
                         fmt::format("content hashes to {}, not {}", actual.str(), expected.str())};
        }
        return storage::BlobInfo{expected, size};
    }

    Result<void> cancel() override {
        std::lock_guard lock(store_.mutex_);
        if (!ended_ && upload_is_current()) {
            store_.uploads_.erase(id_);
        }
        ended_ = true;
        return ok();
    }

private:
    // False when another writer for the same id committed or cancelled it meanwhile.
    bool upload_is_current() const {
        auto it = store_.uploads_.find(id_);
        return it != store_.uploads_.end() && it->second == upload_;
    }
    static Error gone() {
        return Error{Errc::blob_upload_unknown, "the upload was already committed or cancelled"};
    }

    InMemoryBlobStore& store_;
    std::string id_;
    std::shared_ptr<InMemoryBlobStore::Upload> upload_;
    Hasher hasher_;
    bool ended_ = false;
};

Result<storage::BlobInfo> InMemoryBlobStore::stat(const model::Digest& digest) {
    std::lock_guard lock(mutex_);
    auto it = blobs_.find(digest.str());
    if (it == blobs_.end()) {
        return blob_unknown(digest);
    }
    return storage::BlobInfo{digest, it->second->size()};
}

Result<std::unique_ptr<storage::BlobReader>> InMemoryBlobStore::open(
    const model::Digest& digest, std::optional<model::ByteSpan> span) {
    std::shared_ptr<const std::string> bytes;
    {
        std::lock_guard lock(mutex_);
        auto it = blobs_.find(digest.str());
        if (it == blobs_.end()) {
            return blob_unknown(digest);
        }
        bytes = it->second;
    }
    const std::uint64_t size = bytes->size();
    model::ByteSpan region{0, size};
    if (span) {
        if (span->offset > size || span->length > size - span->offset) {
            return Error{Errc::range_invalid, "span outside the blob"};
        }
        region = *span;
    }
    return std::unique_ptr<storage::BlobReader>(
        new InMemoryBlobReader(std::move(bytes), region.offset, region.length));
}

Result<std::unique_ptr<storage::BlobWriter>> InMemoryBlobStore::create_upload(
    const model::UploadId& id) {
    std::lock_guard lock(mutex_);
    auto upload = std::make_shared<Upload>();
    if (!uploads_.try_emplace(id.str(), upload).second) {
        return Error{Errc::internal, fmt::format("upload {} already exists", id.str())};
    }
    return std::unique_ptr<storage::BlobWriter>(
        new InMemoryBlobWriter(*this, id.str(), std::move(upload), Hasher{}));
}

Result<std::unique_ptr<storage::BlobWriter>> InMemoryBlobStore::resume_upload(
    const model::UploadId& id) {
    std::lock_guard lock(mutex_);
    auto it = uploads_.find(id.str());
    if (it == uploads_.end()) {
        return Error{Errc::blob_upload_unknown, fmt::format("no upload {}", id.str())};
    }
    const auto& upload = *it->second;
    std::optional<Hasher> hasher;
    if (upload.saved_offset == upload.data.size()) {
        hasher = Hasher::import_state(upload.saved_state);
    }
    if (!hasher) {  // appended after the last save (or never saved): re-hash, like the fs driver
        hasher.emplace();
        hasher->update(upload.data);
    }
    return std::unique_ptr<storage::BlobWriter>(
        new InMemoryBlobWriter(*this, id.str(), it->second, std::move(*hasher)));
}

Result<storage::BlobInfo> InMemoryBlobStore::put(std::span<const std::byte> bytes) {
    std::string data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto digest = model::Digest::of(data);
    std::lock_guard lock(mutex_);
    blobs_.try_emplace(digest.str(), std::make_shared<const std::string>(std::move(data)));
    return storage::BlobInfo{digest, bytes.size()};
}

Result<void> InMemoryBlobStore::remove(const model::Digest& digest) {
    std::lock_guard lock(mutex_);
    blobs_.erase(digest.str());
    return ok();
}

std::size_t InMemoryBlobStore::blob_count() const {
    std::lock_guard lock(mutex_);
    return blobs_.size();
}

std::size_t InMemoryBlobStore::upload_count() const {
    std::lock_guard lock(mutex_);
    return uploads_.size();
}

}  // namespace wharf::testing
