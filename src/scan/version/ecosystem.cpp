// Which order an OSV ecosystem uses, and the dispatch from a Scheme to its comparison.
#include <array>
#include <utility>

#include "scan/version/version.hpp"

namespace wharf::scan::version {

std::optional<Scheme> scheme_for_ecosystem(std::string_view ecosystem) {
    // OSV ecosystems may carry a release after ':' ("Debian:12", "Alpine:v3.19").
    const std::string_view name = ecosystem.substr(0, ecosystem.find(':'));
    static constexpr std::array<std::pair<std::string_view, Scheme>, 14> kSchemes = {{
        {"Debian", Scheme::dpkg},
        {"Ubuntu", Scheme::dpkg},
        {"Alpine", Scheme::apk},
        {"Red Hat", Scheme::rpm},
        {"Rocky Linux", Scheme::rpm},
        {"AlmaLinux", Scheme::rpm},
        {"openSUSE", Scheme::rpm},
        {"SUSE", Scheme::rpm},
        {"Mageia", Scheme::rpm},
        {"npm", Scheme::semver},
        {"crates.io", Scheme::semver},
        {"Go", Scheme::go},
        {"PyPI", Scheme::pep440},
        {"Maven", Scheme::maven},
    }};
    for (const auto& [known, scheme] : kSchemes) {
        if (name == known) {
            return scheme;
        }
    }
    return std::nullopt;
}

std::optional<int> compare(Scheme scheme, std::string_view a, std::string_view b) {
    switch (scheme) {
        case Scheme::dpkg:
            return compare_dpkg(a, b);
        case Scheme::apk:
            return compare_apk(a, b);
        case Scheme::rpm:
            return compare_rpm(a, b);
        case Scheme::semver:
            return compare_semver(a, b);
        case Scheme::go:
            return compare_go(a, b);
        case Scheme::pep440:
            return compare_pep440(a, b);
        case Scheme::maven:
            return compare_maven(a, b);
    }
    return std::nullopt;
}

}  // namespace wharf::scan::version
