#pragma once

#include <memory>
#include <optional>

#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// Adapters stream blobs through this interface without depending on storage themselves.
using BlobReader = storage::BlobReader;

struct BlobRead {
    storage::BlobInfo info;                       // the whole blob
    std::optional<model::ByteSpan> span;          // the part being sent, when a Range was asked
    std::unique_ptr<storage::BlobReader> reader;  // yields span (or the whole blob)
};

class BlobService {
public:
    explicit BlobService(ServiceContext& ctx) : ctx_(ctx) {}
    // Errc::name_unknown, Errc::blob_unknown (also when the repository does not link it).
    Result<storage::BlobInfo> stat(const Caller& caller, const model::RepoName& repo,
                                   const model::Digest& digest);
    // ECR's rule for GetDownloadUrlForLayer: as stat, and the blob must be referenced by an
    // image of the repository (Errc::blob_unknown with detail {"kind": "unreferenced"}
    // otherwise: "unassociated image layers may be cleaned up at any time").
    Result<storage::BlobInfo> stat_referenced(const Caller& caller, const model::RepoName& repo,
                                              const model::Digest& digest);
    // As stat; a Range header value resolves against the size (Errc::range_invalid, with
    // detail {"digest", "size"}).
    Result<BlobRead> open(const Caller& caller, const model::RepoName& repo,
                          const model::Digest& digest, std::string_view range_header);
    // Unlinks the blob from the repository. Errc::blob_unknown, Errc::in_use while a manifest
    // of the repository references it.
    Result<void> remove(const Caller& caller, const model::RepoName& repo,
                        const model::Digest& digest);
    // Links a blob of `from` into `to` without copying; nullopt when `from` does not have it
    // (the caller falls back to a normal upload).
    Result<std::optional<storage::BlobInfo>> mount(const Caller& caller, const model::RepoName& to,
                                                   const model::Digest& digest,
                                                   const model::RepoName& from);

private:
    Result<storage::BlobInfo> lookup(const model::RepoName& repo, const model::Digest& digest,
                                     bool need_reference);
    ServiceContext& ctx_;
};

}  // namespace wharf::registry
