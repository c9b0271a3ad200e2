#include <gtest/gtest.h>

#include <algorithm>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

using test_util::find;

std::vector<std::string> ids(const std::vector<Package>& packages) {
    std::vector<std::string> out;
    for (const auto& p : packages) {
        out.push_back(p.name + "@" + p.version);
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(NpmPackageJson, InstalledPackage) {
    const auto pkg = parse_npm_package_json(R"({
      "name": "@babel/core",
      "version": "7.23.2",
      "description": "Babel compiler core.",
      "license": "MIT",
      "dependencies": {"@babel/generator": "^7.23.0"}
    })");
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->type, PackageType::npm);
    EXPECT_EQ(pkg->name, "@babel/core");
    EXPECT_EQ(pkg->version, "7.23.2");
    EXPECT_EQ(pkg->license, "MIT");
}

TEST(NpmPackageJson, LegacyLicenseShapesAndRefusals) {
    auto pkg = parse_npm_package_json(R"({"name":"a","version":"1.0.0","license":{"type":"ISC"}})");
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->license, "ISC");
    pkg = parse_npm_package_json(R"({"name":"b","version":"1.0.0","licenses":[{"type":"BSD"}]})");
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->license, "BSD");
    EXPECT_FALSE(parse_npm_package_json(R"({"name":"a"})"));
    EXPECT_FALSE(parse_npm_package_json(R"({"name":"a","version":1})"));
    EXPECT_FALSE(parse_npm_package_json(R"(["name","version"])"));
    EXPECT_FALSE(parse_npm_package_json("{"));
    EXPECT_FALSE(parse_npm_package_json(std::string(100000, '[')));
}

// npm 6 (lockfileVersion 1): nested dependencies mirror node_modules.
constexpr std::string_view kLockV1 = R"({
  "name": "web",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "@babel/code-frame": {
      "version": "7.22.13",
      "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.22.13.tgz",
      "integrity": "sha512-AAA=",
      "dev": true,
      "requires": {"chalk": "^2.4.2"},
      "dependencies": {
        "chalk": {
          "version": "2.4.2",
          "resolved": "https://registry.npmjs.org/chalk/-/chalk-2.4.2.tgz",
          "integrity": "sha512-BBB=",
          "dependencies": {
            "ansi-styles": {"version": "3.2.1", "integrity": "sha512-CCC="}
          }
        }
      }
    },
    "chalk": {"version": "4.1.2", "integrity": "sha512-DDD="},
    "lodash": {"version": "4.17.21", "integrity": "sha512-EEE="},
    "local-lib": {"version": "file:../local-lib"},
    "ansi-styles": {"version": "3.2.1", "integrity": "sha512-CCC="}
  }
})";

TEST(NpmPackageLock, Version1Nested) {
    EXPECT_EQ(ids(parse_npm_package_lock(kLockV1)),
              (std::vector<std::string>{"@babel/code-frame@7.22.13", "ansi-styles@3.2.1",
                                        "chalk@2.4.2", "chalk@4.1.2", "lodash@4.17.21"}));
}

// npm 7/8 (lockfileVersion 2): "packages" plus the v1 "dependencies" for old clients; a
// workspace member, its link, and nested installs.
constexpr std::string_view kLockV2 = R"({
  "name": "monorepo",
  "version": "0.0.0",
  "lockfileVersion": 2,
  "requires": true,
  "packages": {
    "": {"name": "monorepo", "version": "0.0.0", "workspaces": ["packages/*"]},
    "node_modules/@babel/core": {"version": "7.23.2", "license": "MIT", "dev": true},
    "node_modules/@babel/core/node_modules/semver": {"version": "6.3.1", "license": "ISC"},
    "node_modules/semver": {"version": "7.5.4", "license": "ISC"},
    "node_modules/utils": {"resolved": "packages/utils", "link": true},
    "packages/utils": {"name": "utils", "version": "1.0.0"},
    "node_modules/string-width-cjs": {"name": "string-width", "version": "4.2.3"}
  },
  "dependencies": {
    "@babel/core": {"version": "7.23.2"},
    "should-not-be-read": {"version": "9.9.9"}
  }
})";

TEST(NpmPackageLock, Version2PrefersPackages) {
    const auto packages = parse_npm_package_lock(kLockV2);
    EXPECT_EQ(ids(packages), (std::vector<std::string>{"@babel/core@7.23.2", "semver@6.3.1",
                                                       "semver@7.5.4", "string-width@4.2.3"}));
    const Package* core = find(packages, "@babel/core");
    ASSERT_NE(core, nullptr);
    EXPECT_EQ(core->license, "MIT");
}

// npm 9+ (lockfileVersion 3): "packages" only.
constexpr std::string_view kLockV3 = R"({
  "name": "api",
  "version": "2.1.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "api", "version": "2.1.0", "dependencies": {"express": "^4.18.2"}},
    "node_modules/express": {"version": "4.18.2", "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz"},
    "node_modules/@types/node": {"version": "20.8.7", "dev": true},
    "node_modules/body-parser/node_modules/debug": {"version": "2.6.9"},
    "node_modules/debug": {"version": "2.6.9"},
    "node_modules/no-version": {},
    "node_modules/odd": "not an object"
  }
})";

TEST(NpmPackageLock, Version3) {
    EXPECT_EQ(ids(parse_npm_package_lock(kLockV3)),
              (std::vector<std::string>{"@types/node@20.8.7", "debug@2.6.9", "express@4.18.2"}));
}

TEST(NpmPackageLock, Garbage) {
    EXPECT_TRUE(parse_npm_package_lock("").empty());
    EXPECT_TRUE(parse_npm_package_lock("[]").empty());
    EXPECT_TRUE(parse_npm_package_lock(R"({"packages": []})").empty());
    EXPECT_TRUE(parse_npm_package_lock(R"({"dependencies": {"a": {"version": 1}}})").empty());
    // Deep nesting is refused before the JSON library sees it.
    std::string deep = R"({"dependencies":)";
    for (int i = 0; i < 5000; ++i) {
        deep += R"({"a":{"version":"1","dependencies":)";
    }
    EXPECT_TRUE(parse_npm_package_lock(deep).empty());
}

}  // namespace
}  // namespace wharf::scan
