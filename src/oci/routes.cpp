#include "oci/routes.hpp"

#include <array>

#include "oci/access.hpp"
#include "oci/error_map.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {
namespace {

using M = http::Method;

constexpr std::string_view kManifest = "/v2/{name*}/manifests/{reference}";
constexpr std::string_view kBlob = "/v2/{name*}/blobs/{digest}";
constexpr std::string_view kUploads = "/v2/{name*}/blobs/uploads/";
constexpr std::string_view kUpload = "/v2/{name*}/blobs/uploads/{uuid}";

constexpr std::array kRoutes{
    OciRoute{"base", M::get, "/v2/", "", &get_base},
    OciRoute{"base", M::get, "/v2", "", &get_base},
    OciRoute{"catalog", M::get, "/v2/_catalog", "ecr:DescribeRepositories", &catalog},
    OciRoute{"manifest.get", M::get, kManifest, "ecr:BatchGetImage", &get_manifest},
    OciRoute{"manifest.head", M::head, kManifest, "ecr:BatchGetImage", &get_manifest},
    OciRoute{"manifest.put", M::put, kManifest, "ecr:PutImage", &put_manifest},
    OciRoute{"manifest.delete", M::del, kManifest, "ecr:BatchDeleteImage", &delete_manifest},
    OciRoute{"blob.get", M::get, kBlob, "ecr:GetDownloadUrlForLayer", &get_blob},
    OciRoute{"blob.head", M::head, kBlob, "ecr:BatchCheckLayerAvailability", &get_blob},
    OciRoute{"blob.delete", M::del, kBlob, "ecr:BatchDeleteImage", &delete_blob},
    OciRoute{"upload.start", M::post, kUploads, "ecr:InitiateLayerUpload", &start_upload},
    OciRoute{"upload.get", M::get, kUpload, "ecr:UploadLayerPart", &get_upload},
    OciRoute{"upload.patch", M::patch, kUpload, "ecr:UploadLayerPart", &patch_upload},
    OciRoute{"upload.put", M::put, kUpload, "ecr:CompleteLayerUpload", &put_upload},
    OciRoute{"upload.delete", M::del, kUpload, "ecr:UploadLayerPart", &delete_upload},
    OciRoute{"tags.list", M::get, "/v2/{name*}/tags/list", "ecr:ListImages", &list_tags},
    OciRoute{"referrers.list", M::get, "/v2/{name*}/referrers/{digest}", "ecr:BatchGetImage",
             &list_referrers},
};

constexpr std::string_view kApiVersion = "registry/2.0";

// One audit record per data-plane call: the route's IAM action on the repository it names.
void audit(RequestContext& ctx, OciServices& svc, const OciRoute& route, const Response& res) {
    auto repo = repo_param(ctx);
    std::string resource = repo ? svc.registry.access.repository_arn(*repo) : "*";
    std::string code;
    if (static_cast<int>(res.status) >= 400) {
        if (const auto* text = std::get_if<std::string>(&res.body)) {
            const auto doc = nlohmann::json::parse(*text, nullptr, false);
            if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
                !doc["errors"].empty()) {
                code = doc["errors"][0].value("code", "");
            }
        }
    }
    svc.registry.audit.record(caller_of(ctx), route.iam_action, std::move(resource),
                              static_cast<int>(res.status), code);
}

http::Handler wrap(const OciRoute& route, OciServices& services) {
    return [&route, &services](http::RequestContext& ctx) -> net::awaitable<Response> {
        auto refused = co_await admit(ctx, services, route);
        Response res;
        if (refused) {
            res = std::move(*refused);
        } else {
            res = co_await route.handler(ctx, services);
        }
        if (!route.iam_action.empty()) {
            audit(ctx, services, route, res);
        }
        res.header("Docker-Distribution-API-Version", std::string(kApiVersion));
        co_return res;
    };
}

}  // namespace

std::span<const OciRoute> routes() {
    return kRoutes;
}

void add_routes(http::Router& router, OciServices& services) {
    for (const auto& r : kRoutes) {
        router.add(
            http::Route{r.method, std::string(r.pattern), std::string(r.name), wrap(r, services)});
    }
    router.set_not_found([](http::RequestContext& ctx) -> net::awaitable<Response> {
        auto res = error_response(
            Error{Errc::unsupported, "no such endpoint: " + std::string(ctx.path())});
        res.status = http::status::not_found;
        co_return res;
    });
    router.set_method_not_allowed([](http::RequestContext& ctx) -> net::awaitable<Response> {
        auto res = error_response(
            Error{Errc::unsupported, std::string(http::to_string(ctx.method())) +
                                         " is not supported on " + std::string(ctx.path())});
        res.status = http::status::method_not_allowed;
        co_return res;
    });
}

}  // namespace wharf::oci
