#pragma once

#include <cstdint>

#include "storage/blob/blob_store.hpp"
#include "storage/blob/fs/fs_io.hpp"

namespace wharf::storage::fs {

// Reads [offset, offset + length) of a committed blob file with pread(2); the file is immutable,
// so no locking is needed and several readers may share a blob.
class FsBlobReader final : public BlobReader {
public:
    FsBlobReader(UniqueFd fd, std::filesystem::path path, std::uint64_t offset,
                 std::uint64_t length)
        : fd_(std::move(fd)), path_(std::move(path)), offset_(offset), length_(length) {}

    std::uint64_t length() const noexcept override { return length_; }
    Result<std::size_t> read(std::span<std::byte> out) override;
    // What is left to read (all of it before the first read()).
    std::optional<NativeFileRegion> native_region() const override;

private:
    UniqueFd fd_;
    std::filesystem::path path_;
    std::uint64_t offset_;
    std::uint64_t length_;
    std::uint64_t position_ = 0;  // bytes already returned
};

}  // namespace wharf::storage::fs
