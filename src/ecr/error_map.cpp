#include "ecr/error_map.hpp"

#include <nlohmann/json.hpp>

namespace wharf::ecr {
namespace {

std::string_view kind_of(const Error& e) {
    if (e.detail.is_object()) {
        auto it = e.detail.find("kind");
        if (it != e.detail.end() && it->is_string()) {
            return it->get_ref<const std::string&>();
        }
    }
    return {};
}

}  // namespace

EcrError to_ecr(const Error& error, std::string_view op) noexcept {
    using s = http::status;
    const auto kind = kind_of(error);
    const bool layer_op =
        op == "CompleteLayerUpload" || op == "UploadLayerPart" || op == "InitiateLayerUpload";
    switch (error.code) {
        case Errc::blob_unknown:
            return {s::bad_request, kind == "unreferenced" ? "LayerInaccessibleException"
                                                           : "LayersNotFoundException"};
        case Errc::blob_upload_invalid:
            return {s::bad_request, "InvalidLayerException"};
        case Errc::blob_upload_unknown:
            return {s::bad_request, "UploadNotFoundException"};
        case Errc::digest_invalid:
            if (op == "PutImage") {
                return {s::bad_request, "ImageDigestDoesNotMatchException"};
            }
            return {s::bad_request,
                    layer_op ? "InvalidLayerException" : "InvalidParameterException"};
        case Errc::manifest_blob_unknown:
            return {s::bad_request, kind == "manifest" ? "ReferencedImagesNotFoundException"
                                                       : "LayersNotFoundException"};
        case Errc::manifest_invalid:
        case Errc::name_invalid:
        case Errc::tag_invalid:
        case Errc::bad_request:
            if (kind == "validation") {
                return {s::bad_request, "ValidationException"};
            }
            return {s::bad_request,
                    kind == "tag" ? "InvalidTagParameterException" : "InvalidParameterException"};
        case Errc::manifest_unknown:
            return {s::bad_request, "ImageNotFoundException"};
        case Errc::name_unknown:
            return {s::bad_request, "RepositoryNotFoundException"};
        case Errc::size_invalid:
            if (kind == "part") {
                return {s::bad_request, "LayerPartTooSmallException"};
            }
            if (kind == "empty") {
                return {s::bad_request, "EmptyUploadException"};
            }
            return {s::bad_request, "InvalidLayerPartException"};
        case Errc::range_invalid:
            return {s::bad_request, "InvalidLayerPartException"};
        case Errc::too_large:
            return {s::bad_request, "InvalidParameterException"};
        case Errc::in_use:
            if (kind == "lifecycle_preview") {
                return {s::bad_request, "LifecyclePolicyPreviewInProgressException"};
            }
            return {s::bad_request, "InvalidParameterException"};
        case Errc::upload_busy:
            return {s::bad_request, "InvalidLayerPartException"};
        case Errc::already_exists:
            if (kind == "template") {
                return {s::bad_request, "TemplateAlreadyExistsException"};
            }
            if (op == "PutImage") {
                return {s::bad_request, "ImageAlreadyExistsException"};
            }
            if (op == "CompleteLayerUpload") {
                return {s::bad_request, "LayerAlreadyExistsException"};
            }
            return {s::bad_request, "RepositoryAlreadyExistsException"};
        case Errc::not_found:
            if (kind == "repository_policy") {
                return {s::bad_request, "RepositoryPolicyNotFoundException"};
            }
            if (kind == "registry_policy") {
                return {s::bad_request, "RegistryPolicyNotFoundException"};
            }
            if (kind == "template") {
                return {s::bad_request, "TemplateNotFoundException"};
            }
            if (kind == "lifecycle_policy") {
                return {s::bad_request, "LifecyclePolicyNotFoundException"};
            }
            if (kind == "lifecycle_preview") {
                return {s::bad_request, "LifecyclePolicyPreviewNotFoundException"};
            }
            if (kind == "scan") {
                return {s::bad_request, "ScanNotFoundException"};
            }
            return {s::bad_request, "InvalidParameterException"};
        case Errc::not_empty:
            return {s::bad_request, "RepositoryNotEmptyException"};
        case Errc::tag_immutable:
            return {s::bad_request, "ImageTagAlreadyExistsException"};
        case Errc::limit_exceeded:
            return {s::bad_request,
                    kind == "tag" ? "TooManyTagsException" : "LimitExceededException"};
        case Errc::unauthorized:
            return {s::forbidden, "MissingAuthenticationTokenException"};
        case Errc::credentials_unknown:
            return {s::forbidden, "UnrecognizedClientException"};
        case Errc::signature_invalid:
            return {s::forbidden, "InvalidSignatureException"};
        case Errc::signature_incomplete:
            return {s::forbidden, "IncompleteSignatureException"};
        case Errc::token_expired:
            return {s::forbidden, "ExpiredTokenException"};
        case Errc::denied:
            return {s::bad_request, "AccessDeniedException"};
        case Errc::unsupported:
            return {s::bad_request, "UnsupportedImageTypeException"};
        case Errc::too_many_requests:
            return {s::bad_request, "ThrottlingException"};
        case Errc::unavailable:
            return {s::service_unavailable, "ServiceUnavailableException"};
        case Errc::internal:
            return {s::internal_server_error, "ServerException"};
    }
    return {s::internal_server_error, "ServerException"};
}

http::Response exception_response(http::status status, std::string_view type,
                                  std::string_view message) {
    auto res =
        http::make_text(status, nlohmann::json{{"__type", type}, {"message", message}}.dump(),
                        "application/x-amz-json-1.1");
    res.header("x-amzn-ErrorType", std::string(type));
    return res;
}

http::Response error_response(const Error& error, std::string_view operation) {
    const auto mapped = to_ecr(error, operation);
    // Members some exceptions carry besides the message (InvalidLayerPartException's
    // lastValidByteReceived, ...), set by the operation that raised them.
    if (error.detail.is_object()) {
        if (auto it = error.detail.find("exceptionFields");
            it != error.detail.end() && it->is_object()) {
            nlohmann::json body = *it;
            body["__type"] = mapped.type;
            body["message"] = error.message;
            auto res = http::make_text(mapped.status, body.dump(), "application/x-amz-json-1.1");
            res.header("x-amzn-ErrorType", std::string(mapped.type));
            return res;
        }
    }
    return exception_response(mapped.status, mapped.type, error.message);
}

}  // namespace wharf::ecr
