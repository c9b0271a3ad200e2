#include "common/errc.hpp"

namespace wharf {

std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::blob_unknown:
            return "blob_unknown";
        case Errc::blob_upload_invalid:
            return "blob_upload_invalid";
        case Errc::blob_upload_unknown:
            return "blob_upload_unknown";
        case Errc::digest_invalid:
            return "digest_invalid";
        case Errc::manifest_blob_unknown:
            return "manifest_blob_unknown";
        case Errc::manifest_invalid:
            return "manifest_invalid";
        case Errc::manifest_unknown:
            return "manifest_unknown";
        case Errc::name_invalid:
            return "name_invalid";
        case Errc::name_unknown:
            return "name_unknown";
        case Errc::tag_invalid:
            return "tag_invalid";
        case Errc::size_invalid:
            return "size_invalid";
        case Errc::range_invalid:
            return "range_invalid";
        case Errc::too_large:
            return "too_large";
        case Errc::in_use:
            return "in_use";
        case Errc::upload_busy:
            return "upload_busy";
        case Errc::already_exists:
            return "already_exists";
        case Errc::not_found:
            return "not_found";
        case Errc::not_empty:
            return "not_empty";
        case Errc::tag_immutable:
            return "tag_immutable";
        case Errc::limit_exceeded:
            return "limit_exceeded";
        case Errc::unauthorized:
            return "unauthorized";
        case Errc::credentials_unknown:
            return "credentials_unknown";
        case Errc::signature_invalid:
            return "signature_invalid";
        case Errc::signature_incomplete:
            return "signature_incomplete";
        case Errc::token_expired:
            return "token_expired";
        case Errc::denied:
            return "denied";
        case Errc::unsupported:
            return "unsupported";
        case Errc::bad_request:
            return "bad_request";
        case Errc::too_many_requests:
            return "too_many_requests";
        case Errc::unavailable:
            return "unavailable";
        case Errc::internal:
            return "internal";
    }
    return "internal";
}

}  // namespace wharf
