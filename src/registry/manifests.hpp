#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/manifest.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

struct StoredManifest {
    model::Digest digest;
    std::string media_type;
    std::string payload;
    storage::RepoId repo_id = 0;  // for recording the pull (PullRecorder)
};

struct PushedManifest {
    model::Digest digest;
    std::optional<model::Digest> subject;  // answered as OCI-Subject
    std::string media_type;
    // Nothing changed: the manifest was stored and the tag (if any) already named it. ECR's
    // PutImage reports this as ImageAlreadyExistsException; OCI answers 201 as usual.
    bool unchanged = false;
};

class ManifestService {
public:
    explicit ManifestService(ServiceContext& ctx) : ctx_(ctx) {}

    // The manifest under a tag or digest. `accept`: the Accept header's media types; when it
    // names manifest types but not the stored one (and no wildcard), Errc::manifest_unknown says
    // which type exists. Errc::name_unknown, Errc::manifest_unknown.
    Result<StoredManifest> get(const Caller& caller, const model::RepoName& repo,
                               const model::Reference& ref, std::string_view accept);
    // Validates and stores the manifest; when ref is a tag, points it there. Rules: body within
    // 4 MiB and well-formed; body hashes to ref when ref is a digest (Errc::digest_invalid);
    // every config/layer blob linked to the repository (Errc::manifest_blob_unknown naming it);
    // every child of an index stored in it (same code); an existing tag that the repository's
    // mutability settings freeze is not moved, nor re-pushed unless the repository allows
    // identical re-pushes (Errc::tag_immutable).
    Result<PushedManifest> put(const Caller& caller, const model::RepoName& repo,
                               const model::Reference& ref, std::string_view content_type,
                               std::string_view body);
    // By digest: the manifest and its tags (Errc::in_use while an index references it).
    // By tag: only the tag (OCI v1.1).
    Result<void> remove(const Caller& caller, const model::RepoName& repo,
                        const model::Reference& ref);

private:
    ServiceContext& ctx_;
};

// Whether an Accept header admits a manifest of `media_type` (empty header: yes).
bool accepts_media_type(std::string_view accept, std::string_view media_type);

}  // namespace wharf::registry
