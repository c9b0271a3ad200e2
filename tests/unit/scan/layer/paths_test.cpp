#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "scan/layer/layer.hpp"

namespace wharf::scan::layer {
namespace {

struct NormalizeCase {
    const char* in;
    std::optional<std::string> out;
};

TEST(NormalizePath, Table) {
    const NormalizeCase cases[] = {
        {"a/b", "a/b"},
        {"./a//b/", "a/b"},
        {"/etc/os-release", "etc/os-release"},
        {"///etc///./os-release", "etc/os-release"},
        {"./", std::nullopt},
        {"/", std::nullopt},
        {"", std::nullopt},
        {".", std::nullopt},
        {"../../etc/passwd", std::nullopt},
        {"a/../b", std::nullopt},
        {"a/..", std::nullopt},
        {"a/..b/c", "a/..b/c"},
        {"a/.../c", "a/.../c"},
        {".wh..wh..opq", ".wh..wh..opq"},
        {"a/.hidden", "a/.hidden"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(normalize_path(c.in), c.out) << c.in;
    }
}

struct ResolveCase {
    const char* path;
    std::optional<std::string> out;
};

TEST(ResolveSymlink, Table) {
    const std::map<std::string, std::string> links{
        {"etc/os-release", "../usr/lib/os-release"},
        {"etc/abs-release", "/usr/lib/os-release"},
        {"lib", "usr/lib"},  // a directory link, relative to the root
        {"bin", "/usr/bin"},
        {"etc/escape", "../../../../usr/lib/os-release"},  // clamped at the root
        {"etc/escape-abs", "/../../etc/passwd"},
        {"loop/a", "b"},
        {"loop/b", "a"},
        {"self", "self"},
        {"chain/1", "2"},
        {"chain/2", "3"},
        {"chain/3", "./4"},
        {"root", "/"},
        {"dotdir", "usr/./lib/../lib"},
    };
    const ResolveCase cases[] = {
        {"etc/os-release", "usr/lib/os-release"},
        {"etc/abs-release", "usr/lib/os-release"},
        {"lib/apk/db/installed", "usr/lib/apk/db/installed"},
        {"bin/sh", "usr/bin/sh"},
        {"usr/lib/os-release", "usr/lib/os-release"},  // not a link: itself
        {"etc/escape", "usr/lib/os-release"},
        {"etc/escape-abs", "etc/passwd"},
        {"loop/a", std::nullopt},
        {"self", std::nullopt},
        {"chain/1", "chain/4"},
        {"root", std::nullopt},  // the root is no file
        {"root/etc/os-release", "usr/lib/os-release"},
        {"dotdir/x", "usr/lib/x"},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(resolve_symlink(c.path, links), c.out) << c.path;
    }
}

TEST(ResolveSymlink, SixteenHopsFollowedSeventeenNot) {
    std::map<std::string, std::string> links;
    for (int i = 0; i < 17; ++i) {
        links["l" + std::to_string(i)] = "l" + std::to_string(i + 1);
    }
    EXPECT_EQ(resolve_symlink("l1", links), "l17");         // 16 hops
    EXPECT_EQ(resolve_symlink("l0", links), std::nullopt);  // 17 hops
}

}  // namespace
}  // namespace wharf::scan::layer
