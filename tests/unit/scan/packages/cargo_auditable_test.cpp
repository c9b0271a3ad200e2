#include <gtest/gtest.h>
#include <zlib.h>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::Bytes;

Bytes zlib_compress(std::string_view text) {
    uLongf size = compressBound(text.size());
    Bytes out(size);
    EXPECT_EQ(
        compress2(out.data(), &size, reinterpret_cast<const Bytef*>(text.data()), text.size(), 9),
        Z_OK);
    out.resize(size);
    return out;
}

// What cargo-auditable embeds for a binary with a build dependency.
constexpr std::string_view kDeps = R"({"packages":[
 {"name":"app","version":"0.1.0","source":"local","kind":"runtime","root":true,
  "dependencies":[1,2,3]},
 {"name":"serde","version":"1.0.190","source":"crates.io","dependencies":[4]},
 {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
 {"name":"my-fork","version":"0.3.0","source":"git"},
 {"name":"serde_derive","version":"1.0.190","source":"crates.io"},
 {"name":"broken","version":7},
 "not an object"
]})";

TEST(CargoAuditable, DepSectionInEveryElfLayout) {
    for (const bool is64 : {true, false}) {
        for (const bool big_endian : {false, true}) {
            const Bytes elf = test_util::make_elf(
                is64, big_endian, {{".text", Bytes(64, 0xc3)}, {".dep-v0", zlib_compress(kDeps)}});
            const auto packages = parse_cargo_auditable(elf);
            ASSERT_EQ(packages.size(), 4u);
            EXPECT_EQ(packages[0].type, PackageType::cargo);
            EXPECT_EQ(packages[0].name, "serde");
            EXPECT_EQ(packages[0].version, "1.0.190");
            EXPECT_EQ(packages[1].name, "cc");
            EXPECT_EQ(packages[2].name, "my-fork");
            EXPECT_EQ(packages[3].name, "serde_derive");
            EXPECT_TRUE(parse_go_buildinfo(elf).empty());
        }
    }
}

TEST(CargoAuditable, BadSectionsYieldNothing) {
    EXPECT_TRUE(parse_cargo_auditable({}).empty());
    // Not compressed.
    const auto plain = Bytes(kDeps.begin(), kDeps.end());
    EXPECT_TRUE(
        parse_cargo_auditable(test_util::make_elf(true, false, {{".dep-v0", plain}})).empty());
    // Truncated stream.
    auto cut = zlib_compress(kDeps);
    cut.resize(cut.size() / 2);
    EXPECT_TRUE(
        parse_cargo_auditable(test_util::make_elf(true, false, {{".dep-v0", cut}})).empty());
    // A small section inflating past 16 MiB is refused, not expanded.
    const std::string bomb = R"({"packages":[)" + std::string(20u << 20, ' ') + "]}";
    const auto compressed = zlib_compress(bomb);
    ASSERT_LT(compressed.size(), 100'000u);
    EXPECT_TRUE(
        parse_cargo_auditable(test_util::make_elf(true, false, {{".dep-v0", compressed}})).empty());
    // Every truncation of a good file.
    const Bytes elf = test_util::make_elf(false, true, {{".dep-v0", zlib_compress(kDeps)}});
    for (std::size_t n = 0; n < elf.size(); ++n) {
        EXPECT_TRUE(parse_cargo_auditable(std::span(elf).first(n)).empty()) << n;
    }
}

}  // namespace
}  // namespace wharf::scan
