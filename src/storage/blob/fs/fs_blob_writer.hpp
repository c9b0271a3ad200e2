#pragma once

#include <memory>

#include "common/hash.hpp"
#include "storage/blob/blob_store.hpp"
#include "storage/blob/fs/fs_io.hpp"
#include "storage/blob/fs/fs_layout.hpp"

namespace wharf::storage::fs {

// An upload in uploads/<id>/: `data` grows with plain write(2)s while a SHA-256 runs over the
// same bytes; `hashstate` (written by save()) lets a later session continue without re-reading.
class FsBlobWriter final : public BlobWriter {
public:
    // Creates uploads/<id>/ with an empty data file. Errc::internal if the id is already in use.
    static Result<std::unique_ptr<BlobWriter>> create(const FsLayout& layout,
                                                      const model::UploadId& id);
    // Reopens uploads/<id>/data at its end. The hash comes from hashstate when it covers exactly
    // the bytes on disk, otherwise the data file is re-hashed from the start (a crash between an
    // append and its save). Errc::blob_upload_unknown when there is no such upload.
    static Result<std::unique_ptr<BlobWriter>> resume(const FsLayout& layout,
                                                      const model::UploadId& id);

    std::uint64_t size() const noexcept override { return size_; }
    Result<void> append(std::span<const std::byte> bytes) override;
    Result<void> save() override;
    Result<BlobInfo> commit(const model::Digest& expected) override;
    Result<void> cancel() override;

private:
    enum class State { open, failed, ended };

    FsBlobWriter(FsLayout layout, std::filesystem::path dir, UniqueFd fd, Hasher hasher,
                 std::uint64_t size);
    Result<void> usable() const;
    Result<model::Digest> content_digest(HashAlgorithm algorithm);
    Result<void> publish(const model::Digest& digest);
    Result<void> discard();

    FsLayout layout_;
    std::filesystem::path dir_;  // uploads/<id>
    UniqueFd fd_;                // dir_/data, O_RDWR | O_APPEND
    Hasher hasher_;              // sha256 over bytes [0, size_)
    std::uint64_t size_;
    State state_ = State::open;
};

// The bytes of uploads/<id>/hashstate, and their parse (nullopt when damaged or foreign).
std::string encode_hashstate(std::uint64_t offset, const Hasher& hasher);
std::optional<Hasher> decode_hashstate(std::string_view bytes, std::uint64_t expected_offset);

}  // namespace wharf::storage::fs
