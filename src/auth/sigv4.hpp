#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

// AWS Signature Version 4: server-side verification of the Authorization header and of presigned
// (query) requests, plus client-side signing for tests and outbound calls. Pure: no I/O, the
// clock and the secret are passed in. Canonicalisation follows AWS's documentation and test
// suite, and what botocore sends.
namespace wharf::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

struct Header {
    std::string name;
    std::string value;
};

struct RequestView {
    std::string_view method;          // "POST"
    std::string_view path;            // raw request path as on the wire, e.g. "/v2/foo%20bar/x"
    std::string_view query;           // raw query string without '?', may be ""
    std::span<const Header> headers;  // as received (names any case, repeated names allowed)
    std::string_view payload_sha256;  // lower-case hex SHA-256 of the body the server received
};

struct Scope {
    std::string date;     // "20150830"
    std::string region;   // "us-east-1"
    std::string service;  // "ecr"
};

// What the client claims, from the Authorization header or the presigned query.
struct Signature {
    std::string access_key_id;
    Scope scope;
    std::vector<std::string> signed_headers;  // lower-case, in the order given
    std::string signature;                    // hex
    std::string amz_date;                     // X-Amz-Date (or Date) as "20150830T123600Z"
    bool presigned = false;
    std::optional<std::chrono::seconds> expires;  // X-Amz-Expires (presigned only)
    // The last line of the canonical request: the x-amz-content-sha256 header (header form) or
    // X-Amz-Content-Sha256 parameter (presigned) when sent; otherwise the received body's hash
    // (header form) or UNSIGNED-PAYLOAD (presigned).
    std::string payload_hash;
    std::optional<std::string> security_token;  // X-Amz-Security-Token header or parameter
};

// Neither an Authorization header nor X-Amz-Algorithm → Errc::unauthorized ("Missing
// Authentication Token"); anything malformed or missing → Errc::signature_incomplete with AWS's
// IncompleteSignature wording. Does not check the scope, the time or the signature: verify().
Result<Signature> parse(const RequestView& request);

struct VerifyOptions {
    std::string_view region;
    std::string_view service;
    TimePoint now;
    std::chrono::seconds max_skew{15 * 60};
    // Accept "x-amz-content-sha256: UNSIGNED-PAYLOAD" in the header form. Presigned requests
    // always may leave the payload unsigned, as S3's do.
    bool allow_unsigned_payload = false;
};

// Checks, in order: the scope (date, region, service), that host and the date header are signed,
// the time (within max_skew, or before a presigned URL's expiry), the declared payload hash
// against payload_sha256, then the signature (constant-time). Every failure is
// Errc::signature_invalid with AWS's wording, except a date that cannot be read
// (signature_incomplete). The caller maps sig.access_key_id to the secret (credentials_unknown
// when it cannot).
Result<void> verify(const RequestView& request, const Signature& sig,
                    std::string_view secret_access_key, const VerifyOptions& options);

// How the URI path is canonicalised. Every service but S3 removes dot segments and empty
// segments and percent-encodes the path as received once more (so "%20" is signed as "%2520");
// S3 signs the path as sent, encoding only bytes that are not already escapes.
struct PathRules {
    bool normalize = true;
    bool double_encode = true;
    static PathRules for_service(std::string_view service) {
        const bool s3 = service == "s3";
        return PathRules{!s3, !s3};
    }
};

std::string canonical_uri(std::string_view raw_path, PathRules rules);
// Parameters decoded then re-encoded (RFC 3986, space as %20), sorted by name then value;
// X-Amz-Signature left out when presigned.
std::string canonical_query(std::string_view raw_query, bool presigned);
// Exposed for tests. The 2-argument form uses PathRules::for_service(sig.scope.service). The last
// line is sig.payload_hash, or request.payload_sha256 when that is empty.
std::string canonical_request(const RequestView& request, const Signature& sig);
std::string canonical_request(const RequestView& request, const Signature& sig, PathRules rules);
std::string string_to_sign(const Signature& sig, std::string_view canonical_request_text);
// Lower-case hex HMAC-SHA256 of the string to sign under the key derived from the secret.
std::string sign(std::string_view secret_access_key, const Scope& scope,
                 std::string_view string_to_sign_text);

// "20150830T123600Z" (UTC, whole seconds) and back; nullopt unless exactly that form and a real
// date and time.
std::string format_amz_date(TimePoint t);
std::optional<TimePoint> parse_amz_date(std::string_view text);

// Client side (tests, outbound S3).
struct Credentials {
    std::string_view access_key_id;
    std::string_view secret_access_key;
    std::string_view session_token;  // empty when none
};
// The Authorization header value for `request`, whose headers must already hold host and
// x-amz-date (= amz_date) and, when used, x-amz-security-token and x-amz-content-sha256. Every
// header but Authorization is signed.
std::string authorization_header(const RequestView& request, const Credentials& credentials,
                                 const Scope& scope, std::string_view amz_date);
// The query string of a presigned URL: request.query followed by the X-Amz-* parameters and
// X-Amz-Signature. Signs every header (usually just host) and UNSIGNED-PAYLOAD.
std::string presign_query(const RequestView& request, const Credentials& credentials,
                          const Scope& scope, std::string_view amz_date,
                          std::chrono::seconds expires);

}  // namespace wharf::auth::sigv4
