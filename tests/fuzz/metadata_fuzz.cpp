// Header-style metadata files: Python METADATA/PKG-INFO, Maven pom.properties, MANIFEST.MF.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using wharf::scan::PackageType;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto py = wharf::scan::parse_python_metadata(text)) {
        check(py->type == PackageType::pypi && !py->name.empty() && !py->version.empty());
        const auto normalized = wharf::scan::normalize_pypi_name(py->name);
        check(normalized.size() <= py->name.size());
        check(wharf::scan::normalize_pypi_name(normalized) == normalized);  // idempotent
    }
    const auto normalized = wharf::scan::normalize_pypi_name(text);
    check(normalized.find("--") == std::string::npos);
    if (const auto pom = wharf::scan::parse_pom_properties(text)) {
        check(pom->type == PackageType::maven && pom->name.find(':') != std::string::npos);
        check(!pom->version.empty());
    }
    if (const auto jar = wharf::scan::parse_jar_manifest(text)) {
        check(jar->type == PackageType::maven && !jar->name.empty() && !jar->version.empty());
    }
    return 0;
}
