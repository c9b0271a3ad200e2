#include <gtest/gtest.h>

#include <optional>

#include "scan/layer/layer.hpp"

namespace wharf::scan::layer {
namespace {

struct Case {
    const char* path;
    bool executable;
    std::optional<FileKind> kind;
};

using K = FileKind;
constexpr auto none = std::nullopt;

TEST(Classify, Table) {
    const Case cases[] = {
        // OS identification and package databases
        {"etc/os-release", false, K::os_release},
        {"usr/lib/os-release", false, K::os_release},
        {"usr/etc/os-release", false, none},
        {"var/lib/dpkg/status", false, K::dpkg_status},
        {"var/lib/dpkg/status-old", false, none},
        {"var/lib/dpkg/status.d/base", false, K::dpkg_status_d},
        {"var/lib/dpkg/status.d/base.md5sums", false, K::dpkg_file_list},
        {"var/lib/dpkg/status.d/sub/base", false, none},
        {"var/lib/dpkg/info/libc6:amd64.list", false, K::dpkg_file_list},
        {"var/lib/dpkg/info/bash.md5sums", false, K::dpkg_file_list},
        {"var/lib/dpkg/info/bash.postinst", false, none},
        {"var/lib/dpkg/info/.list", false, none},
        {"lib/apk/db/installed", false, K::apk_installed},
        {"usr/lib/apk/db/installed", false, K::apk_installed},
        {"lib/apk/db/installed.bak", false, none},
        {"var/lib/rpm/rpmdb.sqlite", false, K::rpm_sqlite},
        {"usr/lib/sysimage/rpm/rpmdb.sqlite", false, K::rpm_sqlite},
        {"usr/share/rpm/rpmdb.sqlite", false, K::rpm_sqlite},
        {"var/lib/rpm/Packages", false, K::rpm_bdb},
        {"usr/lib/sysimage/rpm/Packages.db", false, K::rpm_ndb},
        {"usr/share/rpm/Packages", false, K::rpm_bdb},
        {"opt/rpm/Packages", false, none},
        {"var/lib/rpm/Packages", true, K::rpm_bdb},  // path rules win over the exec bit
        // Python
        {"usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", false,
         K::python_metadata},
        {"site-packages/six-1.16.egg-info/PKG-INFO", false, K::python_metadata},
        {"site-packages/six-1.16.egg-info", false, K::python_metadata},
        {"site-packages/.dist-info/METADATA", false, none},
        {"site-packages/x.dist-info/RECORD", false, none},
        {"site-packages/x.egg-info/METADATA", false, none},
        {"site-packages/x.dist-info/PKG-INFO", false, none},
        // npm
        {"node_modules/a/package.json", false, K::npm_package_json},
        {"app/node_modules/a/package.json", false, K::npm_package_json},
        {"node_modules/a/node_modules/b/package.json", false, K::npm_package_json},
        {"node_modules/@scope/name/package.json", false, K::npm_package_json},
        {"x/node_modules/@scope/name/package.json", false, K::npm_package_json},
        {"node_modules/a/lib/package.json", false, none},
        {"node_modules/@scope/package.json", false, none},
        {"node_modules/package.json", false, none},
        {"app/package.json", false, none},
        {"package.json", false, none},
        {"node_modules/@scope/name/lib/package.json", false, none},
        {"@scope/name/package.json", false, none},
        {"package-lock.json", false, K::npm_lock},
        {"app/package-lock.json", false, K::npm_lock},
        {"app/node_modules/a/package-lock.json", false, none},
        {"node_modules/package-lock.json", false, none},
        // Rust
        {"src/app/Cargo.lock", false, K::cargo_lock},
        {"Cargo.lock", false, K::cargo_lock},
        {"Cargo.toml", false, none},
        // Java
        {"opt/app/app.jar", false, K::jar},
        {"opt/app/APP.JAR", false, K::jar},
        {"webapps/root.war", false, K::jar},
        {"deploy/app.ear", false, K::jar},
        {"opt/app/.jar", false, none},
        {"opt/app/app.jar.sha1", false, none},
        {"opt/app/app.jar", true, K::jar},
        // Executables
        {"usr/bin/app", true, K::executable},
        {"usr/bin/app", false, none},
        {"etc/passwd", false, none},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(classify(c.path, c.executable), c.kind) << c.path << " exec=" << c.executable;
    }
}

}  // namespace
}  // namespace wharf::scan::layer
