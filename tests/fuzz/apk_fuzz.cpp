// apk's installed database (lib/apk/db/installed): records of "X:value" lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto packages = wharf::scan::parse_apk_installed(text);
    check(packages.size() <= 100'000);
    std::size_t files = 0;
    for (const auto& p : packages) {
        check(p.type == wharf::scan::PackageType::apk);
        check(!p.name.empty() && !p.version.empty());
        check(p.source_name.empty() == p.source_version.empty());
        for (const auto& f : p.files) {
            check(!f.empty() && !f.starts_with("/"));
        }
        files += p.files.size();
    }
    check(files <= 1'000'000);
    return 0;
}
