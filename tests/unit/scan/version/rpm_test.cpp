// compare_rpm: a table of cases, then thousands of generated and hand-written strings checked
// against librpm's own rpmvercmp (one field) and rpmverCmp (whole EVRs).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "scan/version/version.hpp"
#include "unit/scan/version/oracle.hpp"

#ifdef WHARF_HAVE_RPMIO
#include <rpm/rpmver.h>
#endif

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Rpm, Table) {
    const Case cases[] = {
        {"1.0", "1.0", 0},
        {"1.0", "1.1", -1},
        {"1.0.1", "1.0", 1},
        {"1.10", "1.9", 1},
        {"1.01", "1.1", 0},
        {"1.0a", "1.0", 1},
        {"1.0a", "1.0.1", -1},  // a numeric segment beats an alpha one
        {"1.a", "1.1", -1},
        {"a", "b", -1},
        {"B", "a", -1},     // strcmp: upper case first
        {"1_0", "1.0", 0},  // separators only split
        {"1..0", "1.0", 0},
        {"1.0~rc1", "1.0", -1},
        {"1.0~rc1", "1.0~rc2", -1},
        {"1.0~~", "1.0~", -1},
        {"1.0^", "1.0", 1},
        {"1.0^git1", "1.0", 1},
        {"1.0^git1", "1.0.1", -1},
        {"1.0^git1", "1.0~rc1", 1},
        {"1.0^", "1.0^git1", -1},
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"0123456789012345678901234567890", "123456789012345678901234567890", 0},
        // EVR
        {"1:1.0-1", "2.0-1", 1},
        {"0:1.0-1", "1.0-1", 0},
        {":1.0-1", "1.0-1", 0},  // an empty epoch is 0
        {"1.0-1", "1.0-2", -1},
        {"1.0-1.el9", "1.0-1.el9_2", -1},
        {"1.0-10.el8", "1.0-9.el8", 1},
        {"2.28-225.el8_8.6", "2.28-225.el8_8.11", -1},
        {"1.0", "1.0-5", -1},  // rpmverCmp: no release sorts before any release
        {"1.0", "1.0-", -1},
        {"1.2-3-4", "1.2-3-5", -1},  // the release is after the last '-'
    };
    testing::expect_table([](auto a, auto b) { return compare_rpm(a, b); }, cases);
}

TEST(Rpm, NotVersions) {
    EXPECT_EQ(compare_rpm("", "1.0"), std::nullopt);
    EXPECT_EQ(compare_rpm("1.0", ""), std::nullopt);
    EXPECT_EQ(compare_rpm(std::string_view("1\0"
                                           "2",
                                           3),
                          "1"),
              std::nullopt);
}

// Strings made of the pieces rpmvercmp treats specially, glued in every way.
std::vector<std::string> generated_fields(std::size_t count, bool evr) {
    static const std::vector<std::string> pieces = {
        "0", "1",   "2",     "9",    "10",  "01",    "007",         "99999999999999999999999",
        "a", "b",   "Z",     "rc",   "rc1", "alpha", "git20240101", "el9",
        "~", "~~",  "^",     "^1",   ".",   "..",    "_",           "+",
        "%", "1.0", "2.3.4", "fc38", "z"};
    std::mt19937 rng(4242);
    std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(1, 6);
    std::vector<std::string> out = {
        "1.0",  "1.0.0", "1.0a", "1.0~rc1",     "1.0^post1", "1.0^", "1.0~",  "2.0",
        "1.10", "1.9",   "1_9",  "1..9",        "a1",        "1a",   "~1",    "^1",
        "1~~",  "1~^",   "1^~",  "1.0~rc1^git", "R",         "r",    "3.0.7", "3.0.7a"};
    while (out.size() < count) {
        std::string s;
        const int n = length(rng);
        for (int k = 0; k < n; ++k) {
            s += pieces[piece(rng)];
        }
        if (evr) {
            if (rng() % 3 == 0) {
                s = std::to_string(rng() % 3) + ":" + s;
            }
            if (rng() % 2 == 0) {
                s += "-" + pieces[piece(rng)] + pieces[piece(rng)];
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

#ifdef WHARF_HAVE_RPMIO

TEST(Rpm, AgreesWithRpmvercmp) {
    // Without ':' and '-', compare_rpm compares one field, as rpmvercmp does.
    auto fields = generated_fields(3000, false);
    std::mt19937 rng(99);
    std::size_t checked = 0;
    std::size_t disagreements = 0;
    const auto check = [&](const std::string& a, const std::string& b) {
        ++checked;
        const int expected = sign(rpmvercmp(a.c_str(), b.c_str()));
        const auto got = compare_rpm(a, b);
        if (sign(got) != expected) {
            ++disagreements;
            ADD_FAILURE() << "'" << a << "' vs '" << b << "': rpmvercmp " << expected;
        }
    };
    for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
        check(fields[i], fields[i + 1]);
        check(fields[i], fields[rng() % fields.size()]);
        check(fields[i], fields[i]);
    }
    EXPECT_EQ(disagreements, 0u);
    std::cout << "[ rpm ] " << checked << " rpmvercmp pairs, " << disagreements
              << " disagreements\n";
}

TEST(Rpm, AgreesWithRpmverCmpOnEvrs) {
    auto evrs = generated_fields(3000, true);
    std::mt19937 rng(7);
    std::size_t checked = 0;
    std::size_t disagreements = 0;
    for (std::size_t i = 0; i + 1 < evrs.size(); ++i) {
        for (const auto* other : {&evrs[i + 1], &evrs[rng() % evrs.size()]}) {
            rpmver a = rpmverParse(evrs[i].c_str());
            rpmver b = rpmverParse(other->c_str());
            ASSERT_NE(a, nullptr);
            ASSERT_NE(b, nullptr);
            const int expected = sign(rpmverCmp(a, b));
            rpmverFree(a);
            rpmverFree(b);
            ++checked;
            if (sign(compare_rpm(evrs[i], *other)) != expected) {
                ++disagreements;
                ADD_FAILURE() << "'" << evrs[i] << "' vs '" << *other << "': rpmverCmp "
                              << expected;
            }
        }
    }
    EXPECT_EQ(disagreements, 0u);
    std::cout << "[ rpm ] " << checked << " rpmverCmp EVR pairs, " << disagreements
              << " disagreements\n";
}

#else

TEST(Rpm, AgreesWithRpmvercmp) {
    GTEST_SKIP() << "librpmio not found at configure time";
}

#endif

}  // namespace
}  // namespace wharf::scan::version
