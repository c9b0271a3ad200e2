// compare_apk: cases in the style of apk-tools' test/unit/version.data, and the strings apk
// refuses.
#include <gtest/gtest.h>

#include <limits>

#include "scan/version/version.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Apk, Table) {
    const Case cases[] = {
        // suffixes: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p
        {"1.0_alpha", "1.0_beta", -1},
        {"1.0_beta", "1.0_pre", -1},
        {"1.0_pre", "1.0_rc", -1},
        {"1.0_rc", "1.0", -1},
        {"1.0", "1.0_cvs", -1},
        {"1.0_cvs", "1.0_svn", -1},
        {"1.0_svn", "1.0_git", -1},
        {"1.0_git", "1.0_hg", -1},
        {"1.0_hg", "1.0_p1", -1},
        {"1.0", "1.0_p1", -1},
        {"1.0_alpha", "1.0_alpha1", -1},
        {"1.0_alpha2", "1.0_alpha10", -1},
        {"1.0_rc1", "1.0_rc1_p1", -1},
        {"1.0_rc1_pre2", "1.0_rc1", -1},
        // letter after the digits
        {"1.2.3a", "1.2.3", 1},
        {"1.2.3a", "1.2.3b", -1},
        {"1.2.3a", "1.2.4", -1},
        {"1.2a", "1.2.1", -1},
        {"2.3.0b-r1", "2.3.0b-r2", -1},
        // revisions last, numerically
        {"1.0-r1", "1.0-r2", -1},
        {"1.0-r9", "1.0-r10", -1},
        {"1.0", "1.0-r0", -1},
        {"1.0-r1", "1.0.1", -1},
        {"1.0_p1-r0", "1.0-r5", 1},
        // commit hashes: after the version, before the revision
        {"1.0~1234", "1.0~2345", -1},
        {"1.0~1234-r1", "1.0~2345-r0", -1},
        {"1.0~1234-r1", "1.0~1234-r0", 1},
        {"1.0", "1.0~abc", -1},
        // numbers
        {"1.10", "1.9", 1},
        {"2.34", "0.1.0_alpha", 1},
        {"23_foo", "4_beta", std::numeric_limits<int>::min()},  // _foo is not a suffix
        {"0.1.0_alpha", "0.1.0_alpha", 0},
        {"0.1.0_alpha2", "0.1.0_alpha", 1},
        {"4.8-r1", "3.10.18-r1", 1},
        {"1.0.4-r3", "1.0.4-r4", -1},
        {"0.12.3", "0.12", 1},
        {"1.01", "1.1", -1},  // a leading zero after a dot compares as text (Gentoo)
        {"1.010", "1.01", 1},
        {"1.0", "1.00", -1},
        {"01.1", "1.1", 0},  // not the first number
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"1.123456789012345678901234567890", "1.99", 1},
        {"1.0_p18446744073709551616", "1.0_p18446744073709551615", 1},
    };
    for (const auto& c : cases) {
        if (c.expected == std::numeric_limits<int>::min()) {
            EXPECT_EQ(compare_apk(c.a, c.b), std::nullopt) << c.a << " vs " << c.b;
            continue;
        }
        EXPECT_EQ(sign(compare_apk(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
        EXPECT_EQ(sign(compare_apk(c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
    }
}

TEST(Apk, ValidVersions) {
    for (const char* good :
         {"1.2", "0", "0.1_pre2", "0.1_pre2~1234abcd", "0.1_p1_pre2", "0.1_alpha1_pre2",
          "0.1_git20240101_pre1", "1.2.3a-r0", "1a", "1.0~0-r0"}) {
        EXPECT_EQ(compare_apk(good, good), 0) << good;
    }
}

TEST(Apk, RefusedVersions) {
    // apk_version_validate refuses these; the comparison does not guess.
    for (const char* bad : {"",
                            "0.1bc",
                            "0.1bc1",
                            "0.1a1",
                            "0.1a.1",
                            "0.1_pre2~",
                            "0.1_pre2~1234xbcd",
                            "0.1_pre2~1234abcd_pre1",
                            "0.1_pre2-r1~1234xbcd",
                            "0.1_foobar",
                            "0.1_foobar1",
                            "0.1-pre1.1",
                            "0.1-r",
                            "0.1-r2_pre1",
                            "0.1-r2_p3_pre1",
                            "0.1-r2-r3",
                            "0.1-r2.1",
                            ".1",
                            "a",
                            "_pre1",
                            "-r1",
                            "0.1_",
                            "0.1_-r0",
                            "0.1__alpha",
                            "0.1_1_alpha",
                            "1.0A",
                            "1.0 ",
                            "1.0-R1",
                            "1.0~ABC"}) {
        EXPECT_EQ(compare_apk(bad, "1.0"), std::nullopt) << bad;
        EXPECT_EQ(compare_apk("1.0", bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace wharf::scan::version
