// Which OSV ecosystem a package's advisories live in: for OS packages the distro release (from
// os-release), for language packages the package type.
#include <array>
#include <utility>

#include "scan/vulndb/match.hpp"

namespace wharf::scan::vulndb {
namespace {

// The leading "digits" or "digits.digits" of a VERSION_ID ("3.19.1" -> "3.19", "12" -> "12").
std::string leading_numbers(std::string_view v, int parts) {
    std::string out;
    int seen = 0;
    std::size_t i = 0;
    while (seen < parts) {
        const std::size_t start = i;
        while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
            ++i;
        }
        if (i == start) {
            break;
        }
        if (seen > 0) {
            out += '.';
        }
        out.append(v.substr(start, i - start));
        ++seen;
        if (i >= v.size() || v[i] != '.') {
            break;
        }
        ++i;
    }
    return seen == parts ? out : std::string();
}

// Testing/unstable images often have a codename but no VERSION_ID.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDebianCodenames{{
    {"buster", "10"},
    {"bullseye", "11"},
    {"bookworm", "12"},
    {"trixie", "13"},
    {"forky", "14"},
}};

}  // namespace

std::optional<std::string> os_ecosystem(const OsRelease& os) {
    if (os.id == "debian") {
        std::string major = leading_numbers(os.version_id, 1);
        if (major.empty()) {
            for (const auto& [codename, number] : kDebianCodenames) {
                if (os.version_codename == codename) {
                    major = std::string(number);
                }
            }
        }
        return major.empty() ? std::nullopt : std::optional<std::string>("Debian:" + major);
    }
    if (os.id == "alpine") {
        const std::string minor = leading_numbers(os.version_id, 2);
        return minor.empty() ? std::nullopt : std::optional<std::string>("Alpine:v" + minor);
    }
    if (os.id == "ubuntu") {
        const std::string release = leading_numbers(os.version_id, 2);
        return release.empty() ? std::nullopt : std::optional<std::string>("Ubuntu:" + release);
    }
    const std::string major = leading_numbers(os.version_id, 1);
    if (major.empty()) {
        return std::nullopt;
    }
    if (os.id == "rhel") {
        return "Red Hat:" + major;
    }
    if (os.id == "rocky") {
        return "Rocky Linux:" + major;
    }
    if (os.id == "almalinux") {
        return "AlmaLinux:" + major;
    }
    return std::nullopt;
}

std::optional<std::string> package_ecosystem(PackageType type) {
    switch (type) {
        case PackageType::npm:
            return "npm";
        case PackageType::pypi:
            return "PyPI";
        case PackageType::golang:
            return "Go";
        case PackageType::cargo:
            return "crates.io";
        case PackageType::maven:
            return "Maven";
        case PackageType::deb:
        case PackageType::apk:
        case PackageType::rpm:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace wharf::scan::vulndb
