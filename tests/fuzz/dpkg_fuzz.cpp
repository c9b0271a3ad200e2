// dpkg's database as an image carries it: the input is parsed as var/lib/dpkg/status, as a
// distroless status.d file, as an info/*.list or *.md5sums file, and as os-release.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

namespace {

void check_packages(const std::vector<wharf::scan::Package>& packages, std::size_t input) {
    check(packages.size() <= 100'000);
    for (const auto& p : packages) {
        check(p.type == wharf::scan::PackageType::deb);
        check(!p.name.empty() && !p.version.empty());
        // Installed paragraphs always get a source (their own name when none is given).
        check(!p.source_name.empty() && !p.source_version.empty());
        check(p.name.size() <= input && p.version.size() <= input);
        check(p.files.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto status = wharf::scan::parse_dpkg_status(text);
    check_packages(status, size);
    const auto distroless = wharf::scan::parse_dpkg_status(text, true);
    check_packages(distroless, size);
    check(distroless.size() >= status.size());  // status.d keeps every installed paragraph too
    for (const auto& f : wharf::scan::parse_dpkg_file_list(text)) {
        check(!f.empty() && f.size() <= size && !f.starts_with("/") && !f.starts_with("./"));
    }
    if (const auto release = wharf::scan::parse_os_release(text)) {
        check(!release->id.empty() && release->id.size() <= size);
    }
    return 0;
}
