#include <gtest/gtest.h>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::find;

// Three records as alpine:3.19's /lib/apk/db/installed has them (file lists shortened).
constexpr std::string_view kInstalled = R"(C:Q1PCjFPKjrWgRTrdIbaj4p0+NZC4E=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:662528
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1700581298
c:d0c8d2a8b4d94a53a2b50a9ac14fba5e95bf24cc
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Hb6j+ohHHmIqzKjS0ST2HXedqAo=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1yfmrxI59b55HQP/PKTUDBqGZ7FU=
P:busybox
V:1.36.1-r15
A:x86_64
S:510202
I:914432
T:Size optimized toolkit of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1701174434
c:a9cf5a5a0b1c0c6d39f38e2e02f9de4ff8d5fff1
D:so:libc.musl-x86_64.so.1
p:/bin/sh cmd:busybox=1.36.1-r15 cmd:sh=1.36.1-r15
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1q3rgkHYRU2b8f0e4LrWPT0pW/bo=
R:sh
a:0:0:777
Z:Q1pcfTfDNEbNKQc2s1tia7da05M8Q=
F:etc
R:securetty
Z:Q1mB95Hq2NUTZ599RDiSsj9w5FrOU=
F:etc/busybox-paths.d
R:busybox
Z:Q1ZRcLF3LFvBRrs9DJgq7xPB/SkQw=

C:Q1qgiK+/dLHWfILkRoD8n9aXuDn9U=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1717484
I:4378624
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1706719853
c:a2b5a6f5e6b6d1ca2ff4dd2a2c7f7d5bd52d9f1b
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
r:libcrypto1.1
F:etc
F:etc/ssl
R:openssl.cnf.dist
Z:Q1LTHsW8sd1YMK2fUjsBdkbE8sTYU=
F:etc/ssl/certs
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1v5+dNP5Pj2a0w2yaE9gqLgOzoNc=
F:usr/lib/engines-3
R:afalg.so
Z:Q1OtB7tVQ1hqz7Ye9CwdxM8Xj0mvw=
)";

TEST(ApkInstalled, AlpineRecords) {
    const auto packages = parse_apk_installed(kInstalled);
    ASSERT_EQ(packages.size(), 3u);

    const Package* musl = find(packages, "musl");
    ASSERT_NE(musl, nullptr);
    EXPECT_EQ(musl->type, PackageType::apk);
    EXPECT_EQ(musl->version, "1.2.4_git20230717-r4");
    EXPECT_EQ(musl->arch, "x86_64");
    EXPECT_EQ(musl->license, "MIT");
    EXPECT_EQ(musl->maintainer, "Timo Teräs <timo.teras@iki.fi>");
    EXPECT_EQ(musl->files,
              (std::vector<std::string>{"lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"}));

    const Package* busybox = find(packages, "busybox");
    ASSERT_NE(busybox, nullptr);
    EXPECT_EQ(busybox->files, (std::vector<std::string>{"bin/busybox", "bin/sh", "etc/securetty",
                                                        "etc/busybox-paths.d/busybox"}));

    // A subpackage: its origin is the source package, at the same version.
    const Package* crypto = find(packages, "libcrypto3");
    ASSERT_NE(crypto, nullptr);
    EXPECT_EQ(crypto->source_name, "openssl");
    EXPECT_EQ(crypto->source_version, "3.1.4-r5");
    EXPECT_EQ(crypto->license, "Apache-2.0");
    EXPECT_EQ(crypto->files,
              (std::vector<std::string>{"etc/ssl/openssl.cnf.dist", "lib/libcrypto.so.3",
                                        "usr/lib/engines-3/afalg.so"}));
}

TEST(ApkInstalled, RecordsWithoutNameOrVersionAreDropped) {
    const auto packages = parse_apk_installed("P:only-name\n\nV:1.0-r0\n\nP:ok\nV:2.0-r1\n");
    ASSERT_EQ(packages.size(), 1u);
    EXPECT_EQ(packages[0].name, "ok");
    EXPECT_TRUE(packages[0].source_name.empty());  // no o: line names none
    EXPECT_TRUE(packages[0].source_version.empty());
}

TEST(ApkInstalled, FilesBeforeAnyDirectoryAndGarbage) {
    const auto packages = parse_apk_installed("P:x\nV:1\nR:top-level\nF:/usr/\nR:a\nxx\nR\n:\n");
    ASSERT_EQ(packages.size(), 1u);
    EXPECT_EQ(packages[0].files, (std::vector<std::string>{"top-level", "usr/a"}));
    EXPECT_TRUE(parse_apk_installed("").empty());
    EXPECT_TRUE(parse_apk_installed("\n\n\r\n").empty());
}

}  // namespace
}  // namespace wharf::scan
