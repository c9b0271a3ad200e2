// SBOM documents and package URLs (purl-spec forms from SCANNING-NOTES.md section 4.5).
#include <gtest/gtest.h>

#include "scan/sbom.hpp"

namespace wharf::scan {
namespace {

Package pkg(PackageType type, std::string name, std::string version) {
    Package p;
    p.type = type;
    p.name = std::move(name);
    p.version = std::move(version);
    return p;
}

TEST(Purl, OneFormPerEcosystem) {
    OsRelease debian{"debian", "12", "bookworm", ""};
    Package libc = pkg(PackageType::deb, "libc6", "2.36-9+deb12u14");
    libc.arch = "amd64";
    libc.source_name = "glibc";
    EXPECT_EQ(purl(libc, debian),
              "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc");
    OsRelease alpine{"alpine", "3.19.1", "", ""};
    Package busybox = pkg(PackageType::apk, "busybox", "1.36.1-r15");
    busybox.arch = "x86_64";
    EXPECT_EQ(purl(busybox, alpine), "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19");
    Package ssl = pkg(PackageType::rpm, "openssl", "1:3.0.7-27.el9");
    ssl.arch = "x86_64";
    EXPECT_EQ(purl(ssl, OsRelease{"rhel", "9", "", ""}),
              "pkg:rpm/rhel/openssl@3.0.7-27.el9?arch=x86_64&distro=rhel-9&epoch=1");
    EXPECT_EQ(purl(pkg(PackageType::npm, "@babel/core", "7.0.0"), std::nullopt),
              "pkg:npm/%40babel/core@7.0.0");
    EXPECT_EQ(purl(pkg(PackageType::pypi, "Jinja2", "3.1.2"), std::nullopt),
              "pkg:pypi/jinja2@3.1.2");
    EXPECT_EQ(purl(pkg(PackageType::golang, "golang.org/x/net", "v0.17.0"), std::nullopt),
              "pkg:golang/golang.org/x/net@v0.17.0");
    EXPECT_EQ(purl(pkg(PackageType::cargo, "hyper", "0.14.27"), std::nullopt),
              "pkg:cargo/hyper@0.14.27");
    EXPECT_EQ(purl(pkg(PackageType::maven, "org.apache.logging.log4j:log4j-core", "2.14.1"),
                   std::nullopt),
              "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
}

TEST(Sbom, SpdxAndCycloneDxDescribeTheImageAndEveryPackage) {
    Inventory inv;
    inv.os = OsRelease{"debian", "12", "bookworm", ""};
    inv.packages = {pkg(PackageType::deb, "zlib1g", "1:1.2.13"),
                    pkg(PackageType::pypi, "requests", "2.31.0")};
    inv.layers = {"sha256:aa", "sha256:bb"};
    const SbomSubject image{"team/app", "sha256:0123", "registry.example", "2026-11-22T00:00:00Z",
                            "wharf-test"};
    const auto spdx = spdx_document(inv, image);
    EXPECT_EQ(spdx["spdxVersion"], "SPDX-2.3");
    EXPECT_EQ(spdx["dataLicense"], "CC0-1.0");
    ASSERT_EQ(spdx["packages"].size(), 4u);  // image, OS, two packages
    EXPECT_EQ(spdx["packages"][0]["primaryPackagePurpose"], "CONTAINER");
    EXPECT_EQ(spdx["packages"][3]["externalRefs"][0]["referenceLocator"],
              "pkg:pypi/requests@2.31.0");
    EXPECT_EQ(spdx["relationships"].size(), 4u);
    const auto cdx = cyclonedx_document(inv, image);
    EXPECT_EQ(cdx["bomFormat"], "CycloneDX");
    EXPECT_EQ(cdx["specVersion"], "1.5");
    EXPECT_EQ(cdx["metadata"]["component"]["type"], "container");
    EXPECT_EQ(cdx["components"].size(), 3u);
    EXPECT_EQ(cdx["dependencies"][0]["dependsOn"].size(), 3u);
    // Deterministic: the same input gives the same bytes (a re-scan stores nothing new).
    EXPECT_EQ(cyclonedx_document(inv, image).dump(), cdx.dump());
    EXPECT_EQ(spdx_document(inv, image).dump(), spdx.dump());
}

}  // namespace
}  // namespace wharf::scan
