// Numbers as digit strings: version segments in the wild exceed 64 bits (dates with times,
// commit counts glued together), and every scheme orders them as unbounded integers.
#include <algorithm>
#include <cstring>

#include "scan/version/detail.hpp"

namespace wharf::scan::version::detail {

namespace {

std::string_view strip_zeros(std::string_view s) noexcept {
    const auto first = s.find_first_not_of('0');
    return first == std::string_view::npos ? std::string_view{} : s.substr(first);
}

}  // namespace

int compare_numeric(std::string_view a, std::string_view b) noexcept {
    a = strip_zeros(a);
    b = strip_zeros(b);
    if (a.size() != b.size()) {
        return a.size() < b.size() ? -1 : 1;
    }
    return compare_bytes(a, b);
}

int compare_bytes(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    if (n > 0) {
        // memcmp compares as unsigned char, which is what every tool here does (strcmp too).
        if (const int r = std::memcmp(a.data(), b.data(), n); r != 0) {
            return sign(r);
        }
    }
    if (a.size() == b.size()) {
        return 0;
    }
    return a.size() < b.size() ? -1 : 1;
}

}  // namespace wharf::scan::version::detail
