#include <gtest/gtest.h>

#include <sstream>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

constexpr std::string_view kMetadata = R"(Metadata-Version: 2.1
Name: requests
Version: 2.31.0
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
Author-email: me@kennethreitz.org
License: Apache 2.0
Project-URL: Source, https://github.com/psf/requests
Classifier: Development Status :: 5 - Production/Stable
Requires-Python: >=3.7
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: charset-normalizer (<4,>=2)
Requires-Dist: idna (<4,>=2.5)

# Requests

Name: not-this
Version: 0.0.0
)";

// setuptools' egg-info PKG-INFO, with a folded License header.
constexpr std::string_view kPkgInfo =
    "Metadata-Version: 1.1\r\n"
    "Name: Jinja2\r\n"
    "Version: 2.10.1\r\n"
    "Summary: A small but fast and easy to use stand-alone "
    "template engine\r\n"
    "License: BSD-3-Clause and\r\n"
    "        some more text\r\n"
    "Description: Jinja2\r\n"
    "        ~~~~~~\r\n"
    "        Version: 9.9.9\r\n";

TEST(PythonMetadata, DistInfoMetadata) {
    const auto pkg = parse_python_metadata(kMetadata);
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->type, PackageType::pypi);
    EXPECT_EQ(pkg->name, "requests");
    EXPECT_EQ(pkg->version, "2.31.0");
    EXPECT_EQ(pkg->license, "Apache 2.0");
}

TEST(PythonMetadata, EggInfoPkgInfo) {
    const auto pkg = parse_python_metadata(kPkgInfo);
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->name, "Jinja2");  // kept as written
    EXPECT_EQ(pkg->version, "2.10.1");
    EXPECT_EQ(pkg->license, "BSD-3-Clause and");
}

TEST(PythonMetadata, LicenseExpressionWins) {
    const auto pkg = parse_python_metadata(
        "Metadata-Version: 2.4\nLicense: free text\nName: x\nVersion: 1\nLicense-Expression: "
        "MIT\n");
    ASSERT_TRUE(pkg);
    EXPECT_EQ(pkg->license, "MIT");
}

TEST(PythonMetadata, MissingNameOrVersion) {
    EXPECT_FALSE(parse_python_metadata(""));
    EXPECT_FALSE(parse_python_metadata("Name: x\n"));
    EXPECT_FALSE(parse_python_metadata("Version: 1\n"));
    EXPECT_FALSE(parse_python_metadata("\nName: x\nVersion: 1\n"));  // body, not headers
    EXPECT_FALSE(parse_python_metadata("Name:\nVersion: 1\n"));
}

TEST(PythonMetadata, NormalizePypiName) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {"requests", "requests"},
        {"Django", "django"},
        {"typing_extensions", "typing-extensions"},
        {"zope.interface", "zope-interface"},
        {"Foo__Bar--baz..Qux", "foo-bar-baz-qux"},
        {"a-_.-b", "a-b"},
        {"PyYAML", "pyyaml"},
        {"-leading", "-leading"},
        {"", ""},
    };
    for (const auto& [in, out] : cases) {
        EXPECT_EQ(normalize_pypi_name(in), out) << in;
    }
}

TEST(PythonMetadata, SitePackagesFixtureRoundTrips) {
    const auto tsv = test_util::read_fixture(
        WHARF_VULNDB_DIR "/fixtures/python311-site-packages.tsv");
    std::istringstream in(tsv);
    std::string line;
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line.starts_with("#") || line.starts_with("name\t")) {
            continue;
        }
        const auto tab1 = line.find('\t');
        const auto tab2 = line.find('\t', tab1 + 1);
        ASSERT_NE(tab2, std::string::npos) << line;
        const auto name = line.substr(0, tab1);
        const auto version = line.substr(tab1 + 1, tab2 - tab1 - 1);
        const auto dir = line.substr(tab2 + 1);
        const std::string metadata = "Metadata-Version: 2.1\nName: " + name +
                                     "\nVersion: " + version +
                                     "\nSummary: test\nRequires-Dist: x\n\nLong text\n";
        const auto pkg = parse_python_metadata(metadata);
        ASSERT_TRUE(pkg) << line;
        EXPECT_EQ(pkg->name, name);
        EXPECT_EQ(pkg->version, version);
        // The dist-info directory spells the name its own way; both normalise alike.
        const auto suffix = "-" + version + ".dist-info";
        ASSERT_TRUE(dir.ends_with(suffix)) << dir;
        EXPECT_EQ(normalize_pypi_name(dir.substr(0, dir.size() - suffix.size())),
                  normalize_pypi_name(name))
            << line;
        ++rows;
    }
    EXPECT_GT(rows, 80u);
}

}  // namespace
}  // namespace wharf::scan
