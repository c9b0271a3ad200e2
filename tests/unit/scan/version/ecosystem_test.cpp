// scheme_for_ecosystem over OSV's ecosystem names, and compare() dispatching to each scheme.
#include <gtest/gtest.h>

#include "scan/version/version.hpp"

namespace wharf::scan::version {
namespace {

TEST(Ecosystem, KnownNames) {
    EXPECT_EQ(scheme_for_ecosystem("Debian:12"), Scheme::dpkg);
    EXPECT_EQ(scheme_for_ecosystem("Debian"), Scheme::dpkg);
    EXPECT_EQ(scheme_for_ecosystem("Alpine:v3.19"), Scheme::apk);
    EXPECT_EQ(scheme_for_ecosystem("Red Hat"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("Red Hat:enterprise_linux:9::appstream"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("Rocky Linux:9"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("AlmaLinux:9"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("openSUSE"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("SUSE:Linux Enterprise Server 15 SP5"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("Mageia:9"), Scheme::rpm);
    EXPECT_EQ(scheme_for_ecosystem("npm"), Scheme::semver);
    EXPECT_EQ(scheme_for_ecosystem("crates.io"), Scheme::semver);
    EXPECT_EQ(scheme_for_ecosystem("Go"), Scheme::go);
    EXPECT_EQ(scheme_for_ecosystem("PyPI"), Scheme::pep440);
    EXPECT_EQ(scheme_for_ecosystem("Maven"), Scheme::maven);
}

TEST(Ecosystem, UnknownNames) {
    EXPECT_EQ(scheme_for_ecosystem(""), std::nullopt);
    EXPECT_EQ(scheme_for_ecosystem("debian"), std::nullopt);  // OSV names are case-sensitive
    EXPECT_EQ(scheme_for_ecosystem("RubyGems"), std::nullopt);
    EXPECT_EQ(scheme_for_ecosystem("GIT"), std::nullopt);
    EXPECT_EQ(scheme_for_ecosystem(":12"), std::nullopt);
}

TEST(Ecosystem, CompareDispatches) {
    EXPECT_EQ(compare(Scheme::dpkg, "1.0~rc1", "1.0"), -1);
    EXPECT_EQ(compare(Scheme::apk, "1.0_rc1", "1.0"), -1);
    EXPECT_EQ(compare(Scheme::rpm, "1.0~rc1", "1.0"), -1);
    EXPECT_EQ(compare(Scheme::semver, "1.0.0-rc.1", "1.0.0"), -1);
    EXPECT_EQ(compare(Scheme::go, "v1.0.0-rc.1", "1.0.0"), -1);
    EXPECT_EQ(compare(Scheme::pep440, "1.0rc1", "1.0"), -1);
    EXPECT_EQ(compare(Scheme::maven, "1.0-rc1", "1.0"), -1);
    EXPECT_EQ(compare(Scheme::semver, "not a version", "1.0.0"), std::nullopt);
}

}  // namespace
}  // namespace wharf::scan::version
