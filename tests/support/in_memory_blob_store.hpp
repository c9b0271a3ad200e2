#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/blob/blob_store.hpp"

namespace wharf::testing {

// BlobStore fake for service tests: blobs and uploads live in maps behind one mutex. Same
// observable contract as the real drivers (it runs the same conformance suite): hashing while
// appending, verify-on-commit, discard on mismatch, deduplication, resumable uploads.
class InMemoryBlobStore final : public storage::BlobStore {
public:
    Result<storage::BlobInfo> stat(const model::Digest& digest) override;
    Result<std::unique_ptr<storage::BlobReader>> open(
        const model::Digest& digest, std::optional<model::ByteSpan> span = {}) override;
    Result<std::unique_ptr<storage::BlobWriter>> create_upload(const model::UploadId& id) override;
    Result<std::unique_ptr<storage::BlobWriter>> resume_upload(const model::UploadId& id) override;
    Result<storage::BlobInfo> put(std::span<const std::byte> bytes) override;
    Result<void> remove(const model::Digest& digest) override;

    // Test helpers.
    std::size_t blob_count() const;
    std::size_t upload_count() const;

private:
    friend class InMemoryBlobWriter;

    // Shared with its writers, which must not outlive the store.
    struct Upload {
        std::string data;         // every appended byte, saved or not (like the fs data file)
        std::string saved_state;  // Hasher::export_state() at the last save()
        std::uint64_t saved_offset = 0;
    };

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const std::string>> blobs_;  // by digest string
    std::map<std::string, std::shared_ptr<Upload>> uploads_;           // by upload id
};

}  // namespace wharf::testing
