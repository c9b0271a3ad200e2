#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fmt/format.h>

#include <vector>

#include "model/byte_range.hpp"
#include "oci/error_map.hpp"
#include "oci/handlers.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {
namespace {

using namespace boost::asio::experimental::awaitable_operators;  // a && b: run both

// Large enough that hashing and writing dominate the per-chunk hop to the blocking pool.
constexpr std::size_t kBodyChunk = 1024 * 1024;

std::string upload_location(const model::RepoName& repo, const model::UploadId& id) {
    return fmt::format("/v2/{}/blobs/uploads/{}", repo.str(), id.str());
}

// The spec's Range of an upload: "0-<last byte received>", "0-0" when empty.
std::string upload_range(std::uint64_t offset) {
    return fmt::format("0-{}", offset == 0 ? 0 : offset - 1);
}

Response upload_in_progress(http::status status, const model::RepoName& repo,
                            const registry::UploadStatus& upload, std::uint64_t chunk_min) {
    auto res = http::make_response(status);
    res.header("Location", upload_location(repo, upload.id));
    res.header("Range", upload_range(upload.offset));
    res.header("Docker-Upload-UUID", upload.id.str());
    res.header("OCI-Chunk-Min-Length", std::to_string(chunk_min));
    return res;
}

Response blob_created(const model::RepoName& repo, const model::Digest& digest) {
    auto res = http::make_response(http::status::created);
    res.header("Location", fmt::format("/v2/{}/blobs/{}", repo.str(), digest.str()));
    res.header("Docker-Content-Digest", digest.str());
    return res;
}

// 416 for an out-of-order chunk carries the upload's current Range so the client can resume.
Response upload_error(const Error& error, const model::RepoName& repo, const model::UploadId& id) {
    auto res = error_response(error);
    if (error.code == Errc::range_invalid && error.detail.contains("offset")) {
        res.header("Location", upload_location(repo, id));
        res.header("Range", upload_range(error.detail["offset"].get<std::uint64_t>()));
        res.header("Docker-Upload-UUID", id.str());
    }
    return res;
}

// Where the client says this request's bytes start: Content-Range when present. A declared
// Content-Length must agree with the range's length.
Result<std::optional<std::uint64_t>> chunk_start(const RequestContext& ctx) {
    const auto header = ctx.header(http::field::content_range);
    if (header.empty()) {
        return std::optional<std::uint64_t>{};
    }
    auto range = model::parse_content_range(header);
    if (!range) {
        return range.error();
    }
    if (auto length = ctx.content_length(); length && *length != range->length()) {
        return Error{Errc::range_invalid,
                     fmt::format("Content-Range {} covers {} bytes but Content-Length is {}",
                                 header, range->length(), *length)};
    }
    return std::optional<std::uint64_t>{range->first};
}

net::awaitable<void> append_piece(RequestContext& ctx, registry::UploadAppender& appender,
                                  std::span<const std::byte> piece,
                                  std::optional<Result<void>>& out) {
    out.emplace(co_await ctx.offload([&] { return appender.append(piece); }));
}

net::awaitable<void> read_piece(RequestContext& ctx, std::span<std::byte> buffer,
                                std::optional<Result<std::size_t>>& out) {
    out.emplace(co_await ctx.read_body(buffer));
}

// Streams the request body into the upload with two buffers: while the blocking pool hashes and
// writes one piece, the connection receives the next, so a push runs at the slower of network
// and hash+disk instead of their sum. Memory per upload: two pieces, whatever the blob size.
net::awaitable<Result<void>> stream_body(RequestContext& ctx, registry::UploadAppender& appender) {
    std::vector<std::byte> first_buffer(kBodyChunk);
    std::vector<std::byte> second_buffer(kBodyChunk);
    std::span<std::byte> current = first_buffer;
    std::span<std::byte> spare = second_buffer;
    auto received = co_await ctx.read_body(current);
    if (!received) {
        co_return received.error();
    }
    std::size_t n = *received;
    while (n > 0) {
        std::optional<Result<void>> appended;
        std::optional<Result<std::size_t>> next;
        co_await (append_piece(ctx, appender, current.first(n), appended) &&
                  read_piece(ctx, spare, next));
        if (!*appended) {
            co_return appended->error();
        }
        if (!*next) {
            co_return next->error();
        }
        n = **next;
        std::swap(current, spare);
    }
    co_return ok();
}

bool has_body(const RequestContext& ctx) {
    return ctx.chunked() || ctx.content_length().value_or(0) > 0;
}

// Appends this request's body (if any) to the session and completes it under `digest`.
net::awaitable<Response> finish_upload(RequestContext& ctx, OciServices& svc,
                                       const model::RepoName& repo, const model::UploadId& id,
                                       const model::Digest& digest,
                                       std::optional<std::uint64_t> at) {
    auto& uploads = svc.registry.uploads;
    auto appender =
        co_await ctx.offload([&] { return uploads.open(caller_of(ctx), repo, id, at); });
    if (!appender) {
        co_return upload_error(appender.error(), repo, id);
    }
    if (has_body(ctx)) {
        if (auto streamed = co_await stream_body(ctx, *appender); !streamed) {
            (void)co_await ctx.offload([&] { return uploads.save(*appender); });
            co_return error_response(streamed.error());
        }
    }
    auto blob =
        co_await ctx.offload([&] { return uploads.complete(std::move(*appender), digest); });
    if (!blob) {
        co_return error_response(blob.error());
    }
    co_return blob_created(repo, blob->digest);
}

}  // namespace

// POST /v2/<name>/blobs/uploads/ : a session, a single-request upload (?digest=), or a
// cross-repository mount (?mount=&from=) that falls back to a session when not mountable.
net::awaitable<Response> start_upload(RequestContext& ctx, OciServices& svc) {
    auto parsed_repo = repo_param(ctx);
    if (!parsed_repo) {
        co_return error_response(parsed_repo.error());
    }
    const auto& repo = *parsed_repo;
    const auto caller = caller_of(ctx);
    auto mount = ctx.query("mount");
    auto from = ctx.query("from");
    if (mount && from) {
        auto digest = model::Digest::parse(*mount);
        if (!digest) {
            co_return error_response(digest.error());
        }
        // An unparseable source cannot hold the blob: fall back to an upload, as the spec asks.
        // Mounting reads the source repository: the caller needs pull rights there too (a
        // refusal falls back to an upload, so nothing about the source leaks).
        auto source = model::RepoName::parse(*from);
        bool may_read = false;
        if (source) {  // never co_await inside && or ?: (GCC 12 miscompiles it)
            may_read = co_await ctx.offload([&] {
                return svc.registry.access.allowed(caller, "ecr:GetDownloadUrlForLayer",
                                                   registry::AccessTarget{*source});
            });
        }
        if (source && may_read) {
            auto mounted = co_await ctx.offload(
                [&] { return svc.registry.blobs.mount(caller, repo, *digest, *source); });
            if (!mounted) {
                co_return error_response(mounted.error());
            }
            if (*mounted) {
                co_return blob_created(repo, (*mounted)->digest);
            }
        }
    }
    std::optional<model::Digest> digest;
    if (auto param = ctx.query("digest")) {
        auto parsed = model::Digest::parse(*param);
        if (!parsed) {
            co_return error_response(parsed.error());
        }
        digest = std::move(*parsed);
    }
    auto started = co_await ctx.offload([&] { return svc.registry.uploads.start(caller, repo); });
    if (!started) {
        co_return error_response(started.error());
    }
    if (digest) {
        co_return co_await finish_upload(ctx, svc, repo, started->id, *digest, std::nullopt);
    }
    co_return upload_in_progress(http::status::accepted, repo, *started,
                                 svc.registry.ctx.options.chunk_min_length);
}

// GET /v2/<name>/blobs/uploads/<uuid>
net::awaitable<Response> get_upload(RequestContext& ctx, OciServices& svc) {
    auto target = upload_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& id = target->id;
    auto status =
        co_await ctx.offload([&] { return svc.registry.uploads.status(caller_of(ctx), repo, id); });
    if (!status) {
        co_return error_response(status.error());
    }
    co_return upload_in_progress(http::status::no_content, repo, *status,
                                 svc.registry.ctx.options.chunk_min_length);
}

// PATCH /v2/<name>/blobs/uploads/<uuid>: one chunk (Content-Range) or a streamed body.
net::awaitable<Response> patch_upload(RequestContext& ctx, OciServices& svc) {
    auto target = upload_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& id = target->id;
    auto at = chunk_start(ctx);
    if (!at) {
        if (at.error().code == Errc::range_invalid) {
            // Say where the upload stands so the client can resend from there.
            auto status = co_await ctx.offload(
                [&] { return svc.registry.uploads.status(caller_of(ctx), repo, id); });
            if (status) {
                auto error = at.error();
                error.detail = {{"offset", status->offset}};
                co_return upload_error(error, repo, id);
            }
        }
        co_return error_response(at.error());
    }
    auto& uploads = svc.registry.uploads;
    auto appender =
        co_await ctx.offload([&] { return uploads.open(caller_of(ctx), repo, id, *at); });
    if (!appender) {
        co_return upload_error(appender.error(), repo, id);
    }
    auto streamed = co_await stream_body(ctx, *appender);
    // Whatever arrived is kept and made resumable, so a client whose connection broke can ask
    // for the status and continue from there.
    auto saved = co_await ctx.offload([&] { return uploads.save(*appender); });
    if (!streamed) {
        co_return error_response(streamed.error());
    }
    if (!saved) {
        co_return error_response(saved.error());
    }
    co_return upload_in_progress(http::status::accepted, repo, *saved,
                                 svc.registry.ctx.options.chunk_min_length);
}

// PUT /v2/<name>/blobs/uploads/<uuid>?digest=<digest>: completes, with an optional last chunk.
net::awaitable<Response> put_upload(RequestContext& ctx, OciServices& svc) {
    auto target = upload_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& id = target->id;
    auto param = ctx.query("digest");
    if (!param) {
        co_return error_response(
            Error{Errc::digest_invalid,
                  "completing an upload needs the query parameter digest=<digest>"});
    }
    auto digest = model::Digest::parse(*param);
    if (!digest) {
        co_return error_response(digest.error());
    }
    auto at = chunk_start(ctx);
    if (!at) {
        co_return error_response(at.error());
    }
    co_return co_await finish_upload(ctx, svc, repo, id, *digest, *at);
}

// DELETE /v2/<name>/blobs/uploads/<uuid>
net::awaitable<Response> delete_upload(RequestContext& ctx, OciServices& svc) {
    auto target = upload_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& id = target->id;
    auto cancelled =
        co_await ctx.offload([&] { return svc.registry.uploads.cancel(caller_of(ctx), repo, id); });
    if (!cancelled) {
        co_return error_response(cancelled.error());
    }
    co_return http::make_response(http::status::no_content);
}

}  // namespace wharf::oci
