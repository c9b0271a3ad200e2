// rpm databases: the input as one header blob (the Packages table's value), and the same bytes
// as a whole rpmdb.sqlite file opened in memory.
#include <cstddef>
#include <cstdint>
#include <span>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

namespace {

void check_package(const wharf::scan::Package& p, std::size_t input) {
    check(p.type == wharf::scan::PackageType::rpm);
    check(!p.name.empty() && !p.version.empty());
    check(p.name.size() <= input);
    check(p.files.size() <= 1'000'000);
    for (const auto& f : p.files) {
        check(!f.empty() && !f.starts_with("/"));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (const auto pkg = wharf::scan::parse_rpm_header(bytes)) {
        check_package(*pkg, size);
    } else {
        check(pkg.error().code == wharf::Errc::bad_request && !pkg.error().message.empty());
    }
    if (const auto all = wharf::scan::parse_rpm_sqlite(bytes)) {
        check(all->size() <= 100'000);
        for (const auto& p : *all) {
            check_package(p, size);
        }
    } else {
        check(!all.error().message.empty());
    }
    return 0;
}
