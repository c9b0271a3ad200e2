// Canonical request, string to sign and signing key: the parts of SigV4 both sides compute.
#include "auth/sigv4.hpp"

#include <algorithm>
#include <utility>

#include "auth/sigv4_detail.hpp"
#include "common/hash.hpp"

namespace wharf::auth::sigv4 {
namespace {

// RFC 3986 section 5.2.4 as botocore applies it: "." and empty segments dropped, ".." pops,
// a leading and a trailing '/' kept.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> kept;
    std::string_view rest = path;
    while (true) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment == "..") {
            if (!kept.empty()) {
                kept.pop_back();
            }
        } else if (!segment.empty() && segment != ".") {
            kept.push_back(segment);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        rest = rest.substr(slash + 1);
    }
    std::string out = path.front() == '/' ? "/" : "";
    for (std::size_t i = 0; i < kept.size(); ++i) {
        if (i > 0) {
            out.push_back('/');
        }
        out.append(kept[i]);
    }
    if (path.back() == '/' && !kept.empty()) {
        out.push_back('/');
    }
    return out;
}

}  // namespace

std::string canonical_uri(std::string_view raw_path, PathRules rules) {
    if (raw_path.empty()) {
        return "/";
    }
    if (!rules.normalize) {
        return detail::uri_encode(raw_path, true, !rules.double_encode);
    }
    auto path = remove_dot_segments(raw_path);
    if (path.empty()) {
        path = "/";
    }
    return detail::uri_encode(path, true, !rules.double_encode);
}

std::string canonical_query(std::string_view raw_query, bool presigned) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (auto& param : detail::split_query(raw_query)) {
        if (presigned && param.name == "X-Amz-Signature") {
            continue;
        }
        pairs.emplace_back(detail::uri_encode(param.name, false, false),
                           detail::uri_encode(param.value, false, false));
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (!out.empty()) {
            out.push_back('&');
        }
        out.append(name).append("=").append(value);
    }
    return out;
}

std::string canonical_request(const RequestView& request, const Signature& sig) {
    return canonical_request(request, sig, PathRules::for_service(sig.scope.service));
}

std::string canonical_request(const RequestView& request, const Signature& sig, PathRules rules) {
    std::string out;
    out.append(request.method).append("\n");
    out.append(canonical_uri(request.path, rules)).append("\n");
    out.append(canonical_query(request.query, sig.presigned)).append("\n");
    std::string names;
    for (const auto& name : sig.signed_headers) {
        // A signed header the request lacks is signed as empty: the signature then simply fails
        // to match, as it would at AWS.
        auto value = detail::joined_header(request.headers, name);
        out.append(name).append(":").append(value.value_or("")).append("\n");
        if (!names.empty()) {
            names.push_back(';');
        }
        names.append(name);
    }
    out.append("\n").append(names).append("\n");
    out.append(sig.payload_hash.empty() ? request.payload_sha256 : sig.payload_hash);
    return out;
}

std::string string_to_sign(const Signature& sig, std::string_view canonical_request_text) {
    std::string out(kAlgorithm);
    out.append("\n").append(sig.amz_date).append("\n");
    out.append(sig.scope.date).append("/").append(sig.scope.region).append("/");
    out.append(sig.scope.service).append("/").append(kTerminator).append("\n");
    out.append(hex_digest(HashAlgorithm::sha256, canonical_request_text));
    return out;
}

std::string sign(std::string_view secret_access_key, const Scope& scope,
                 std::string_view string_to_sign_text) {
    std::string key = "AWS4";
    key.append(secret_access_key);
    auto k = detail::hmac_sha256(key, scope.date);
    k = detail::hmac_sha256(k, scope.region);
    k = detail::hmac_sha256(k, scope.service);
    k = detail::hmac_sha256(k, kTerminator);
    return detail::to_hex(detail::hmac_sha256(k, string_to_sign_text));
}

}  // namespace wharf::auth::sigv4
