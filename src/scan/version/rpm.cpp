// RPM versions, as rpm's rpmio/rpmvercmp.c orders one field (rpmvercmp) and lib/rpmver.c a whole
// [epoch:]version[-release] (rpmverParse + rpmverCmp).
#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_alnum;
using detail::is_alpha;
using detail::is_digit;

bool is_separator(char c) {
    return !is_alnum(c) && c != '~' && c != '^';
}

// One field. Alphanumeric segments are compared in turn, separators only split them; '~' sorts
// before anything (even the end), '^' after the end but before any further segment.
int rpmvercmp(std::string_view a, std::string_view b) {
    if (a == b) {
        return 0;
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        while (i < a.size() && is_separator(a[i])) {
            ++i;
        }
        while (j < b.size() && is_separator(b[j])) {
            ++j;
        }
        const char ca = i < a.size() ? a[i] : '\0';
        const char cb = j < b.size() ? b[j] : '\0';
        if (ca == '~' || cb == '~') {
            if (ca != '~') {
                return 1;
            }
            if (cb != '~') {
                return -1;
            }
            ++i;
            ++j;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (i == a.size()) {
                return -1;
            }
            if (j == b.size()) {
                return 1;
            }
            if (ca != '^') {
                return 1;
            }
            if (cb != '^') {
                return -1;
            }
            ++i;
            ++j;
            continue;
        }
        if (i == a.size() || j == b.size()) {
            break;
        }
        // The segment type is a's; a segment of the other type on b's side is empty.
        const bool numeric = is_digit(ca);
        const auto in_segment = [numeric](char c) { return numeric ? is_digit(c) : is_alpha(c); };
        std::size_t ie = i;
        while (ie < a.size() && in_segment(a[ie])) {
            ++ie;
        }
        std::size_t je = j;
        while (je < b.size() && in_segment(b[je])) {
            ++je;
        }
        if (je == j) {
            // Numeric beats alpha.
            return numeric ? 1 : -1;
        }
        const auto sa = a.substr(i, ie - i);
        const auto sb = b.substr(j, je - j);
        if (const int r = numeric ? detail::compare_numeric(sa, sb) : detail::compare_bytes(sa, sb);
            r != 0) {
            return r;
        }
        i = ie;
        j = je;
    }
    if (i == a.size() && j == b.size()) {
        return 0;
    }
    return i == a.size() ? -1 : 1;
}

struct Evr {
    std::string_view epoch = "0";
    std::string_view version;
    std::optional<std::string_view> release;
};

// rpm's parseEVR: an epoch only when leading digits end in ':' (an empty one is 0); the release
// after the last '-' of what remains.
Evr parse_evr(std::string_view text) {
    Evr evr;
    std::size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) {
        ++digits;
    }
    if (digits < text.size() && text[digits] == ':') {
        if (digits > 0) {
            evr.epoch = text.substr(0, digits);
        }
        text.remove_prefix(digits + 1);
    }
    if (const auto hyphen = text.rfind('-'); hyphen != std::string_view::npos) {
        evr.release = text.substr(hyphen + 1);
        text = text.substr(0, hyphen);
    }
    evr.version = text;
    return evr;
}

}  // namespace

std::optional<int> compare_rpm(std::string_view a, std::string_view b) {
    // rpm works on C strings: an empty EVR is no version, and a NUL byte cannot occur in one.
    if (a.empty() || b.empty() || a.find('\0') != std::string_view::npos ||
        b.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    const Evr x = parse_evr(a);
    const Evr y = parse_evr(b);
    if (const int r = rpmvercmp(x.epoch, y.epoch); r != 0) {
        return r;
    }
    if (const int r = rpmvercmp(x.version, y.version); r != 0) {
        return r;
    }
    // As rpmverCmp's compare_values: no release sorts before any release, even an empty one.
    if (x.release && y.release) {
        return rpmvercmp(*x.release, *y.release);
    }
    return static_cast<int>(x.release.has_value()) - static_cast<int>(y.release.has_value());
}

}  // namespace wharf::scan::version
