#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "scan/packages/packages.hpp"
#include "support/temp_dir.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::Bytes;
using test_util::find;
using test_util::run;

void write(const std::filesystem::path& path, std::string_view text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

Bytes read_bytes(const std::filesystem::path& path) {
    const auto text = test_util::read_fixture(path.string());
    return Bytes(text.begin(), text.end());
}

// A real executable from the installed Go toolchain: a main module requiring a library that a
// `replace` points at a sibling directory. Offline: no proxy, caches inside the temp dir.
TEST(GoBuildinfo, RealBinaryFromTheInstalledToolchain) {
    const auto go_version = run("go env GOVERSION 2>/dev/null");
    if (!go_version) {
        GTEST_SKIP() << "go is not installed";
    }
    const std::string version(test_util::trim_newline(*go_version));
    ASSERT_TRUE(version.starts_with("go")) << version;

    const wharf::testing::TempDir dir;
    const auto root = dir.path();
    write(root / "lib/go.mod", "module example.com/lib\n\ngo 1.18\n");
    write(root / "lib/lib.go", "package lib\n\nfunc Hello() string { return \"hello\" }\n");
    write(root / "app/go.mod",
          "module example.com/app\n\ngo 1.18\n\nrequire example.com/lib v1.2.3\n\n"
          "replace example.com/lib => ../lib\n");
    write(root / "app/main.go",
          "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/lib\"\n)\n\n"
          "func main() { fmt.Println(lib.Hello()) }\n");
    const std::string r = root.string();
    const std::string env = "HOME=" + r + "/home GOCACHE=" + r + "/cache GOPATH=" + r +
                            "/gopath GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off "
                            "GOSUMDB=off CGO_ENABLED=0";
    ASSERT_TRUE(run("cd " + r + "/app && env " + env + " go build -o " + r + "/app.bin . 2>&1"))
        << "go build failed";
    // Go writes module caches read-only; let TempDir remove them.
    (void)run("chmod -R u+w " + r + " 2>/dev/null");

    const Bytes exe = read_bytes(root / "app.bin");
    ASSERT_GT(exe.size(), 100'000u);
    const auto packages = parse_go_buildinfo(exe);
    const Package* stdlib = find(packages, "stdlib");
    ASSERT_NE(stdlib, nullptr);
    EXPECT_EQ(stdlib->type, PackageType::golang);
    EXPECT_EQ(stdlib->version, version.substr(2));
    // The dependency is reported as what replaced it: a local directory, built as "(devel)".
    const Package* lib = find(packages, "../lib");
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(lib->version, "(devel)");
    EXPECT_EQ(find(packages, "example.com/lib"), nullptr);
    // The main module is "(devel)" in a plain `go build`: not a package.
    EXPECT_EQ(find(packages, "example.com/app"), nullptr);
    EXPECT_EQ(packages.size(), 2u);

    // Without section headers (stripped or damaged), the magic is found by scanning.
    Bytes no_sections = exe;
    std::fill_n(no_sections.begin() + 0x28, 8, 0);  // e_shoff
    const auto scanned = parse_go_buildinfo(no_sections);
    ASSERT_EQ(scanned.size(), packages.size());
    EXPECT_EQ(scanned[0].version, stdlib->version);
    // A cargo-auditable reader finds nothing in it.
    EXPECT_TRUE(parse_cargo_auditable(exe).empty());
}

void put_uvarint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

// The .go.buildinfo section of Go >= 1.18: 32-byte header, then inline strings.
Bytes buildinfo(std::string_view go_version, std::string_view modinfo_lines) {
    Bytes out{0xff};
    const std::string_view magic = " Go buildinf:";
    out.insert(out.end(), magic.begin(), magic.end());
    out.push_back(8);  // pointer size
    out.push_back(2);  // flags: inline strings
    out.resize(32, 0);
    put_uvarint(out, go_version.size());
    out.insert(out.end(), go_version.begin(), go_version.end());
    // cmd/go brackets the module info with 16-byte sentinels.
    const std::string sentinel_start =
        "0w\xaf\x0c\x92t\x08\x02"
        "A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const std::string sentinel_end =
        "\xf9"
        "2C1\x86\x18 r\x00\x82"
        "B\x10"
        "A\x16\xd8\xf2";
    const std::string modinfo =
        sentinel_start + std::string(modinfo_lines) + std::string(sentinel_end.data(), 16);
    put_uvarint(out, modinfo.size());
    out.insert(out.end(), modinfo.begin(), modinfo.end());
    return out;
}

constexpr std::string_view kModinfo =
    "path\tgithub.com/acme/tool\n"
    "mod\tgithub.com/acme/tool\tv1.4.2\th1:abc=\n"
    "dep\tgithub.com/google/uuid\tv1.3.1\th1:def=\n"
    "dep\tgolang.org/x/net\tv0.10.0\n"
    "=>\tgithub.com/acme/net-fork\tv0.10.1-acme\th1:ghi=\n"
    "dep\tgolang.org/x/text\tv0.9.0\th1:jkl=\n"
    "build\t-compiler=gc\n"
    "build\tGOOS=linux\n";

TEST(GoBuildinfo, HandMadeElfEveryLayout) {
    for (const bool is64 : {true, false}) {
        for (const bool big_endian : {false, true}) {
            const Bytes elf = test_util::make_elf(
                is64, big_endian,
                {{".text", Bytes(100, 0x90)},
                 {".go.buildinfo", buildinfo("go1.21.3 X:boringcrypto", kModinfo)}});
            const auto packages = parse_go_buildinfo(elf);
            ASSERT_EQ(packages.size(), 5u) << is64 << big_endian;
            EXPECT_EQ(packages[0].name, "stdlib");
            EXPECT_EQ(packages[0].version, "1.21.3");
            EXPECT_EQ(packages[1].name, "github.com/acme/tool");  // versioned main module
            EXPECT_EQ(packages[1].version, "v1.4.2");
            EXPECT_EQ(packages[2].name, "github.com/google/uuid");
            EXPECT_EQ(packages[3].name, "github.com/acme/net-fork");
            EXPECT_EQ(packages[3].version, "v0.10.1-acme");
            EXPECT_EQ(packages[4].name, "golang.org/x/text");
        }
    }
}

TEST(GoBuildinfo, TruncationsAndCorruptionsFailCleanly) {
    const Bytes elf =
        test_util::make_elf(true, false, {{".go.buildinfo", buildinfo("go1.22.1", kModinfo)}});
    ASSERT_EQ(parse_go_buildinfo(elf).size(), 5u);
    for (std::size_t n = 0; n <= elf.size(); ++n) {
        const auto packages = parse_go_buildinfo(std::span(elf).first(n));
        // Either the whole header survived (found by the scan) or nothing is reported.
        EXPECT_TRUE(packages.empty() || packages.size() == 5u) << n;
    }
    for (std::size_t i = 0; i < elf.size(); ++i) {
        Bytes bad = elf;
        bad[i] ^= 0xa5;
        for (const auto& p : parse_go_buildinfo(bad)) {
            EXPECT_FALSE(p.name.empty());
        }
    }
}

TEST(GoBuildinfo, NotGoOrOldFormat) {
    EXPECT_TRUE(parse_go_buildinfo({}).empty());
    EXPECT_TRUE(parse_go_buildinfo(test_util::bytes("just some text")).empty());
    // Pre-1.18 pointer format (flags without the inline bit): not read.
    Bytes old = buildinfo("go1.16", kModinfo);
    old[15] = 0;
    EXPECT_TRUE(parse_go_buildinfo(old).empty());
    // Misaligned magic is not a header.
    Bytes shifted(3, 0);
    const Bytes good = buildinfo("go1.20", kModinfo);
    shifted.insert(shifted.end(), good.begin(), good.end());
    EXPECT_TRUE(parse_go_buildinfo(shifted).empty());
    EXPECT_EQ(parse_go_buildinfo(good).size(), 5u);
    // A length prefix past the end.
    Bytes lying = good;
    lying[32] = 0xff;
    lying[33] = 0xff;
    EXPECT_TRUE(parse_go_buildinfo(std::span(lying).first(64)).empty());
    // No sentinels around the module info: only the toolchain is known.
    Bytes bare{0xff};
    const std::string_view magic = " Go buildinf:";
    bare.insert(bare.end(), magic.begin(), magic.end());
    bare.push_back(8);
    bare.push_back(2);
    bare.resize(32, 0);
    bare.insert(bare.end(), {6, 'g', 'o', '1', '.', '2', '0', 3, 'x', 'y', 'z'});
    const auto packages = parse_go_buildinfo(bare);
    ASSERT_EQ(packages.size(), 1u);
    EXPECT_EQ(packages[0].version, "1.20");
}

}  // namespace
}  // namespace wharf::scan
