// Client-side signing: what an SDK does, for tests and for outbound requests (S3 later).
#include "auth/sigv4.hpp"

#include <algorithm>

#include "auth/sigv4_detail.hpp"

namespace wharf::auth::sigv4 {
namespace {

std::vector<std::string> header_names(std::span<const Header> headers) {
    std::vector<std::string> names;
    for (const auto& h : headers) {
        auto name = detail::to_lower(h.name);
        if (name != "authorization") {
            names.push_back(std::move(name));
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string join(const std::vector<std::string>& names, char sep) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) {
            out.push_back(sep);
        }
        out.append(n);
    }
    return out;
}

std::string credential(const Credentials& credentials, const Scope& scope) {
    std::string out(credentials.access_key_id);
    out.append("/").append(scope.date).append("/").append(scope.region).append("/");
    out.append(scope.service).append("/").append(kTerminator);
    return out;
}

}  // namespace

std::string authorization_header(const RequestView& request, const Credentials& credentials,
                                 const Scope& scope, std::string_view amz_date) {
    Signature sig;
    sig.scope = scope;
    sig.amz_date = std::string(amz_date);
    sig.signed_headers = header_names(request.headers);
    auto declared = detail::joined_header(request.headers, "x-amz-content-sha256");
    sig.payload_hash = declared ? *declared : std::string(request.payload_sha256);
    const auto signature = sign(credentials.secret_access_key, scope,
                                string_to_sign(sig, canonical_request(request, sig)));
    std::string out(kAlgorithm);
    out.append(" Credential=").append(credential(credentials, scope));
    out.append(", SignedHeaders=").append(join(sig.signed_headers, ';'));
    out.append(", Signature=").append(signature);
    return out;
}

std::string presign_query(const RequestView& request, const Credentials& credentials,
                          const Scope& scope, std::string_view amz_date,
                          std::chrono::seconds expires) {
    Signature sig;
    sig.presigned = true;
    sig.scope = scope;
    sig.amz_date = std::string(amz_date);
    sig.signed_headers = header_names(request.headers);
    sig.payload_hash = std::string(kUnsignedPayload);
    const auto encode = [](std::string_view v) { return detail::uri_encode(v, false, false); };
    std::string query(request.query);
    const auto add = [&](std::string_view name, std::string_view value) {
        if (!query.empty()) {
            query.push_back('&');
        }
        query.append(name).append("=").append(encode(value));
    };
    add("X-Amz-Algorithm", kAlgorithm);
    add("X-Amz-Credential", credential(credentials, scope));
    add("X-Amz-Date", amz_date);
    add("X-Amz-Expires", std::to_string(expires.count()));
    add("X-Amz-SignedHeaders", join(sig.signed_headers, ';'));
    if (!credentials.session_token.empty()) {
        add("X-Amz-Security-Token", credentials.session_token);
    }
    RequestView unsigned_request = request;
    unsigned_request.query = query;
    const auto signature = sign(credentials.secret_access_key, scope,
                                string_to_sign(sig, canonical_request(unsigned_request, sig)));
    add("X-Amz-Signature", signature);
    return query;
}

}  // namespace wharf::auth::sigv4
