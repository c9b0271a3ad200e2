#include <fmt/format.h>

#include "common/base64.hpp"
#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

// The layer API behind ECR's "proxy" push and pull (used by amazon-ecr-containerd-resolver and
// SDK scripts): blobs move as base64 parts inside JSON.
namespace wharf::ecr {
namespace {

Result<model::UploadId> upload_id(const json& in) {
    auto text = required_string(in, "uploadId");
    if (!text) {
        return text.error();
    }
    auto id = model::UploadId::parse(*text);
    if (!id) {
        return Error{Errc::blob_upload_unknown,
                     fmt::format("The upload with id '{}' was not found", *text)};
    }
    return std::move(*id);
}

}  // namespace

Result<json> batch_check_layer_availability(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "layerDigests"}); !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto digests = string_list(in, "layerDigests", 1, 100);
    if (!name || !digests) {
        return !name ? name.error() : digests.error();
    }
    if (auto repo = call.svc.registry.admin.get(*name); !repo) {
        return repo.error();
    }
    json layers = json::array();
    json failures = json::array();
    for (const auto& text : *digests) {
        auto digest = model::Digest::parse(text);
        if (!digest) {
            failures.push_back({{"layerDigest", text},
                                {"failureCode", "InvalidLayerDigest"},
                                {"failureReason", "Invalid layer digest"}});
            continue;
        }
        auto info = call.svc.registry.blobs.stat(call.caller, *name, *digest);
        if (!info && info.error().code != Errc::blob_unknown) {
            return info.error();
        }
        json layer{{"layerDigest", text},
                   {"layerAvailability", info ? "AVAILABLE" : "UNAVAILABLE"}};
        if (info) {
            layer["layerSize"] = info->size;
        }
        layers.push_back(std::move(layer));
    }
    return json{{"layers", layers}, {"failures", failures}};
}

Result<json> initiate_layer_upload(EcrCall& call) {
    if (auto known = only_members(call.input, {"registryId", "repositoryName"}); !known) {
        return known.error();
    }
    auto name = repository_name(call.input);
    if (!name) {
        return name.error();
    }
    auto started = call.svc.registry.uploads.start(call.caller, *name);
    if (!started) {
        return started.error();
    }
    return json{{"uploadId", started->id.str()}, {"partSize", 10 * 1024 * 1024}};
}

Result<json> upload_layer_part(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "uploadId", "partFirstByte",
                                       "partLastByte", "layerPartBlob"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto id = upload_id(in);
    auto first = optional_int(in, "partFirstByte", 0, std::int64_t{1} << 50);
    auto last = optional_int(in, "partLastByte", 0, std::int64_t{1} << 50);
    auto blob = required_string(in, "layerPartBlob");
    if (!name || !id || !first || !last || !blob) {
        return !name    ? name.error()
               : !id    ? id.error()
               : !first ? first.error()
               : !last  ? last.error()
                        : blob.error();
    }
    if (!*first || !*last) {
        return Error{Errc::bad_request, "partFirstByte and partLastByte are required"};
    }
    auto bytes = base64_decode(*blob);
    if (!bytes) {
        return Error{Errc::bad_request, "Invalid parameter at 'layerPartBlob': not base64"};
    }
    if (bytes->empty() || **last < **first ||
        static_cast<std::uint64_t>(**last - **first + 1) != bytes->size()) {
        return Error{Errc::bad_request,
                     fmt::format("partFirstByte {} and partLastByte {} do not span the {} bytes "
                                 "of layerPartBlob",
                                 **first, **last, bytes->size())};
    }
    auto status = call.svc.registry.uploads.append_part(
        call.caller, *name, *id, static_cast<std::uint64_t>(**first),
        std::as_bytes(std::span(bytes->data(), bytes->size())));
    if (!status) {
        if (status.error().code == Errc::range_invalid) {
            // ECR's InvalidLayerPartException carries where the upload stands.
            const auto offset = status.error().detail.value("offset", std::uint64_t{0});
            const auto last_valid = static_cast<std::int64_t>(offset) - 1;
            return Error{Errc::range_invalid,
                         fmt::format("The layer part must start at byte {} (the last valid byte "
                                     "received is {})",
                                     offset, last_valid),
                         {{"exceptionFields",
                           {{"registryId", call.svc.registry.ctx.options.account.account_id},
                            {"repositoryName", name->str()},
                            {"uploadId", id->str()},
                            {"lastValidByteReceived", last_valid}}}}};
        }
        return status.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"uploadId", id->str()},
                {"lastByteReceived", status->offset - 1}};
}

Result<json> complete_layer_upload(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "uploadId", "layerDigests"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto id = upload_id(in);
    auto digests = string_list(in, "layerDigests", 1, 100);
    if (!name || !id || !digests) {
        return !name ? name.error() : !id ? id.error() : digests.error();
    }
    auto digest = model::Digest::parse(digests->front());
    if (!digest) {
        return Error{Errc::digest_invalid,
                     fmt::format("Invalid layer digest '{}'", digests->front())};
    }
    auto info = call.svc.registry.uploads.complete_parts(call.caller, *name, *id, *digest);
    if (!info) {
        return info.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"uploadId", id->str()},
                {"layerDigest", info->digest.str()}};
}

Result<json> get_download_url_for_layer(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "layerDigest"}); !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto text = required_string(in, "layerDigest");
    if (!name || !text) {
        return !name ? name.error() : text.error();
    }
    auto digest = model::Digest::parse(*text);
    if (!digest) {
        return Error{Errc::bad_request,
                     fmt::format("Invalid parameter at 'layerDigest': '{}'", *text)};
    }
    auto info = call.svc.registry.blobs.stat_referenced(call.caller, *name, *digest);
    if (!info) {
        return info.error();
    }
    // Like a pre-signed URL: the blob endpoint of the data plane with a short credential of the
    // caller, so any HTTP client can fetch it without signing.
    const auto token = call.svc.authenticator.issue_token(call.authenticated);
    return json{{"downloadUrl",
                 fmt::format("{}/v2/{}/blobs/{}?X-Wharf-Token={}", call.base_url, name->str(),
                             digest->str(), base64url_encode(token.authorization_token))},
                {"layerDigest", digest->str()}};
}

}  // namespace wharf::ecr
