// Reading the client's claim from the Authorization header or the presigned query. The error
// messages are AWS's (IncompleteSignature), so SDKs and people recognise them.
#include "auth/sigv4.hpp"

#include <algorithm>
#include <charconv>

#include "auth/sigv4_detail.hpp"
#include "model/text.hpp"

namespace wharf::auth::sigv4 {
namespace {

using detail::printable;

Error incomplete(std::string message) {
    return Error{Errc::signature_incomplete, std::move(message)};
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(sep);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text = text.substr(at + 1);
    }
}

using model::detail::trim_ows;

// "AKID/20150830/us-east-1/ecr/aws4_request"
Result<void> parse_credential(std::string_view credential, Signature& sig) {
    const auto parts = split(credential, '/');
    if (parts.size() != 5) {
        return incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got '" +
            printable(credential) + "'");
    }
    if (parts[4] != kTerminator) {
        return incomplete(
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            "not '" +
            printable(parts[4]) + "'. ");
    }
    sig.access_key_id = std::string(parts[0]);
    sig.scope = Scope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
    return ok();
}

Result<void> parse_signed_headers(std::string_view list, Signature& sig) {
    for (auto name : split(list, ';')) {
        if (name.empty()) {
            return incomplete("SignedHeaders must be a ';'-separated list of header names, got '" +
                              printable(list) + "'");
        }
        sig.signed_headers.push_back(detail::to_lower(name));
    }
    return ok();
}

Result<void> check_amz_date(const std::string& amz_date) {
    if (!parse_amz_date(amz_date)) {
        return incomplete("Date must be in ISO-8601 'basic format'. Got '" + printable(amz_date) +
                          "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
    return ok();
}

Result<Signature> parse_header(const RequestView& request, std::string_view authorization) {
    Signature sig;
    std::string_view rest = authorization;
    const auto space = rest.find_first_of(" \t");
    const auto scheme = rest.substr(0, space);
    if (scheme != kAlgorithm) {
        return incomplete("Unsupported AWS 'algorithm': '" + printable(scheme, 64) + "'.");
    }
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space);
    std::optional<std::string_view> credential, signed_headers, signature;
    for (auto part : split(rest, ',')) {
        part = trim_ows(part);
        if (part.empty()) {
            continue;
        }
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            return incomplete("'" + printable(part, 64) +
                              "' not a valid key=value pair (missing equal-sign) in "
                              "Authorization header: '" +
                              printable(authorization) + "'.");
        }
        const auto key = part.substr(0, eq);
        const auto value = part.substr(eq + 1);
        auto* slot = key == "Credential"      ? &credential
                     : key == "SignedHeaders" ? &signed_headers
                     : key == "Signature"     ? &signature
                                              : nullptr;
        if (slot != nullptr && *slot) {
            return incomplete("Authorization header has more than one '" + std::string(key) +
                              "' parameter.");
        }
        if (slot != nullptr && !value.empty()) {
            *slot = value;
        }
    }
    auto date = detail::joined_header(request.headers, "x-amz-date");
    bool from_date_header = false;
    if (!date) {
        date = detail::joined_header(request.headers, "date");
        from_date_header = date.has_value();
    }
    std::string missing;
    if (!credential) {
        missing += "Authorization header requires 'Credential' parameter. ";
    }
    if (!signature) {
        missing += "Authorization header requires 'Signature' parameter. ";
    }
    if (!signed_headers) {
        missing += "Authorization header requires 'SignedHeaders' parameter. ";
    }
    if (!date) {
        missing +=
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. ";
    }
    if (!missing.empty()) {
        return incomplete(missing + "Authorization=" + printable(authorization));
    }
    if (auto r = parse_credential(*credential, sig); !r) {
        return r.error();
    }
    if (auto r = parse_signed_headers(*signed_headers, sig); !r) {
        return r.error();
    }
    sig.signature = std::string(*signature);
    if (from_date_header) {
        auto t = detail::parse_http_date(*date);
        if (!t) {
            return incomplete(
                "Date header must be an HTTP date such as 'Sun, 30 Aug 2015 "
                "12:36:00 GMT'. Got '" +
                printable(*date) + "'.");
        }
        sig.amz_date = format_amz_date(*t);
    } else {
        sig.amz_date = std::move(*date);
    }
    if (auto r = check_amz_date(sig.amz_date); !r) {
        return r.error();
    }
    auto declared = detail::joined_header(request.headers, "x-amz-content-sha256");
    sig.payload_hash = declared ? std::move(*declared) : std::string(request.payload_sha256);
    sig.security_token = detail::joined_header(request.headers, "x-amz-security-token");
    return sig;
}

Result<std::chrono::seconds> parse_expires(std::string_view text) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return incomplete("X-Amz-Expires should be a number");
    }
    if (n < 0) {
        return incomplete("X-Amz-Expires must be non-negative");
    }
    if (n > kMaxPresignExpiry.count()) {
        return incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    return std::chrono::seconds{n};
}

Result<Signature> parse_query(const RequestView& request,
                              const std::vector<detail::QueryParam>& params) {
    static constexpr std::string_view kNames[] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",      "X-Amz-SignedHeaders",
        "X-Amz-Date",      "X-Amz-Expires",    "X-Amz-Content-Sha256", "X-Amz-Security-Token"};
    std::optional<std::string_view> found[std::size(kNames)];
    for (const auto& p : params) {
        for (std::size_t i = 0; i < std::size(kNames); ++i) {
            if (p.name != kNames[i]) {
                continue;
            }
            if (found[i]) {
                return incomplete("Query parameter '" + p.name + "' appears more than once.");
            }
            found[i] = p.value;
        }
    }
    std::string missing;
    for (std::size_t i = 0; i < 5; ++i) {  // the first five are required
        if (!found[i] || found[i]->empty()) {
            missing +=
                "AWS query-string parameters must include '" + std::string(kNames[i]) + "'. ";
        }
    }
    if (!missing.empty()) {
        return incomplete(missing + "Re-examine the query-string parameters.");
    }
    if (*found[0] != kAlgorithm) {
        return incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    Signature sig;
    sig.presigned = true;
    if (auto r = parse_credential(*found[1], sig); !r) {
        return r.error();
    }
    sig.signature = std::string(*found[2]);
    if (auto r = parse_signed_headers(*found[3], sig); !r) {
        return r.error();
    }
    sig.amz_date = std::string(*found[4]);
    if (auto r = check_amz_date(sig.amz_date); !r) {
        return r.error();
    }
    if (found[5]) {
        auto expires = parse_expires(*found[5]);
        if (!expires) {
            return expires.error();
        }
        sig.expires = *expires;
    }
    sig.payload_hash = found[6] ? std::string(*found[6]) : std::string(kUnsignedPayload);
    if (found[7]) {
        sig.security_token = std::string(*found[7]);
    } else {
        sig.security_token = detail::joined_header(request.headers, "x-amz-security-token");
    }
    return sig;
}

}  // namespace

Result<Signature> parse(const RequestView& request) {
    const auto params = detail::split_query(request.query);
    const bool has_algorithm = std::any_of(
        params.begin(), params.end(), [](const auto& p) { return p.name == "X-Amz-Algorithm"; });
    std::size_t authorizations = 0;
    std::string_view authorization;
    for (const auto& h : request.headers) {
        if (detail::iequals(h.name, "authorization")) {
            ++authorizations;
            authorization = trim_ows(h.value);
        }
    }
    if (authorizations == 0 && !has_algorithm) {
        return Error{Errc::unauthorized, "Missing Authentication Token"};
    }
    if (authorizations > 0 && has_algorithm) {
        return incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified");
    }
    if (authorizations > 1) {
        return incomplete("Only one Authorization header is allowed.");
    }
    return has_algorithm ? parse_query(request, params) : parse_header(request, authorization);
}

}  // namespace wharf::auth::sigv4
