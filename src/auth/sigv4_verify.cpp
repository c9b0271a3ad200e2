// The server's checks on a parsed claim: scope, time, payload hash, then the signature itself.
#include "auth/sigv4.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "auth/sigv4_detail.hpp"

namespace wharf::auth::sigv4 {
namespace {

using detail::printable;

Error invalid(std::string message, nlohmann::json detail = nullptr) {
    return Error{Errc::signature_invalid, std::move(message), std::move(detail)};
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
    int n = 0;
    for (char c : s) {
        n = n * 10 + (c - '0');
    }
    return n;
}

Result<void> check_scope(const Signature& sig, const VerifyOptions& options) {
    const std::string_view day = std::string_view(sig.amz_date).substr(0, 8);
    if (sig.scope.date != day) {
        return invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            "date from HTTP: '" +
            printable(sig.scope.date, 64) + "' != '" + printable(day) + "', from '" +
            printable(sig.amz_date, 64) + "'.");
    }
    if (sig.scope.region != options.region) {
        return invalid("Credential should be scoped to a valid region. ");
    }
    if (sig.scope.service != options.service) {
        return invalid("Credential should be scoped to correct service: '" +
                       std::string(options.service) + "'. ");
    }
    return ok();
}

Result<void> check_signed_headers(const RequestView& request, const Signature& sig) {
    const auto is_signed = [&](std::string_view name) {
        return std::find(sig.signed_headers.begin(), sig.signed_headers.end(), name) !=
               sig.signed_headers.end();
    };
    if (!is_signed("host")) {
        return invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    if (sig.presigned) {
        return ok();  // the date is a query parameter, and the whole query is signed
    }
    // Otherwise a captured request could be replayed later under a fresh date.
    if (detail::joined_header(request.headers, "x-amz-date")) {
        if (!is_signed("x-amz-date")) {
            return invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        }
    } else if (!is_signed("date")) {
        return invalid("'Date' must be a 'SignedHeader' in the AWS Authorization.");
    }
    return ok();
}

Result<void> check_time(const Signature& sig, TimePoint signed_at, const VerifyOptions& options) {
    const auto minutes = std::to_string(options.max_skew.count() / 60);
    const auto now = format_amz_date(options.now);
    if (signed_at > options.now + options.max_skew) {
        return invalid("Signature not yet current: " + sig.amz_date + " is still later than " +
                       format_amz_date(options.now + options.max_skew) + " (" + now + " + " +
                       minutes + " min.)");
    }
    if (sig.presigned && sig.expires) {
        const auto expiry = signed_at + *sig.expires;
        if (options.now > expiry) {
            return invalid("Request has expired", {{"x_amz_expires", sig.expires->count()},
                                                   {"expires", to_rfc3339(expiry)},
                                                   {"server_time", to_rfc3339(options.now)}});
        }
        return ok();
    }
    if (signed_at < options.now - options.max_skew) {
        return invalid("Signature expired: " + sig.amz_date + " is now earlier than " +
                       format_amz_date(options.now - options.max_skew) + " (" + now + " - " +
                       minutes + " min.)");
    }
    return ok();
}

Error payload_mismatch() {
    return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
}

// The payload hashes the signature may have been computed over, best guess first.
Result<std::vector<std::string>> payload_candidates(const RequestView& request,
                                                    const Signature& sig,
                                                    const VerifyOptions& options) {
    std::optional<std::string> declared;
    if (sig.presigned) {
        for (auto& p : detail::split_query(request.query)) {
            if (p.name == "X-Amz-Content-Sha256") {
                declared = std::move(p.value);
            }
        }
    } else {
        declared = detail::joined_header(request.headers, "x-amz-content-sha256");
    }
    if (!declared) {
        if (sig.presigned) {
            // S3-style presigning signs UNSIGNED-PAYLOAD; the other SDK signers (botocore's
            // SigV4QueryAuth, aws-c-auth) sign the body's hash, which is just as safe to accept.
            return std::vector<std::string>{std::string(kUnsignedPayload),
                                            std::string(request.payload_sha256)};
        }
        return std::vector<std::string>{std::string(request.payload_sha256)};
    }
    if (*declared == kUnsignedPayload) {
        if (!sig.presigned && !options.allow_unsigned_payload) {
            return payload_mismatch();
        }
    } else if (!detail::iequals(*declared, request.payload_sha256)) {
        return payload_mismatch();
    }
    return std::vector<std::string>{std::move(*declared)};
}

}  // namespace

std::string format_amz_date(TimePoint t) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<TimePoint> parse_amz_date(std::string_view text) {
    using namespace std::chrono;
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !all_digits(text.substr(0, 8)) ||
        !all_digits(text.substr(9, 6))) {
        return std::nullopt;
    }
    const year_month_day ymd{year{number(text.substr(0, 4))},
                             month{static_cast<unsigned>(number(text.substr(4, 2)))},
                             day{static_cast<unsigned>(number(text.substr(6, 2)))}};
    const int h = number(text.substr(9, 2));
    const int m = number(text.substr(11, 2));
    const int s = number(text.substr(13, 2));
    if (!ymd.ok() || h > 23 || m > 59 || s > 59) {
        return std::nullopt;
    }
    return time_point_cast<milliseconds>(sys_days{ymd} + hours{h} + minutes{m} + seconds{s});
}

Result<void> verify(const RequestView& request, const Signature& sig,
                    std::string_view secret_access_key, const VerifyOptions& options) {
    const auto signed_at = parse_amz_date(sig.amz_date);
    if (!signed_at) {
        return Error{Errc::signature_incomplete,
                     "Date must be in ISO-8601 'basic format'. Got '" + printable(sig.amz_date) +
                         "'. See http://en.wikipedia.org/wiki/ISO_8601"};
    }
    if (auto r = check_scope(sig, options); !r) {
        return r;
    }
    if (auto r = check_signed_headers(request, sig); !r) {
        return r;
    }
    if (auto r = check_time(sig, *signed_at, options); !r) {
        return r;
    }
    auto payloads = payload_candidates(request, sig, options);
    if (!payloads) {
        return payloads.error();
    }
    Signature effective = sig;
    for (auto& payload : *payloads) {
        effective.payload_hash = std::move(payload);
        const auto expected =
            sign(secret_access_key, sig.scope,
                 string_to_sign(effective, canonical_request(request, effective)));
        if (detail::constant_time_equals(expected, sig.signature)) {
            return ok();
        }
    }
    return invalid(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
}

}  // namespace wharf::auth::sigv4
