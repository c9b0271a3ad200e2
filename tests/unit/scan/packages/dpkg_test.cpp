#include <gtest/gtest.h>

#include <algorithm>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::find;
using test_util::read_fixture;

const std::string kFixtures = WHARF_VULNDB_DIR "/fixtures/";

// Paragraphs whose Status field is exactly "install ok installed", counted the simple way.
std::size_t count_installed_by_line_scan(const std::string& text) {
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto nl = text.find('\n', at);
        const auto line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        if (line == "Status: install ok installed") {
            ++count;
        }
        at = nl == std::string::npos ? text.size() : nl + 1;
    }
    return count;
}

TEST(DpkgStatus, BookwormFixtureMatchesAnIndependentCount) {
    const auto text = read_fixture(kFixtures + "bookworm-dpkg-status");
    ASSERT_GT(text.size(), 100'000u);
    const auto expected = count_installed_by_line_scan(text);
    ASSERT_GT(expected, 500u);  // 941 when written; dpkg-query --admindir agrees
    const auto packages = parse_dpkg_status(text);
    EXPECT_EQ(packages.size(), expected);
    for (const auto& p : packages) {
        EXPECT_EQ(p.type, PackageType::deb);
        EXPECT_FALSE(p.name.empty());
        EXPECT_FALSE(p.version.empty()) << p.name;
        EXPECT_FALSE(p.source_name.empty()) << p.name;
        EXPECT_FALSE(p.source_version.empty()) << p.name;
        EXPECT_FALSE(p.arch.empty()) << p.name;
        EXPECT_TRUE(p.files.empty());
    }
}

TEST(DpkgStatus, BookwormKnownPackages) {
    const auto packages = parse_dpkg_status(read_fixture(kFixtures + "bookworm-dpkg-status"));
    // Source without a version: the source version is the binary's.
    const Package* libc = find(packages, "libc6");
    ASSERT_NE(libc, nullptr);
    EXPECT_EQ(libc->version, "2.36-9+deb12u14");
    EXPECT_EQ(libc->source_name, "glibc");
    EXPECT_EQ(libc->source_version, "2.36-9+deb12u14");
    EXPECT_EQ(libc->arch, "amd64");
    EXPECT_NE(libc->maintainer.find("GNU Libc Maintainers"), std::string::npos);
    // A binNMU: "Source: bash (5.2.15-2)", binary 5.2.15-2+b8.
    const Package* bash = find(packages, "bash");
    ASSERT_NE(bash, nullptr);
    EXPECT_EQ(bash->version, "5.2.15-2+b8");
    EXPECT_EQ(bash->source_name, "bash");
    EXPECT_EQ(bash->source_version, "5.2.15-2");
    EXPECT_EQ(bash->maintainer, "Matthias Klose <doko@debian.org>");
    // Epochs survive in both versions.
    const Package* busybox = find(packages, "busybox-static");
    ASSERT_NE(busybox, nullptr);
    EXPECT_EQ(busybox->version, "1:1.35.0-4+deb12u1+b1");
    EXPECT_EQ(busybox->source_name, "busybox");
    EXPECT_EQ(busybox->source_version, "1:1.35.0-4+deb12u1");
    // No Source field at all: the binary is its own source.
    const Package* adduser = find(packages, "adduser");
    ASSERT_NE(adduser, nullptr);
    EXPECT_EQ(adduser->source_name, "adduser");
    EXPECT_EQ(adduser->source_version, "3.134");
    EXPECT_EQ(adduser->arch, "all");
}

constexpr std::string_view kStates = R"(Package: kept
Status: install ok installed
Version: 1.0-1
Architecture: amd64
Description: a package
 Package: not-a-field
 .
 Version: 9.9

Package: removed
Status: deinstall ok config-files
Version: 2.0-1
Architecture: amd64

Package: half
Status: install reinstreq half-installed
Version: 3.0-1

Package: unpacked
Status: install ok unpacked
Version: 4.0-1

Package: held
Status: hold ok installed
Version: 5.0-1
Source: upstream-src

Package: purged
Status: purge ok not-installed
Version: 6.0-1

Package: no-status
Version: 7.0-1
)";

TEST(DpkgStatus, OnlyInstalledStatesAndContinuationLinesIgnored) {
    const auto packages = parse_dpkg_status(kStates);
    ASSERT_EQ(packages.size(), 2u);
    EXPECT_EQ(packages[0].name, "kept");
    EXPECT_EQ(packages[0].version, "1.0-1");  // not the indented "Version: 9.9"
    EXPECT_EQ(packages[1].name, "held");
    EXPECT_EQ(packages[1].source_name, "upstream-src");
    EXPECT_EQ(packages[1].source_version, "5.0-1");
}

TEST(DpkgStatus, CrlfAndMissingFinalNewline) {
    const auto packages = parse_dpkg_status(
        "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n"
        "Package: b\r\nStatus: install ok installed\r\nVersion: 2");
    ASSERT_EQ(packages.size(), 2u);
    EXPECT_EQ(packages[0].version, "1");
    EXPECT_EQ(packages[1].name, "b");
    EXPECT_EQ(packages[1].version, "2");
}

// A distroless status.d file: one paragraph, no Status field.
constexpr std::string_view kDistroless = R"(Package: libssl3
Version: 3.0.15-1~deb12u1
Architecture: amd64
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Installed-Size: 6163
Depends: libc6 (>= 2.34)
Section: libs
Priority: optional
Multi-Arch: same
Homepage: https://www.openssl.org/
Source: openssl
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
)";

TEST(DpkgStatus, DistrolessFilesHaveNoStatus) {
    const auto packages = parse_dpkg_status(kDistroless, /*distroless=*/true);
    ASSERT_EQ(packages.size(), 1u);
    EXPECT_EQ(packages[0].name, "libssl3");
    EXPECT_EQ(packages[0].source_name, "openssl");
    EXPECT_EQ(packages[0].source_version, "3.0.15-1~deb12u1");
    // In var/lib/dpkg/status a paragraph without Status is not an installed package.
    EXPECT_TRUE(parse_dpkg_status(kDistroless).empty());
    // A Status field still counts in status.d.
    EXPECT_TRUE(
        parse_dpkg_status("Package: x\nVersion: 1\nStatus: deinstall ok config-files\n", true)
            .empty());
}

TEST(DpkgStatus, GarbageYieldsNothing) {
    EXPECT_TRUE(parse_dpkg_status("").empty());
    EXPECT_TRUE(parse_dpkg_status("\n\n\n").empty());
    EXPECT_TRUE(parse_dpkg_status(std::string(10000, ':')).empty());
    EXPECT_TRUE(parse_dpkg_status("Package:\nStatus: install ok installed\nVersion: 1\n").empty());
    EXPECT_TRUE(parse_dpkg_status(std::string("Package: a\0b\n", 13)).empty());
}

TEST(DpkgFileList, ListAndMd5sums) {
    const auto list = parse_dpkg_file_list("/.\n/usr\n/usr/bin\n/usr/bin/bash\n/bin/sh\n");
    EXPECT_EQ(list, (std::vector<std::string>{"usr", "usr/bin", "usr/bin/bash", "bin/sh"}));
    const auto sums = parse_dpkg_file_list(
        "7e5b2d3ab1ab4d8f0c8f0ec1f2aba1ec  usr/bin/bash\n"
        "0d3b46d5a4b7a1cc1a0c3b5a5aa1b7c2  usr/share/doc/bash/README\n");
    EXPECT_EQ(sums, (std::vector<std::string>{"usr/bin/bash", "usr/share/doc/bash/README"}));
}

}  // namespace
}  // namespace wharf::scan
