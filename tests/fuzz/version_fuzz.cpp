// Version orders: the input is two versions split at the first '\n'. Every compare_* must be
// antisymmetric where both are versions, reflexive, and survive any bytes; NpmRange::parse on the
// whole input, and contains() on both halves when it is a range.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "scan/version/version.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::scan::version;

int sign(int v) {
    return (v > 0) - (v < 0);
}

template <typename Compare>
void check_order(Compare compare, std::string_view a, std::string_view b) {
    const std::optional<int> ab = compare(a, b);
    const std::optional<int> ba = compare(b, a);
    check(ab.has_value() == ba.has_value());  // "is a version" does not depend on the side
    if (ab && ba) {
        check(sign(*ab) == -sign(*ba));
    }
    for (const auto v : {a, b}) {
        const std::optional<int> self = compare(v, v);
        check(!self || *self == 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto newline = text.find('\n');
    const std::string_view a = text.substr(0, newline);
    const std::string_view b =
        newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);

    check_order([](auto x, auto y) { return std::optional<int>(compare_dpkg(x, y)); }, a, b);
    check_order(compare_apk, a, b);
    check_order(compare_rpm, a, b);
    check_order(compare_semver, a, b);
    check_order(compare_go, a, b);
    check_order(compare_pep440, a, b);
    check_order(compare_maven, a, b);
    for (const Scheme s : {Scheme::dpkg, Scheme::apk, Scheme::rpm, Scheme::semver, Scheme::go,
                           Scheme::pep440, Scheme::maven}) {
        (void)compare(s, a, b);
    }
    (void)scheme_for_ecosystem(a);

    for (const auto input : {text, a}) {
        if (const auto range = NpmRange::parse(input)) {
            for (const auto& set : range->alternatives) {
                for (const auto& c : set) {
                    check(compare_semver(c.version, c.version) == 0);  // bounds are versions
                }
            }
            (void)range->contains(a);
            (void)range->contains(b);
            if (compare_semver(b, b)) {
                check(range->contains(b).has_value());
            }
        }
    }
    return 0;
}
