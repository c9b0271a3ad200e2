#include <fmt/format.h>

#include "model/media_types.hpp"
#include "oci/error_map.hpp"
#include "oci/handlers.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {
namespace {

// RFC 5988 Link to the next page, as distribution writes it.
void add_next_link(Response& res, std::string_view path, std::size_t n, const std::string& last) {
    res.header("Link", fmt::format("<{}?n={}&last={}>; rel=\"next\"", path, n, last));
}

}  // namespace

// GET /v2/<name>/tags/list?n=&last=
net::awaitable<Response> list_tags(RequestContext& ctx, OciServices& svc) {
    auto parsed_repo = repo_param(ctx);
    if (!parsed_repo) {
        co_return error_response(parsed_repo.error());
    }
    const auto& repo = *parsed_repo;
    auto n = page_size(ctx);
    if (!n) {
        co_return error_response(n.error());
    }
    const auto last = ctx.query("last");
    auto page = co_await read_call(
        ctx, svc, [&] { return svc.registry.tags.list(caller_of(ctx), repo, last, *n); });
    if (!page) {
        co_return error_response(page.error());
    }
    auto res = http::make_json(http::status::ok,
                               nlohmann::json{{"name", repo.str()}, {"tags", page->items}});
    if (page->more && !page->items.empty()) {
        add_next_link(res, ctx.path(), page->items.size(), page->items.back());
    }
    co_return res;
}

// GET /v2/_catalog?n=&last=
net::awaitable<Response> catalog(RequestContext& ctx, OciServices& svc) {
    auto n = page_size(ctx);
    if (!n) {
        co_return error_response(n.error());
    }
    const auto last = ctx.query("last");
    auto page = co_await read_call(
        ctx, svc, [&] { return svc.registry.repositories.catalog(caller_of(ctx), last, *n); });
    if (!page) {
        co_return error_response(page.error());
    }
    auto res = http::make_json(http::status::ok, nlohmann::json{{"repositories", page->items}});
    if (page->more && !page->items.empty()) {
        add_next_link(res, ctx.path(), page->items.size(), page->items.back());
    }
    co_return res;
}

// GET /v2/<name>/referrers/<digest>?artifactType=
net::awaitable<Response> list_referrers(RequestContext& ctx, OciServices& svc) {
    auto target = blob_target(ctx);
    if (!target) {
        co_return error_response(target.error());
    }
    const auto& repo = target->repo;
    const auto& digest = target->id;
    const auto artifact_type = ctx.query("artifactType");
    auto found = co_await read_call(ctx, svc, [&] {
        return svc.registry.referrers.list(caller_of(ctx), repo, digest, artifact_type);
    });
    if (!found) {
        co_return error_response(found.error());
    }
    auto manifests = nlohmann::json::array();
    for (const auto& d : found->manifests) {
        manifests.push_back(d.to_json());
    }
    auto res = http::make_json(http::status::ok,
                               nlohmann::json{{"schemaVersion", 2},
                                              {"mediaType", model::media_type::kOciIndex},
                                              {"manifests", std::move(manifests)}},
                               std::string(model::media_type::kOciIndex));
    if (found->filtered) {
        res.header("OCI-Filters-Applied", "artifactType");
    }
    co_return res;
}

}  // namespace wharf::oci
