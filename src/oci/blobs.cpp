#include <fmt/format.h>

#include "oci/blob_body.hpp"
#include "oci/error_map.hpp"
#include "oci/handlers.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {

// GET and HEAD /v2/<name>/blobs/<digest>, with single byte ranges (206 / 416).
net::awaitable<Response> get_blob(RequestContext& ctx, OciServices& svc) {
    auto target = blob_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& digest = target->id;
    const auto caller = caller_of(ctx);
    if (ctx.method() == http::Method::head) {
        auto info = co_await read_call(
            ctx, svc, [&] { return svc.registry.blobs.stat(caller, repo, digest); });
        if (!info) {
            co_return error_response(info.error());
        }
        auto res = http::make_response(http::status::ok);
        res.header("Content-Type", "application/octet-stream");
        res.header("Docker-Content-Digest", digest.str());
        res.header("Accept-Ranges", "bytes");
        res.header("ETag", fmt::format("\"{}\"", digest.str()));
        res.announced_length = info->size;
        co_return res;
    }
    const auto range = std::string(ctx.header(http::field::range));
    auto blob = co_await read_call(
        ctx, svc, [&] { return svc.registry.blobs.open(caller, repo, digest, range); });
    if (!blob) {
        if (blob.error().code == Errc::range_invalid) {
            auto res = error_response(blob.error());
            res.header("Content-Range",
                       fmt::format("bytes */{}", blob.error().detail.value("size", 0ULL)));
            co_return res;
        }
        co_return error_response(blob.error());
    }
    Response res;
    res.status = blob->span ? http::status::partial_content : http::status::ok;
    res.header("Content-Type", "application/octet-stream");
    res.header("Docker-Content-Digest", digest.str());
    res.header("Accept-Ranges", "bytes");
    res.header("ETag", fmt::format("\"{}\"", digest.str()));
    res.header("Cache-Control", "max-age=31536000");  // content-addressed: never changes
    if (blob->span) {
        res.header("Content-Range", fmt::format("bytes {}-{}/{}", blob->span->offset,
                                                blob->span->last(), blob->info.size));
    }
    res.body = make_blob_body(std::move(blob->reader));
    co_return res;
}

// DELETE /v2/<name>/blobs/<digest>
net::awaitable<Response> delete_blob(RequestContext& ctx, OciServices& svc) {
    auto target = blob_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& digest = target->id;
    auto removed = co_await ctx.offload(
        [&] { return svc.registry.blobs.remove(caller_of(ctx), repo, digest); });
    if (!removed) {
        co_return error_response(removed.error());
    }
    co_return http::make_response(http::status::accepted);
}

}  // namespace wharf::oci
