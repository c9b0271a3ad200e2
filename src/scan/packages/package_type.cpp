// The purl type of each ecosystem: the spelling SBOMs and advisory ecosystems key on.
#include "scan/packages/packages.hpp"

namespace wharf::scan {

std::string_view to_string(PackageType type) {
    switch (type) {
        case PackageType::deb:
            return "deb";
        case PackageType::apk:
            return "apk";
        case PackageType::rpm:
            return "rpm";
        case PackageType::npm:
            return "npm";
        case PackageType::pypi:
            return "pypi";
        case PackageType::golang:
            return "golang";
        case PackageType::cargo:
            return "cargo";
        case PackageType::maven:
            return "maven";
    }
    return "deb";
}

}  // namespace wharf::scan
