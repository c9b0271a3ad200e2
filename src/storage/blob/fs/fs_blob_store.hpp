#pragma once

#include <filesystem>
#include <memory>

#include "storage/blob/blob_store.hpp"

namespace wharf::storage {

// Filesystem BlobStore rooted at `root`:
//   root/blobs/<alg>/<first two hex>/<hex>   committed, immutable blobs (0444)
//   root/uploads/<id>/data                   bytes of an upload in progress
//   root/uploads/<id>/hashstate              running hash as of save(), with its offset
// A commit writes nothing new: data is fsynced, renamed into blobs/ and the directory fsynced.
// Creates the directories it needs; Errc::internal when root is unusable.
Result<std::unique_ptr<BlobStore>> open_fs_blob_store(const std::filesystem::path& root);

}  // namespace wharf::storage
