#include <fmt/format.h>

#include "model/manifest.hpp"
#include "oci/error_map.hpp"
#include "oci/handlers.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {

// GET and HEAD /v2/<name>/manifests/<reference>
net::awaitable<Response> get_manifest(RequestContext& ctx, OciServices& svc) {
    auto target = manifest_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& ref = target->id;
    const auto accept = ctx.header_list(http::field::accept);
    auto found = co_await read_call(
        ctx, svc, [&] { return svc.registry.manifests.get(caller_of(ctx), repo, ref, accept); });
    if (!found) {
        co_return error_response(found.error());
    }
    if (ctx.method() == http::Method::get) {  // a HEAD checks; a GET is a pull
        svc.registry.pulls.note(found->repo_id, found->digest);
    }
    auto res = http::make_text(http::status::ok, std::move(found->payload), found->media_type);
    res.header("Docker-Content-Digest", found->digest.str());
    res.header("ETag", fmt::format("\"{}\"", found->digest.str()));
    co_return res;
}

// PUT /v2/<name>/manifests/<reference>
net::awaitable<Response> put_manifest(RequestContext& ctx, OciServices& svc) {
    auto target = manifest_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& ref = target->id;
    auto body = co_await ctx.read_body_all(model::kMaxManifestBytes);
    if (!body) {
        if (body.error().code == Errc::too_large) {
            co_return error_response(
                Error{Errc::too_large, fmt::format("manifest is larger than the limit of {} bytes",
                                                   model::kMaxManifestBytes)});
        }
        co_return error_response(body.error());
    }
    const auto content_type = std::string(ctx.header(http::field::content_type));
    auto pushed = co_await ctx.offload(
        [&] { return svc.registry.manifests.put(caller_of(ctx), repo, ref, content_type, *body); });
    if (!pushed) {
        co_return error_response(pushed.error());
    }
    auto res = http::make_response(http::status::created);
    res.header("Location", fmt::format("/v2/{}/manifests/{}", repo.str(), pushed->digest.str()));
    res.header("Docker-Content-Digest", pushed->digest.str());
    if (pushed->subject) {
        res.header("OCI-Subject", pushed->subject->str());
    }
    co_return res;
}

// DELETE /v2/<name>/manifests/<reference>: by digest the manifest, by tag only the tag.
net::awaitable<Response> delete_manifest(RequestContext& ctx, OciServices& svc) {
    auto target = manifest_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& ref = target->id;
    auto removed = co_await ctx.offload(
        [&] { return svc.registry.manifests.remove(caller_of(ctx), repo, ref); });
    if (!removed) {
        co_return error_response(removed.error());
    }
    co_return http::make_response(http::status::accepted);
}

}  // namespace wharf::oci
