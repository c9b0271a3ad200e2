// Debian versions, as dpkg's lib/dpkg/version.c orders them (dpkg_version_compare and
// verrevcmp). dpkg refuses some strings outright; here every string gets a place so the order
// stays total: an epoch is only read when the text before the first ':' is all digits.
#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_alpha;
using detail::is_digit;

struct DebVersion {
    std::string_view epoch;  // digits, empty for none (0)
    std::string_view upstream;
    std::string_view revision;  // empty for none, which verrevcmp treats like "0"
};

DebVersion split(std::string_view text) {
    DebVersion v;
    if (const auto colon = text.find(':'); colon != std::string_view::npos && colon > 0) {
        const auto head = text.substr(0, colon);
        if (head.find_first_not_of("0123456789") == std::string_view::npos) {
            v.epoch = head;
            text.remove_prefix(colon + 1);
        }
    }
    // The revision starts after the last hyphen, so upstream versions may contain hyphens.
    if (const auto hyphen = text.rfind('-'); hyphen != std::string_view::npos) {
        v.revision = text.substr(hyphen + 1);
        text = text.substr(0, hyphen);
    }
    v.upstream = text;
    return v;
}

// verrevcmp's weight of a byte in a non-digit run: '~' below the end of the string, letters by
// ASCII, anything else after all letters. dpkg reads `char`, which is signed on the platforms
// Debian ships most, so bytes >= 0x80 weigh c - 256 + 256: after letters, before punctuation.
int order(std::string_view s, std::size_t i) {
    if (i >= s.size()) {
        return 0;
    }
    const char c = s[i];
    if (is_digit(c)) {
        return 0;
    }
    if (is_alpha(c)) {
        return c;
    }
    if (c == '~') {
        return -1;
    }
    return static_cast<signed char>(c) + 256;
}

int verrevcmp(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        // Non-digit run, byte by byte; both sides advance together because a difference ends it.
        while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
            const int ac = order(a, i);
            const int bc = order(b, j);
            if (ac != bc) {
                return ac - bc;
            }
            ++i;
            ++j;
        }
        // Digit run, as a number of any length.
        std::size_t ie = i;
        while (ie < a.size() && is_digit(a[ie])) {
            ++ie;
        }
        std::size_t je = j;
        while (je < b.size() && is_digit(b[je])) {
            ++je;
        }
        if (const int r = detail::compare_numeric(a.substr(i, ie - i), b.substr(j, je - j));
            r != 0) {
            return r;
        }
        i = ie;
        j = je;
    }
    return 0;
}

}  // namespace

int compare_dpkg(std::string_view a, std::string_view b) {
    const DebVersion va = split(a);
    const DebVersion vb = split(b);
    if (const int r = detail::compare_numeric(va.epoch, vb.epoch); r != 0) {
        return r;
    }
    if (const int r = verrevcmp(va.upstream, vb.upstream); r != 0) {
        return detail::sign(r);
    }
    return detail::sign(verrevcmp(va.revision, vb.revision));
}

}  // namespace wharf::scan::version
