// rpm's older database files: the input as a Berkeley DB hash "Packages" file and as an ndb
// "Packages.db" file. Whatever the bytes, each reader ends with an error or with packages that
// name themselves, in time linear in the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

namespace {

void check_all(const wharf::Result<std::vector<wharf::scan::Package>>& all, std::size_t input) {
    if (!all) {
        check(all.error().code == wharf::Errc::bad_request && !all.error().message.empty());
        return;
    }
    check(all->size() <= 100'000);
    for (const auto& p : *all) {
        check(p.type == wharf::scan::PackageType::rpm);
        check(!p.name.empty() && !p.version.empty() && p.name.size() <= input);
        for (const auto& f : p.files) {
            check(!f.empty() && !f.starts_with("/"));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    check_all(wharf::scan::parse_rpm_bdb(bytes), size);
    check_all(wharf::scan::parse_rpm_ndb(bytes), size);
    return 0;
}
