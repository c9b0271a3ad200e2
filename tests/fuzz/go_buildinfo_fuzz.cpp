// Executables: Go build info (ELF section or magic scan) and cargo-auditable's .dep-v0 section.
#include <cstddef>
#include <cstdint>
#include <span>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const auto go = wharf::scan::parse_go_buildinfo(bytes);
    check(go.size() <= 100'002);  // stdlib, main module and capped deps
    for (std::size_t i = 0; i < go.size(); ++i) {
        check(go[i].type == wharf::scan::PackageType::golang);
        check(!go[i].name.empty() && go[i].name.size() <= size);
    }
    const auto cargo = wharf::scan::parse_cargo_auditable(bytes);
    check(cargo.size() <= 100'000);
    for (const auto& p : cargo) {
        check(p.type == wharf::scan::PackageType::cargo);
        check(!p.name.empty() && !p.version.empty());
    }
    return 0;
}
