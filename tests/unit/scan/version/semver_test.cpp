// compare_semver (semver.org section 11) and compare_go (golang.org/x/mod/semver spellings).
#include <gtest/gtest.h>

#include "scan/version/version.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Semver, Table) {
    const Case cases[] = {
        // semver.org's examples
        {"1.0.0", "2.0.0", -1},
        {"2.0.0", "2.1.0", -1},
        {"2.1.0", "2.1.1", -1},
        {"1.0.0-alpha", "1.0.0-alpha.1", -1},
        {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
        {"1.0.0-alpha.beta", "1.0.0-beta", -1},
        {"1.0.0-beta", "1.0.0-beta.2", -1},
        {"1.0.0-beta.2", "1.0.0-beta.11", -1},
        {"1.0.0-beta.11", "1.0.0-rc.1", -1},
        {"1.0.0-rc.1", "1.0.0", -1},
        // build metadata ignored; "v" accepted
        {"1.0.0+build.1", "1.0.0+build.2", 0},
        {"1.0.0-rc.1+x", "1.0.0-rc.1", 0},
        {"v1.2.3", "1.2.3", 0},
        // numbers compare numerically, of any length; identifiers ASCII
        {"1.10.0", "1.9.0", 1},
        {"1.0.0-2", "1.0.0-10", -1},
        {"1.0.0-10", "1.0.0-a", -1},
        {"1.0.0-A", "1.0.0-a", -1},
        {"1.0.0-a-b", "1.0.0-a", 1},
        {"1.0.0-0a", "1.0.0-1", 1},  // "0a" is alphanumeric
        {"123456789012345678901234567890.0.0", "123456789012345678901234567891.0.0", -1},
        {"1.0.0-99999999999999999999999", "1.0.0-100000000000000000000000", -1},
    };
    testing::expect_table([](auto a, auto b) { return compare_semver(a, b); }, cases);
}

TEST(Semver, NotVersions) {
    for (const char* bad :
         {"",          "1",      "1.2",      "1.2.3.4",       "01.2.3", "1.02.3",
          "1.2.03",    "1.2.3-", "1.2.3-01", "1.2.3-a..b",    "1.2.3+", "1.2.3+a..b",
          "1.2.3-a_b", "V1.2.3", "vv1.2.3",  "=1.2.3",        " 1.2.3", "1.2.3 ",
          "a.b.c",     "1.2.x",  "-1.2.3",   "1.2.3-\xc3\xa9"}) {
        EXPECT_EQ(compare_semver(bad, "1.0.0"), std::nullopt) << bad;
    }
    EXPECT_EQ(compare_semver("1.0.0-00a", "1.0.0"), -1);  // alphanumeric may start with zeros
}

TEST(Go, Table) {
    const Case cases[] = {
        {"v1.2.3", "1.2.3", 0},
        {"v1.2.3+incompatible", "v1.2.3", 0},
        {"v2.0.0+incompatible", "v1.9.9", 1},
        {"v1", "v1.0.0", 0},
        {"v1.2", "v1.2.0", 0},
        {"1.2", "1.2.0", 0},
        // pseudo-versions are pre-releases, ordered by their timestamps
        {"v0.0.0-20230101120000-abcdef123456", "v0.0.0-20230202120000-123456abcdef", -1},
        {"v0.0.0-20230101120000-abcdef123456", "v0.0.1", -1},
        {"v1.2.4-0.20230101120000-abcdef123456", "v1.2.3", 1},
        {"v1.2.4-0.20230101120000-abcdef123456", "v1.2.4", -1},
        {"v1.2.4-pre.0.20230101120000-abcdef123456", "v1.2.4-pre", 1},
        {"v1.2.4-pre.0.20230101120000-abcdef123456", "v1.2.4-pre.1", -1},
        {"v0.38.0", "v0.4.0", 1},
    };
    testing::expect_table([](auto a, auto b) { return compare_go(a, b); }, cases);
}

TEST(Go, NotVersions) {
    for (const char* bad : {"", "v", "v1.2.3.4", "v01.2.3", "v1-pre", "v1.2-pre", "v1.2+meta",
                            "v1.2.3-", "latest", "master"}) {
        EXPECT_EQ(compare_go(bad, "v1.0.0"), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace wharf::scan::version
