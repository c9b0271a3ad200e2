// Lockfiles and manifests of language packages: package-lock.json, package.json, Cargo.lock.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "scan/packages/packages.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using wharf::scan::PackageType;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto lock = wharf::scan::parse_npm_package_lock(text);
    check(lock.size() <= 100'000);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& p : lock) {
        check(p.type == PackageType::npm && !p.name.empty() && !p.version.empty());
        check(seen.emplace(p.name, p.version).second);  // name@version reported once
    }
    if (const auto pkg = wharf::scan::parse_npm_package_json(text)) {
        check(pkg->type == PackageType::npm && !pkg->name.empty() && !pkg->version.empty());
    }
    const auto crates = wharf::scan::parse_cargo_lock(text);
    check(crates.size() <= 100'000);
    for (const auto& p : crates) {
        check(p.type == PackageType::cargo && !p.name.empty() && !p.version.empty());
        check(p.name.size() <= size);
    }
    return 0;
}
