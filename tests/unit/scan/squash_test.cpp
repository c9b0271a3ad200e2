// Folding analysed layers into an image inventory: whiteouts and opaque directories apply to
// lower layers only, os-release through a symlink, language packages the OS owns are dropped,
// each package is attributed to the layer that introduced it; and the JSON round trips.
#include <gtest/gtest.h>

#include "scan/inventory.hpp"

namespace wharf::scan {
namespace {

using layer::FileKind;

Package deb(std::string name, std::string version, std::string source = "") {
    Package p;
    p.type = PackageType::deb;
    p.name = std::move(name);
    p.version = std::move(version);
    p.source_name = std::move(source);
    return p;
}

Package pypi(std::string name, std::string version, std::string path) {
    Package p;
    p.type = PackageType::pypi;
    p.name = std::move(name);
    p.version = std::move(version);
    p.found_in = std::move(path);
    return p;
}

LayerEntry entry(std::string path, FileKind kind, std::vector<Package> packages = {}) {
    return LayerEntry{std::move(path), kind, std::move(packages), std::nullopt, {}};
}

LayerEntry os_entry(std::string path, std::string id, std::string version) {
    LayerEntry e{std::move(path), FileKind::os_release, {}, OsRelease{}, {}};
    e.os->id = std::move(id);
    e.os->version_id = std::move(version);
    return e;
}

std::vector<std::string> names(const Inventory& inv) {
    std::vector<std::string> out;
    for (const Package& p : inv.packages) {
        out.push_back(p.name + "@" + p.version);
    }
    return out;
}

TEST(Squash, LaterDatabaseReplacesEarlierAndAttributesPackagesToTheirFirstLayer) {
    LayerRecord base;
    base.symlinks["etc/os-release"] = "../usr/lib/os-release";
    base.entries.push_back(os_entry("usr/lib/os-release", "debian", "12"));
    base.entries.push_back(entry("var/lib/dpkg/status", FileKind::dpkg_status,
                                 {deb("libc6", "2.36-9", "glibc"), deb("zlib1g", "1:1.2.13")}));
    LayerRecord app;
    app.entries.push_back(entry("var/lib/dpkg/status", FileKind::dpkg_status,
                                {deb("libc6", "2.36-9", "glibc"), deb("zlib1g", "1:1.2.13"),
                                 deb("curl", "7.88.1-10")}));
    const std::vector<LayerRecord> layers{base, app};
    const std::vector<std::string> digests{"sha256:base", "sha256:app"};
    const Inventory inv = squash(layers, digests);
    ASSERT_TRUE(inv.os);
    EXPECT_EQ(inv.os->id, "debian");
    EXPECT_EQ(names(inv), (std::vector<std::string>{"libc6@2.36-9", "zlib1g@1:1.2.13",
                                                    "curl@7.88.1-10"}));
    EXPECT_EQ(inv.layers, (std::vector<std::string>{"sha256:base", "sha256:base", "sha256:app"}));
}

TEST(Squash, WhiteoutsAndOpaqueDirectoriesApplyToLowerLayersOnly) {
    LayerRecord base;
    base.entries.push_back(entry("var/lib/dpkg/status", FileKind::dpkg_status, {deb("a", "1")}));
    base.entries.push_back(entry("usr/lib/python3/site/x.dist-info/METADATA",
                                 FileKind::python_metadata,
                                 {pypi("x", "1.0", "usr/lib/python3/site/x.dist-info/METADATA")}));
    LayerRecord top;
    top.whiteouts.push_back("var/lib/dpkg/status");
    top.opaque_dirs.push_back("usr/lib/python3/site");
    // The layer's own content under the opaque dir survives.
    top.entries.push_back(entry("usr/lib/python3/site/y.dist-info/METADATA",
                                FileKind::python_metadata,
                                {pypi("y", "2.0", "usr/lib/python3/site/y.dist-info/METADATA")}));
    const std::vector<LayerRecord> layers{base, top};
    const std::vector<std::string> digests{"sha256:1", "sha256:2"};
    EXPECT_EQ(names(squash(layers, digests)), (std::vector<std::string>{"y@2.0"}));
}

TEST(Squash, AWhiteoutOfADirectoryRemovesEverythingBelowIt) {
    LayerRecord base;
    base.entries.push_back(entry("app/node_modules/left-pad/package.json",
                                 FileKind::npm_package_json,
                                 {pypi("left-pad", "1.0", "app/node_modules/left-pad/package.json")}));
    LayerRecord top;
    top.whiteouts.push_back("app/node_modules");
    const std::vector<LayerRecord> layers{base, top};
    const std::vector<std::string> digests{"sha256:1", "sha256:2"};
    EXPECT_TRUE(squash(layers, digests).packages.empty());
}

TEST(Squash, LanguagePackagesTheOsOwnsAreNotReportedTwice) {
    LayerRecord layer;
    layer.entries.push_back(entry("var/lib/dpkg/status", FileKind::dpkg_status,
                                  {deb("python3-requests", "2.28.1+dfsg-1", "requests")}));
    LayerEntry list{"var/lib/dpkg/info/python3-requests.list", FileKind::dpkg_file_list, {}, {},
                    {"usr/lib/python3/dist-packages/requests-2.28.1.egg-info"}};
    layer.entries.push_back(list);
    layer.entries.push_back(entry(
        "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO",
        FileKind::python_metadata,
        {pypi("requests", "2.28.1",
              "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO")}));
    layer.entries.push_back(entry(
        "usr/local/lib/python3.11/site-packages/urllib3-1.26.0.dist-info/METADATA",
        FileKind::python_metadata,
        {pypi("urllib3", "1.26.0",
              "usr/local/lib/python3.11/site-packages/urllib3-1.26.0.dist-info/METADATA")}));
    const std::vector<LayerRecord> layers{layer};
    const std::vector<std::string> digests{"sha256:1"};
    EXPECT_EQ(names(squash(layers, digests)),
              (std::vector<std::string>{"python3-requests@2.28.1+dfsg-1", "urllib3@1.26.0"}));
}

TEST(Squash, DistrolessStatusDirectoryCountsAsTheDatabase) {
    LayerRecord layer;
    layer.entries.push_back(entry("var/lib/dpkg/status.d/libc6", FileKind::dpkg_status_d,
                                  {deb("libc6", "2.36-9", "glibc")}));
    layer.entries.push_back(entry("var/lib/dpkg/status.d/zlib1g", FileKind::dpkg_status_d,
                                  {deb("zlib1g", "1:1.2.13")}));
    const std::vector<LayerRecord> layers{layer};
    const std::vector<std::string> digests{"sha256:1"};
    EXPECT_EQ(squash(layers, digests).packages.size(), 2u);
}

TEST(Squash, LayerRecordAndInventoryRoundTripThroughJson) {
    LayerRecord r;
    r.whiteouts = {"a/b"};
    r.opaque_dirs = {"c"};
    r.symlinks["etc/os-release"] = "../usr/lib/os-release";
    r.notes = {"x: skipped"};
    r.entries.push_back(os_entry("usr/lib/os-release", "alpine", "3.19.1"));
    r.entries.push_back(entry("lib/apk/db/installed", FileKind::apk_installed,
                              {deb("musl", "1.2.4-r2", "musl")}));
    r.entries.back().packages[0].type = PackageType::apk;
    r.entries.back().packages[0].files = {"lib/ld-musl-x86_64.so.1"};
    auto back = layer_record_from_json(to_json(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(to_json(*back), to_json(r));

    const std::vector<LayerRecord> layers{r};
    const std::vector<std::string> digests{"sha256:1"};
    const Inventory inv = squash(layers, digests);
    auto inv_back = inventory_from_json(to_json(inv));
    ASSERT_TRUE(inv_back);
    EXPECT_EQ(to_json(*inv_back), to_json(inv));
    EXPECT_EQ(inv_back->packages[0].type, PackageType::apk);

    EXPECT_FALSE(layer_record_from_json(nlohmann::json::array()));
    EXPECT_FALSE(inventory_from_json(nlohmann::json{{"packages", 3}}));
}

}  // namespace
}  // namespace wharf::scan
