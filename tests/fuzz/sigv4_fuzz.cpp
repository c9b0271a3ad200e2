// SigV4 parsing and canonicalisation, authorization tokens and base64 on arbitrary input.
// Input: line 1 the path, line 2 the query, line 3 the Authorization header (absent when empty),
// further lines "Name: value" headers. The whole input is also tried as a token and as base64.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.hpp"
#include "auth/token.hpp"
#include "common/base64.hpp"
#include "common/hash.hpp"
#include "fuzz_check.hpp"

namespace {

// A refusal must say something short, printable and JSON-safe.
void check_error(const wharf::Error& e) {
    check(!e.message.empty());
    check(e.message.size() < 1024);
    (void)nlohmann::json({{"message", e.message}, {"detail", e.detail}}).dump();
}

bool is_hex(char c, bool lower_ok) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (lower_ok && c >= 'a' && c <= 'f');
}

// Only unreserved characters, the allowed separators, and well-formed escapes: upper-case ones
// unless escapes are kept as the client sent them (S3).
bool canonical_text(std::string_view s, std::string_view separators, bool lower_ok = false) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved || separators.find(c) != std::string_view::npos) {
            continue;
        }
        if (c != '%' || i + 2 >= s.size() || !is_hex(s[i + 1], lower_ok) ||
            !is_hex(s[i + 2], lower_ok)) {
            return false;
        }
        i += 2;
    }
    return true;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

void fuzz_sigv4(std::string_view text) {
    using namespace wharf::auth::sigv4;
    const auto parts = lines(text);
    const std::string_view path = parts.size() > 0 ? parts[0] : "";
    const std::string_view query = parts.size() > 1 ? parts[1] : "";
    std::vector<Header> headers;
    if (parts.size() > 2 && !parts[2].empty()) {
        headers.push_back({"Authorization", std::string(parts[2])});
    }
    for (std::size_t i = 3; i < parts.size(); ++i) {
        const auto colon = parts[i].find(':');
        headers.push_back(
            {std::string(parts[i].substr(0, colon)),
             colon == std::string_view::npos ? "" : std::string(parts[i].substr(colon + 1))});
    }
    const std::string payload = wharf::hex_digest(wharf::HashAlgorithm::sha256, "");
    const RequestView request{"POST", path, query, headers, payload};

    const auto ecr_uri = canonical_uri(path, PathRules::for_service("ecr"));
    check(!ecr_uri.empty() && canonical_text(ecr_uri, "/"));
    check(canonical_text(canonical_uri(path, PathRules::for_service("s3")), "/", true));
    check(canonical_text(canonical_query(query, false), "=&"));

    auto sig = parse(request);
    if (!sig) {
        check(sig.error().code == wharf::Errc::unauthorized ||
              sig.error().code == wharf::Errc::signature_incomplete);
        check_error(sig.error());
        return;
    }
    check(parse_amz_date(sig->amz_date).has_value());
    const auto creq = canonical_request(request, *sig);
    const auto sts = string_to_sign(*sig, creq);
    check(sign("secret", sig->scope, sts).size() == 64);
    const VerifyOptions options{sig->scope.region, sig->scope.service,
                                *parse_amz_date(sig->amz_date)};
    auto verified = verify(request, *sig, "secret", options);
    if (!verified) {
        check(verified.error().code == wharf::Errc::signature_invalid ||
              verified.error().code == wharf::Errc::signature_incomplete);
        check_error(verified.error());
    }
}

void fuzz_token_and_base64(std::string_view text) {
    std::array<std::byte, 32> key{};
    key.fill(std::byte{7});
    const auto now = wharf::from_unix_millis(1'790'000'000'000);
    auto claims = wharf::auth::verify_token(text, key, now);
    if (claims) {  // only a token minted with the key verifies, and minting is deterministic
        check(wharf::auth::mint_token(*claims, key) == text);
    } else {
        check(claims.error().code == wharf::Errc::credentials_unknown ||
              claims.error().code == wharf::Errc::token_expired);
        check_error(claims.error());
    }
    if (auto decoded = wharf::base64_decode(text)) {
        check(wharf::base64_encode(*decoded) == text);
    }
    if (auto decoded = wharf::base64url_decode(text)) {
        check(wharf::base64url_encode(*decoded) == text);
    }
    const std::string round = wharf::base64_encode(text);
    check(wharf::base64_decode(round).value() == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz_sigv4(text);
    fuzz_token_and_base64(text);
    return 0;
}
