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

namespace {

template <typename T>
Result<Target<T>> pair(Result<model::RepoName> repo, Result<T> id) {
    if (!repo) {
        return repo.error();
    }
    if (!id) {
        return id.error();
    }
    return Target<T>{std::move(*repo), std::move(*id)};
}

}  // namespace

Result<Target<model::Reference>> manifest_target(const http::RequestContext& ctx) {
    return pair(repo_param(ctx), reference_param(ctx));
}

Result<Target<model::Digest>> blob_target(const http::RequestContext& ctx) {
    return pair(repo_param(ctx), digest_param(ctx));
}

Result<Target<model::UploadId>> upload_target(const http::RequestContext& ctx) {
    return pair(repo_param(ctx), upload_param(ctx));
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

const registry::Caller& caller_of(const http::RequestContext& ctx) {
    static const registry::Caller kAnonymous;
    const auto* caller = ctx.attached<registry::Caller>();
    return caller ? *caller : kAnonymous;
}

}  // namespace wharf::oci
