#pragma once

#include <filesystem>

#include "common/result.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"

namespace wharf::storage::fs {

// Where things live under the store's root (see fs_blob_store.hpp). Paths are built only from
// validated vocabulary types; each component is re-checked so that a bug elsewhere can never turn
// an id or a digest into "..", an absolute path or a nested path.
class FsLayout {
public:
    explicit FsLayout(std::filesystem::path root) : root_(std::move(root)) {}

    const std::filesystem::path& root() const noexcept { return root_; }
    std::filesystem::path blobs_root() const { return root_ / "blobs"; }
    std::filesystem::path uploads_root() const { return root_ / "uploads"; }

    std::filesystem::path algorithm_dir(HashAlgorithm algorithm) const;         // blobs/<alg>
    Result<std::filesystem::path> blob_dir(const model::Digest& digest) const;  // .../<2 hex>
    Result<std::filesystem::path> blob_file(const model::Digest& digest) const;

    Result<std::filesystem::path> upload_dir(const model::UploadId& id) const;
    static std::filesystem::path data_file(const std::filesystem::path& upload_dir) {
        return upload_dir / "data";
    }
    static std::filesystem::path hashstate_file(const std::filesystem::path& upload_dir) {
        return upload_dir / "hashstate";
    }

private:
    std::filesystem::path root_;
};

}  // namespace wharf::storage::fs
