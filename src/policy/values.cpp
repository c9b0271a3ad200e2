// Grammars of typed condition values: numbers, dates, IP addresses and CIDRs, base64. Used at
// parse time for the policy's values and at evaluation time for the request's (no allocation
// except decode_base64, which runs only at parse time).
#include <algorithm>
#include <charconv>

#include "policy/detail.hpp"

namespace wharf::policy::detail {
namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `pos` into `out`.
bool read_fixed(std::string_view s, std::size_t& pos, std::size_t n, int& out) noexcept {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_digit(s[pos + i])) {
            return false;
        }
        out = out * 10 + (s[pos + i] - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy =
        (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int days_in_month(int y, int m) noexcept {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

bool parse_epoch(std::string_view text, std::int64_t& millis) noexcept {
    std::int64_t seconds = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
    if (ec != std::errc{} || ptr != end || text.size() > 15) {
        return false;
    }
    millis = seconds * 1000;
    return true;
}

bool parse_iso(std::string_view s, std::int64_t& millis) noexcept {
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, frac_ms = 0;
    if (!read_fixed(s, pos, 4, year) || !expect(s, pos, '-') || !read_fixed(s, pos, 2, month) ||
        !expect(s, pos, '-') || !read_fixed(s, pos, 2, day)) {
        return false;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return false;
    }
    int offset_minutes = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
        ++pos;
        if (!read_fixed(s, pos, 2, hour) || !expect(s, pos, ':') ||
            !read_fixed(s, pos, 2, minute) || hour > 23 || minute > 59) {
            return false;
        }
        if (expect(s, pos, ':')) {
            if (!read_fixed(s, pos, 2, second) || second > 59) {
                return false;
            }
            if (expect(s, pos, '.')) {
                int digits = 0;
                while (pos < s.size() && is_digit(s[pos])) {
                    if (digits < 3) {
                        frac_ms = frac_ms * 10 + (s[pos] - '0');
                    }
                    ++digits;
                    ++pos;
                }
                if (digits == 0) {
                    return false;
                }
                for (; digits < 3; ++digits) {
                    frac_ms *= 10;
                }
            }
        }
        if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
            ++pos;
        } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
            const int sign = s[pos++] == '-' ? -1 : 1;
            int oh = 0, om = 0;
            if (!read_fixed(s, pos, 2, oh)) {
                return false;
            }
            expect(s, pos, ':');
            if (!read_fixed(s, pos, 2, om) || oh > 23 || om > 59) {
                return false;
            }
            offset_minutes = sign * (oh * 60 + om);
        }
    }
    if (pos != s.size()) {
        return false;
    }
    const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 +
                                 minute * 60 + second - offset_minutes * 60;
    millis = seconds * 1000 + frac_ms;
    return true;
}

bool parse_ipv4(std::string_view s, std::uint8_t* out) noexcept {
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (s.empty() || s.front() != '.') {
                return false;
            }
            s.remove_prefix(1);
        }
        int value = 0;
        std::size_t digits = 0;
        while (digits < s.size() && digits < 4 && is_digit(s[digits])) {
            value = value * 10 + (s[digits] - '0');
            ++digits;
        }
        if (digits == 0 || digits > 3 || value > 255) {
            return false;
        }
        out[part] = static_cast<std::uint8_t>(value);
        s.remove_prefix(digits);
    }
    return s.empty();
}

int hex_value(char c) noexcept {
    if (is_digit(c)) {
        return c - '0';
    }
    const char l = to_lower(c);
    return (l >= 'a' && l <= 'f') ? l - 'a' + 10 : -1;
}

bool parse_ipv6(std::string_view s, std::array<std::uint8_t, 16>& out) noexcept {
    std::array<std::uint16_t, 8> groups{};
    int count = 0;
    int gap = -1;  // index in `groups` where "::" stands
    if (s.starts_with("::")) {
        gap = 0;
        s.remove_prefix(2);
    }
    while (!s.empty()) {
        if (count == 8) {
            return false;
        }
        const auto next = s.find(':');
        const auto token = s.substr(0, next);
        if (token.find('.') != std::string_view::npos) {  // trailing dotted IPv4
            std::uint8_t v4[4];
            if (next != std::string_view::npos || count > 6 || !parse_ipv4(token, v4)) {
                return false;
            }
            groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
            groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
            s = {};
            break;
        }
        if (token.empty() || token.size() > 4) {
            return false;
        }
        std::uint16_t value = 0;
        for (char c : token) {
            const int h = hex_value(c);
            if (h < 0) {
                return false;
            }
            value = static_cast<std::uint16_t>(value << 4 | h);
        }
        groups[count++] = value;
        if (next == std::string_view::npos) {
            s = {};
        } else if (s.substr(next).starts_with("::")) {
            if (gap >= 0) {
                return false;
            }
            gap = count;
            s.remove_prefix(next + 2);
        } else {
            s.remove_prefix(next + 1);
            if (s.empty()) {
                return false;  // trailing single ':'
            }
        }
    }
    if (gap < 0 ? count != 8 : count > 7) {
        return false;
    }
    std::array<std::uint16_t, 8> full{};
    const int tail = gap < 0 ? 0 : count - gap;
    for (int i = 0; i < count; ++i) {
        const int at = (gap >= 0 && i >= gap) ? 8 - tail + (i - gap) : i;
        full[at] = groups[i];
    }
    for (int i = 0; i < 8; ++i) {
        out[2 * i] = static_cast<std::uint8_t>(full[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(full[i] & 0xff);
    }
    return true;
}

}  // namespace

bool parse_number(std::string_view text, double& out) noexcept {
    // -?digits(.digits)?([eE][+-]?digits)? : no "inf", "nan", hex or leading '+'.
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < text.size() && is_digit(text[i])) {
            ++i;
        }
        return i > start;
    };
    if (i < text.size() && text[i] == '-') {
        ++i;
    }
    if (!digits()) {
        return false;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (!digits()) {
            return false;
        }
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            ++i;
        }
        if (!digits()) {
            return false;
        }
    }
    if (i != text.size()) {
        return false;
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

bool parse_date(std::string_view text, std::int64_t& millis) noexcept {
    if (!text.empty() && text.find_first_not_of("-0123456789") == std::string_view::npos &&
        text.find('-', 1) == std::string_view::npos) {
        return parse_epoch(text, millis);
    }
    return parse_iso(text, millis);
}

bool parse_ip(std::string_view text, Cidr& out) noexcept {
    out = Cidr{};
    if (parse_ipv4(text, out.bytes.data())) {
        out.prefix = 32;
        return true;
    }
    if (!parse_ipv6(text, out.bytes)) {
        return false;
    }
    static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped.begin(), kMapped.end(), out.bytes.begin())) {  // ::ffff:a.b.c.d
        std::copy(out.bytes.begin() + 12, out.bytes.end(), out.bytes.begin());
        std::fill(out.bytes.begin() + 4, out.bytes.end(), 0);
        out.prefix = 32;
        return true;
    }
    out.v6 = true;
    out.prefix = 128;
    return true;
}

bool parse_cidr(std::string_view text, Cidr& out) noexcept {
    const auto slash = text.find('/');
    out = Cidr{};
    if (parse_ipv4(text.substr(0, slash), out.bytes.data())) {
        out.v6 = false;
    } else if (parse_ipv6(text.substr(0, slash), out.bytes)) {
        out.v6 = true;
    } else {
        return false;
    }
    const int max = out.v6 ? 128 : 32;
    out.prefix = max;
    if (slash != std::string_view::npos) {
        const auto bits = text.substr(slash + 1);
        int value = 0;
        std::size_t pos = 0;
        if (bits.empty() || bits.size() > 3 || !read_fixed(bits, pos, bits.size(), value) ||
            value > max) {
            return false;
        }
        out.prefix = value;
    }
    return true;
}

bool cidr_contains(const Cidr& net, const Cidr& addr) noexcept {
    if (net.v6 != addr.v6) {
        return false;
    }
    const int full = net.prefix / 8;
    for (int i = 0; i < full; ++i) {
        if (net.bytes[i] != addr.bytes[i]) {
            return false;
        }
    }
    const int rest = net.prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (net.bytes[full] & mask) == (addr.bytes[full] & mask);
}

bool decode_base64(std::string_view text, std::string& out) {
    out.clear();
    const std::size_t size = text.size();
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    const std::size_t padding = size - text.size();
    if (text.size() % 4 == 1 || padding > 2 || (padding > 0 && size % 4 != 0)) {
        return false;
    }
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (is_digit(c)) {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            return false;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return true;
}

}  // namespace wharf::policy::detail
