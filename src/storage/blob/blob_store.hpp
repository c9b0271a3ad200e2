#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common/result.hpp"
#include "model/byte_range.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"

namespace wharf::storage {

struct BlobInfo {
    model::Digest digest;
    std::uint64_t size = 0;
};

// A local file region the HTTP layer may send with sendfile(2) instead of copying.
struct NativeFileRegion {
    int fd = -1;  // owned by the reader; valid while the reader lives
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// Sequential reader over a whole blob or one span of it. Not thread-safe; blocks.
class BlobReader {
public:
    virtual ~BlobReader() = default;
    virtual std::uint64_t length() const noexcept = 0;  // bytes this reader yields in total
    // Fills up to out.size() bytes; 0 at the end. Errc::internal on an I/O error.
    virtual Result<std::size_t> read(std::span<std::byte> out) = 0;
    // The region as a local file, when the driver has one (filesystem); nullopt otherwise.
    virtual std::optional<NativeFileRegion> native_region() const { return std::nullopt; }
};

// An upload in progress: bytes are hashed as they are appended and the blob becomes visible only
// through commit(). Not thread-safe (one request at a time owns it); blocks.
class BlobWriter {
public:
    virtual ~BlobWriter() = default;
    virtual std::uint64_t size() const noexcept = 0;  // bytes appended so far, all sessions
    // Errc::internal on an I/O error; then the writer must not be used except for cancel().
    virtual Result<void> append(std::span<const std::byte> bytes) = 0;
    // Makes what was appended, and the running hash, resumable by BlobStore::resume_upload
    // (written, not necessarily fsynced: after a crash resume re-hashes what survived).
    virtual Result<void> save() = 0;
    // Verifies the content against `expected` (re-reading only when its algorithm differs from
    // the running one), makes it durable (fsync) and visible under that digest, and ends the
    // upload. Errc::digest_invalid when it does not match: nothing becomes visible and the
    // upload is discarded. Idempotent for an already-stored digest (deduplication).
    virtual Result<BlobInfo> commit(const model::Digest& expected) = 0;
    // Discards the upload's bytes. Idempotent.
    virtual Result<void> cancel() = 0;
};

// Content-addressed, immutable blob storage shared by all repositories (deduplicated).
// Knows nothing about repositories: who may read a blob is the metadata store's business.
// Thread-safe; every method blocks.
class BlobStore {
public:
    virtual ~BlobStore() = default;
    // Errc::blob_unknown when absent.
    virtual Result<BlobInfo> stat(const model::Digest& digest) = 0;
    // Errc::blob_unknown when absent; span must lie within the blob (callers resolve ranges).
    virtual Result<std::unique_ptr<BlobReader>> open(const model::Digest& digest,
                                                     std::optional<model::ByteSpan> span = {}) = 0;
    // Starts a new upload. Errc::internal on I/O failure.
    virtual Result<std::unique_ptr<BlobWriter>> create_upload(const model::UploadId& id) = 0;
    // Continues an upload, across requests and server restarts, at the offset that survived.
    // Errc::blob_upload_unknown when there is no such upload.
    virtual Result<std::unique_ptr<BlobWriter>> resume_upload(const model::UploadId& id) = 0;
    // Stores a small blob in one call (manifest-sized data, tests). Idempotent.
    virtual Result<BlobInfo> put(std::span<const std::byte> bytes) = 0;
    // Idempotent: removing an absent blob succeeds.
    virtual Result<void> remove(const model::Digest& digest) = 0;
};

}  // namespace wharf::storage
