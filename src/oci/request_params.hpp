#pragma once

#include <optional>
#include <string>

#include "http/request_context.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"
#include "registry/caller.hpp"

namespace wharf::oci {

// Wire strings become types here, at the edge.
Result<model::RepoName> repo_param(const http::RequestContext& ctx);        // {name}
Result<model::Reference> reference_param(const http::RequestContext& ctx);  // {reference}
Result<model::Digest> digest_param(const http::RequestContext& ctx);        // {digest}
Result<model::UploadId> upload_param(const http::RequestContext& ctx);      // {uuid}
// {name} with the second path parameter of the route, parsed together (first error wins).
template <typename T>
struct Target {
    model::RepoName repo;
    T id;
};
Result<Target<model::Reference>> manifest_target(const http::RequestContext& ctx);
Result<Target<model::Digest>> blob_target(const http::RequestContext& ctx);
Result<Target<model::UploadId>> upload_target(const http::RequestContext& ctx);

// Pagination: n must be a non-negative integer when present.
Result<std::optional<std::size_t>> page_size(const http::RequestContext& ctx);
// The caller of this request, as the route wrapper authenticated it.
const registry::Caller& caller_of(const http::RequestContext& ctx);

}  // namespace wharf::oci
