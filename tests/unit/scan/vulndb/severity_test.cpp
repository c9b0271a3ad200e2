// CVSS 3.x base scores against NVD's published scores, and the ECR severity decision.
#include <gtest/gtest.h>

#include <string>

#include "scan/vulndb/severity.hpp"

namespace wharf::scan::vulndb {
namespace {

struct ScoreCase {
    const char* vector;
    double nvd;
    const char* example;  // where the vector/score pair appears on NVD
};

// Published NVD base scores (each checked against the FIRST calculator's formula).
constexpr ScoreCase kNvd[] = {
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CVE-2021-44228 log4shell"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CVE-2022-22965 spring4shell"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "CVE-2014-0160 class"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "DoS, CVE-2023-44487"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3, "info leak"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, "low DoS"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "reflected XSS"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4, "stored XSS"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "scope-changed, low"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "user-assisted RCE"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, "authenticated RCE"},
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, "adjacent network"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N", 4.3, "CSRF"},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, "timing side channel"},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, "hard, user-assisted"},
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:N/A:N", 2.3, "local admin leak"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "no impact"},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "CVE-2023-4911 looney tunables"},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, "malicious file"},
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0, "local race"},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "CVE-2024-6387 regreSSHion"},
    {"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "RUSTSEC-2016-0001, v3.0"},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, "local leak"},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5, "local DoS"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5, "NSWG-ECO-1 bassmaster (3.0)"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", 6.5, "user-assisted leak"},
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, "physical access"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "scope-changed, authenticated"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6, "scope-changed, user-assisted"},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, "admin RCE"},
};

TEST(Cvss3, MatchesNvdScores) {
    for (const auto& c : kNvd) {
        const auto score = cvss3_base_score(c.vector);
        ASSERT_TRUE(score.has_value()) << c.vector;
        EXPECT_DOUBLE_EQ(*score, c.nvd) << c.vector << " (" << c.example << ")";
    }
}

TEST(Cvss3, IgnoresTemporalAndEnvironmentalMetrics) {
    EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C"), 9.8);
    EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L"), 9.8);
}

TEST(Cvss3, MetricOrderDoesNotMatter) {
    EXPECT_EQ(cvss3_base_score("CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/A:H/I:H/C:H"), 9.8);
}

TEST(Cvss3, RefusesIncompleteOrInvalidVectors) {
    for (const char* v : {
             "",
             "CVSS:3.1/",
             "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",           // no prefix
             "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  // not v3
             "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",          // A missing
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",     // trailing slash
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L",  // repeated
             "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",      // unknown value
             "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:U/A:N",      // seen in Node.js WG data
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH",
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",  // unknown metric
             "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H",
         }) {
        EXPECT_FALSE(cvss3_base_score(v).has_value()) << v;
    }
}

TEST(Severity, FromScoreBands) {
    struct {
        double score;
        Severity want;
    } cases[] = {
        {10.0, Severity::critical}, {9.0, Severity::critical}, {8.9, Severity::high},
        {7.0, Severity::high},      {6.9, Severity::medium},   {4.0, Severity::medium},
        {3.9, Severity::low},       {0.1, Severity::low},      {0.0, Severity::informational}};
    for (const auto& c : cases) {
        EXPECT_EQ(severity_from_score(c.score), c.want) << c.score;
    }
}

TEST(Severity, NamesRoundTripAndRank) {
    for (auto s : {Severity::informational, Severity::low, Severity::medium, Severity::high,
                   Severity::critical, Severity::undefined}) {
        EXPECT_EQ(parse_severity(to_string(s)), s);
    }
    EXPECT_EQ(to_string(Severity::critical), "CRITICAL");
    EXPECT_FALSE(parse_severity("critical").has_value());
    EXPECT_LT(rank(Severity::informational), rank(Severity::low));
    EXPECT_LT(rank(Severity::low), rank(Severity::medium));
    EXPECT_LT(rank(Severity::medium), rank(Severity::high));
    EXPECT_LT(rank(Severity::high), rank(Severity::critical));
    EXPECT_EQ(rank(Severity::undefined), rank(Severity::informational));
}

TEST(Severity, DecisionTable) {
    const std::string crit = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";  // 9.8
    const std::string med = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N";   // 5.3
    struct Case {
        SeverityInputs in;
        Severity want;
        const char* source;
    };
    const Case cases[] = {
        {{"unimportant", "", {crit}}, Severity::informational, "debian"},
        {{"low", "", {crit}}, Severity::low, "debian"},
        {{"medium", "", {}}, Severity::medium, "debian"},
        {{"high", "", {med}}, Severity::high, "debian"},
        {{"high*", "", {}}, Severity::high, "debian"},
        {{"not yet assigned", "", {crit}}, Severity::critical, "cvss3"},
        {{"end-of-life", "", {med}}, Severity::medium, "cvss3"},
        {{"not yet assigned", "", {}}, Severity::undefined, ""},
        {{"", "MODERATE", {crit}}, Severity::medium, "advisory"},
        {{"", "CRITICAL", {}}, Severity::critical, "advisory"},
        {{"", "LOW", {}}, Severity::low, "advisory"},
        {{"", "high", {}}, Severity::high, "advisory"},        // Node.js WG core writes lowercase
        {{"", "", {med, crit}}, Severity::critical, "cvss3"},  // the highest wins
        {{"", "", {"CVSS:3.1/garbage", med}}, Severity::medium, "cvss3"},
        {{"", "", {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"}},
         Severity::informational,
         "cvss3"},
        {{"", "", {}}, Severity::undefined, ""},
    };
    for (const auto& c : cases) {
        const auto d = decide_severity(c.in);
        EXPECT_EQ(d.severity, c.want) << c.in.urgency << "/" << c.in.rating;
        EXPECT_EQ(d.source, c.source) << c.in.urgency << "/" << c.in.rating;
    }
}

TEST(Severity, ReportsTheHighestScoreEvenWhenUrgencyDecides) {
    const auto d = decide_severity({"low", "", {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}});
    EXPECT_EQ(d.severity, Severity::low);
    ASSERT_TRUE(d.score.has_value());
    EXPECT_EQ(*d.score, 10.0);
    EXPECT_EQ(d.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
}

}  // namespace
}  // namespace wharf::scan::vulndb
