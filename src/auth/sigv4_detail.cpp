#include "auth/sigv4_detail.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>

#include "common/percent.hpp"

namespace wharf::auth::sigv4::detail {
namespace {

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_unreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string decoded_or_raw(std::string_view text) {
    auto decoded = percent_decode(text);
    return decoded ? std::move(*decoded) : std::string(text);
}

bool digits(std::string_view text, int& out) {
    out = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + (c - '0');
    }
    return !text.empty();
}

}  // namespace

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        c = lower(c);
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string trim_all(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c);
    }
    return out;
}

std::optional<std::string> joined_header(std::span<const Header> headers,
                                         std::string_view lower_name) {
    std::optional<std::string> out;
    for (const auto& h : headers) {
        if (!iequals(h.name, lower_name)) {
            continue;
        }
        if (out) {
            out->push_back(',');
            out->append(trim_all(h.value));
        } else {
            out = trim_all(h.value);
        }
    }
    return out;
}

std::string uri_encode(std::string_view bytes, bool keep_slash, bool keep_escapes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 3 / 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(c);
        } else if (keep_escapes && c == '%' && i + 2 < bytes.size() && is_hex(bytes[i + 1]) &&
                   is_hex(bytes[i + 2])) {
            out.append(bytes.substr(i, 3));
            i += 2;
        } else {
            const auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0x0f]);
        }
    }
    return out;
}

std::vector<QueryParam> split_query(std::string_view raw_query) {
    std::vector<QueryParam> params;
    while (!raw_query.empty()) {
        const auto amp = raw_query.find('&');
        const auto piece = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        if (piece.empty()) {
            continue;
        }
        const auto eq = piece.find('=');
        if (eq == std::string_view::npos) {
            params.push_back({decoded_or_raw(piece), {}});
        } else {
            params.push_back(
                {decoded_or_raw(piece.substr(0, eq)), decoded_or_raw(piece.substr(eq + 1))});
        }
    }
    return params;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    static constexpr unsigned char kEmpty[1] = {0};
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    const auto* d = data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
    HMAC(EVP_sha256(), key.empty() ? kEmpty : static_cast<const void*>(key.data()),
         static_cast<int>(key.size()), d, data.size(), out.data(), &len);
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto u = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = kDigits[u >> 4];
        out[2 * i + 1] = kDigits[u & 0x0f];
    }
    return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    // The length of a hex signature is public; only the content must not leak through timing.
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    const auto n = std::min(text.size(), max);
    out.reserve(n + 3);
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (text.size() > max) {
        out.append("...");
    }
    return out;
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
    // "Sun, 30 Aug 2015 12:36:00 GMT"
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (!digits(text.substr(5, 2), day) || !digits(text.substr(12, 4), year) ||
        !digits(text.substr(17, 2), hour) || !digits(text.substr(20, 2), minute) ||
        !digits(text.substr(23, 2), second)) {
        return std::nullopt;
    }
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m) {
        if (text.substr(8, 3) == kMonths[m]) {
            month = m + 1;
        }
    }
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{hour} +
                   std::chrono::minutes{minute} + std::chrono::seconds{second};
    return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

}  // namespace wharf::auth::sigv4::detail
