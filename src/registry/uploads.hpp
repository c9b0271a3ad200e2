#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>

#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

struct UploadStatus {
    model::UploadId id;
    std::uint64_t offset = 0;  // bytes received so far
};

class UploadService;

// Exclusive right to append to one upload for the duration of a request. Not thread-safe.
class UploadAppender {
public:
    UploadAppender(UploadAppender&&) noexcept = default;
    UploadAppender& operator=(UploadAppender&&) noexcept = default;
    ~UploadAppender();

    Result<void> append(std::span<const std::byte> bytes);  // Errc::internal on I/O failure
    std::uint64_t offset() const noexcept;
    const model::UploadId& id() const noexcept { return id_; }

private:
    friend class UploadService;
    UploadAppender(UploadService& owner, storage::RepoId repo, model::UploadId id,
                   std::unique_ptr<storage::BlobWriter> writer);

    UploadService* owner_;
    storage::RepoId repo_;
    model::UploadId id_;
    std::unique_ptr<storage::BlobWriter> writer_;
};

// The upload state machine: start -> (append, save)* -> complete | cancel. Sessions live in the
// metadata store and the blob store, so they survive restarts; one request at a time may write.
class UploadService {
public:
    explicit UploadService(ServiceContext& ctx) : ctx_(ctx) {}

    // Opens a session (creating the repository when create_on_push allows).
    Result<UploadStatus> start(const Caller& caller, const model::RepoName& repo);
    // Errc::blob_upload_unknown when the session does not exist in this repository.
    Result<UploadStatus> status(const Caller& caller, const model::RepoName& repo,
                                const model::UploadId& id);
    // Takes the session for appending. `at`: where the client says its bytes start
    // (Content-Range); Errc::range_invalid with detail {"offset": current} when it is not the
    // current offset. Errc::upload_busy while another request holds it.
    Result<UploadAppender> open(const Caller& caller, const model::RepoName& repo,
                                const model::UploadId& id, std::optional<std::uint64_t> at);
    // Ends one request's part: what was appended becomes resumable.
    Result<UploadStatus> save(UploadAppender& appender);
    // Verifies the content against `digest`, stores it and links it to the repository; the
    // session ends either way (Errc::digest_invalid leaves nothing visible).
    Result<storage::BlobInfo> complete(UploadAppender appender, const model::Digest& digest);
    // ECR's UploadLayerPart: the part must start where the upload ends (Errc::range_invalid with
    // detail {"offset"}); parts smaller than 5 MiB are remembered so that completing an upload
    // whose small part was not the last fails (Errc::too_large is not it: Errc::size_invalid
    // with detail {"kind": "part"}).
    Result<UploadStatus> append_part(const Caller& caller, const model::RepoName& repo,
                                     const model::UploadId& id, std::uint64_t first_byte,
                                     std::span<const std::byte> bytes);
    // ECR's CompleteLayerUpload: Errc::size_invalid (kind "part") for a small non-final part,
    // Errc::size_invalid (kind "empty") for an upload with no bytes, then as complete().
    Result<storage::BlobInfo> complete_parts(const Caller& caller, const model::RepoName& repo,
                                             const model::UploadId& id,
                                             const model::Digest& digest);
    // Discards the session. Errc::blob_upload_unknown when it does not exist.
    Result<void> cancel(const Caller& caller, const model::RepoName& repo,
                        const model::UploadId& id);

private:
    friend class UploadAppender;
    Result<storage::RepoId> owning_repo(const model::RepoName& repo, const model::UploadId& id);
    bool acquire(const model::UploadId& id);
    void release(const model::UploadId& id);
    Result<void> forget(const model::UploadId& id);

    ServiceContext& ctx_;
    std::mutex mu_;
    std::unordered_set<std::string> active_;  // ids a request is writing to, this process
};

}  // namespace wharf::registry
