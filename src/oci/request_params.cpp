#include "oci/request_params.hpp"

#include <charconv>

namespace wharf::oci {

Result<model::RepoName> repo_param(const http::RequestContext& ctx) {
    return model::RepoName::parse(ctx.path_param("name"));
}

Result<model::Reference> reference_param(const http::RequestContext& ctx) {
    return model::Reference::parse(ctx.path_param("reference"));
}

Result<model::Digest> digest_param(const http::RequestContext& ctx) {
    return model::Digest::parse(ctx.path_param("digest"));
}

Result<model::UploadId> upload_param(const http::RequestContext& ctx) {
    return model::UploadId::parse(ctx.path_param("uuid"));
}

Result<std::optional<std::size_t>> page_size(const http::RequestContext& ctx) {
    auto n = ctx.query("n");
    if (!n) {
        return std::optional<std::size_t>{};
    }
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
    if (ec != std::errc{} || end != n->data() + n->size() || n->empty()) {
        return Error{Errc::bad_request,
                     "query parameter n=\"" + *n + "\" must be a non-negative integer"};
    }
    return std::optional<std::size_t>{value};
}

registry::Caller caller_of(const http::RequestContext&) { return registry::Caller{}; }

}  // namespace wharf::oci
