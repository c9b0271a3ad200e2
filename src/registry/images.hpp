#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// ECR's ImageIdentifier as it arrives: either part may be absent; the digest is unparsed so a
// malformed one is reported per id (InvalidImageDigest), not for the whole call.
struct ImageId {
    std::optional<std::string> digest;
    std::optional<std::string> tag;
};

struct ImageInfo {
    storage::ManifestRecord manifest;
    std::vector<std::string> tags;
};

// ECR's per-id failure codes (ImageFailureCode).
struct ImageFailure {
    ImageId id;
    std::string code;    // ImageNotFound, InvalidImageDigest, ImageReferencedByManifestList, ...
    std::string reason;  // ECR's text
};

struct BatchResult {
    storage::RepoId repo_id = 0;
    std::vector<ImageInfo> found;  // for deletes: what was deleted (tags = tags removed)
    std::vector<ImageId> ids;      // the ids that succeeded, as given
    std::vector<ImageFailure> failures;
};

enum class TagStatus { any, tagged, untagged };
// ECR's ImageStatusFilter: listings show ACTIVE images unless asked otherwise.
enum class StatusFilter { active, archived, any };

// Images (manifests with their tags) for the control plane.
class ImageService {
public:
    explicit ImageService(ServiceContext& ctx) : ctx_(ctx) {}

    // Manifests in digest order after `after`, at most `limit`, filtered by tag status; the
    // bool says whether more follow. Errc::name_unknown.
    Result<std::pair<std::vector<ImageInfo>, bool>> list(const model::RepoName& repo,
                                                         TagStatus status,
                                                         const std::optional<model::Digest>& after,
                                                         std::size_t limit,
                                                         StatusFilter storage = StatusFilter::active);
    // Looks up each id (DescribeImages / BatchGetImage). Errc::name_unknown.
    Result<BatchResult> get(const model::RepoName& repo, const std::vector<ImageId>& ids);
    // ECR's BatchDeleteImage: by tag only the tag goes (and the image with its last tag); by
    // digest the image and all its tags; per-id failures, never a whole-call error for them.
    Result<BatchResult> remove(const model::RepoName& repo, const std::vector<ImageId>& ids);
    // ECR's UpdateImageStorageClass: archives (ARCHIVE) or restores (STANDARD) one image; an
    // index takes the manifests it lists along. Errc::manifest_unknown when absent.
    Result<ImageInfo> set_storage_class(const model::RepoName& repo, const ImageId& id,
                                        storage::ImageStatus target);

private:
    ServiceContext& ctx_;
};

}  // namespace wharf::registry
