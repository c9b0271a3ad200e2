#include "oci/error_map.hpp"

namespace wharf::oci {

OciError to_oci(Errc code) noexcept {
    using s = http::status;
    switch (code) {
        case Errc::blob_unknown:
            return {s::not_found, "BLOB_UNKNOWN"};
        case Errc::blob_upload_invalid:
            return {s::bad_request, "BLOB_UPLOAD_INVALID"};
        case Errc::blob_upload_unknown:
            return {s::not_found, "BLOB_UPLOAD_UNKNOWN"};
        case Errc::digest_invalid:
            return {s::bad_request, "DIGEST_INVALID"};
        case Errc::manifest_blob_unknown:
            return {s::bad_request, "MANIFEST_BLOB_UNKNOWN"};
        case Errc::manifest_invalid:
            return {s::bad_request, "MANIFEST_INVALID"};
        case Errc::manifest_unknown:
            return {s::not_found, "MANIFEST_UNKNOWN"};
        case Errc::name_invalid:
            return {s::bad_request, "NAME_INVALID"};
        case Errc::name_unknown:
            return {s::not_found, "NAME_UNKNOWN"};
        case Errc::tag_invalid:
            return {s::bad_request, "TAG_INVALID"};
        case Errc::size_invalid:
            return {s::bad_request, "SIZE_INVALID"};
        case Errc::range_invalid:
            return {s::range_not_satisfiable, "BLOB_UPLOAD_INVALID"};
        case Errc::too_large:
            return {s::payload_too_large, "SIZE_INVALID"};
        case Errc::in_use:
            return {s::conflict, "DENIED"};
        case Errc::upload_busy:
            return {s::conflict, "BLOB_UPLOAD_INVALID"};
        case Errc::already_exists:
            return {s::conflict, "DENIED"};
        case Errc::not_found:
            return {s::not_found, "NAME_UNKNOWN"};
        case Errc::not_empty:
            return {s::conflict, "DENIED"};
        case Errc::tag_immutable:
            return {s::bad_request, "TAG_INVALID"};
        case Errc::limit_exceeded:
            return {s::too_many_requests, "TOOMANYREQUESTS"};
        case Errc::unauthorized:
        case Errc::credentials_unknown:
        case Errc::signature_invalid:
        case Errc::signature_incomplete:
            return {s::unauthorized, "UNAUTHORIZED"};
        case Errc::token_expired:
            return {s::forbidden, "DENIED"};
        case Errc::denied:
            return {s::forbidden, "DENIED"};
        case Errc::unsupported:
            return {s::bad_request, "UNSUPPORTED"};
        case Errc::bad_request:
            return {s::bad_request, "UNSUPPORTED"};
        case Errc::too_many_requests:
            return {s::too_many_requests, "TOOMANYREQUESTS"};
        case Errc::unavailable:
            return {s::service_unavailable, "UNAVAILABLE"};
        case Errc::internal:
            return {s::internal_server_error, "UNKNOWN"};
    }
    return {s::internal_server_error, "UNKNOWN"};
}

http::Response error_response(const Error& error) {
    const auto mapped = to_oci(error.code);
    nlohmann::json item{{"code", mapped.code}, {"message", error.message}};
    item["detail"] = error.detail.is_null() ? nlohmann::json::object() : error.detail;
    return http::make_json(mapped.status,
                           nlohmann::json{{"errors", nlohmann::json::array({item})}});
}

}  // namespace wharf::oci
