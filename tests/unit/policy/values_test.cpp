// The module's internal grammars: wildcard patterns, dates, IP addresses and CIDRs, base64.
#include "policy/detail.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wharf::policy::detail {
namespace {

struct GlobCase {
    std::string pattern;
    std::string value;
    bool ignore_case;
    bool matches;
};

TEST(Glob, Table) {
    const std::vector<GlobCase> cases = {
        {"*", "", false, true},
        {"**", "anything/at:all", false, true},
        {"abc", "abc", false, true},
        {"abc", "abcd", false, false},
        {"ABC", "abc", true, true},
        {"ABC", "abc", false, false},
        {"ecr:*", "ECR:PutImage", true, true},
        {"ecr:*", "ec", true, false},
        {"a*c", "abbbc", false, true},
        {"a*c", "abbbd", false, false},
        {"a?c", "abc", false, true},
        {"a?c", "ac", false, false},
        {"*/app", "team/sub/app", false, true},
        {"a*b*c", "aXbYbZc", false, true},
        {"a*b*c", "aXbYbZ", false, false},
        {"*?", "", false, false},
        {"team/*/api", "team/x/y/api", false, true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(matches(make_glob(c.pattern, c.ignore_case), c.value), c.matches)
            << c.pattern << " vs " << c.value;
    }
}

TEST(ArnPattern, ComponentsMatchSeparately) {
    const auto p = make_arn_pattern("arn:aws:ecr:*:123456789012:repository/*");
    EXPECT_TRUE(matches(p, "arn:aws:ecr:us-east-1:123456789012:repository/a/b"));
    EXPECT_FALSE(matches(p, "arn:aws:ecr:us-east-1:x:123456789012:repository/a"));
    EXPECT_TRUE(matches(make_arn_pattern("*"), "arn:aws:ecr:r:1:repository/a"));
    EXPECT_TRUE(
        matches(make_arn_pattern("arn:aws:s3:::b/k:with:colons"), "arn:aws:s3:::b/k:with:colons"));
}

struct DateCase {
    std::string text;
    bool valid;
    std::int64_t millis = 0;
};

TEST(ParseDate, Table) {
    const std::vector<DateCase> cases = {
        {"1970-01-01T00:00:00Z", true, 0},
        {"2026-01-01T00:00:00Z", true, 1767225600000},
        {"2026-01-01", true, 1767225600000},
        {"2026-01-01T01:00Z", true, 1767229200000},
        {"2026-01-01T00:00:00.250Z", true, 1767225600250},
        {"2026-01-01T00:00:00-01:30", true, 1767231000000},
        {"2024-02-29T00:00:00Z", true, 1709164800000},
        {"1767225600", true, 1767225600000},
        {"2025-02-29T00:00:00Z", false},
        {"2026-13-01", false},
        {"2026-01-01T24:00:00Z", false},
        {"2026-01-01T00:00:00ZZ", false},
        {"2026-1-1", false},
        {"", false},
        {"-", false},
    };
    for (const auto& c : cases) {
        std::int64_t millis = -1;
        EXPECT_EQ(parse_date(c.text, millis), c.valid) << c.text;
        if (c.valid) {
            EXPECT_EQ(millis, c.millis) << c.text;
        }
    }
}

struct CidrCase {
    std::string cidr;
    std::string address;
    bool valid;
    bool contains = false;
};

TEST(Cidr, Table) {
    const std::vector<CidrCase> cases = {
        {"0.0.0.0/0", "255.255.255.255", true, true},
        {"10.0.0.0/8", "10.255.0.1", true, true},
        {"10.0.0.0/9", "10.128.0.1", true, false},
        {"::/0", "2001:db8::1", true, true},
        {"::1", "::1", true, true},
        {"2001:db8::", "2001:db8:0:0:0:0:0:0", true, true},
        {"2001:db8::/127", "2001:db8::1", true, true},
        {"2001:db8::/128", "2001:db8::1", true, false},
        {"::ffff:0:0/96", "::ffff:1.2.3.4", true, false},  // mapped requests compare as IPv4
        {"64:ff9b::/96", "64:ff9b::192.0.2.1", true, true},
        {"1.2.3", "", false},
        {"1.2.3.4/", "", false},
        {"1.2.3.4/-1", "", false},
        {"01.2.3.4.5", "", false},
        {"2001:db8:::1", "", false},
        {"2001:db8::1::2", "", false},
        {"1:2:3:4:5:6:7:8:9", "", false},
        {"fe80::1%eth0", "", false},
        {"2001:db8::/129", "", false},
    };
    for (const auto& c : cases) {
        Cidr net;
        ASSERT_EQ(parse_cidr(c.cidr, net), c.valid) << c.cidr;
        if (c.valid) {
            Cidr address;
            ASSERT_TRUE(parse_ip(c.address, address)) << c.address;
            EXPECT_EQ(cidr_contains(net, address), c.contains) << c.cidr << " " << c.address;
        }
    }
}

TEST(Base64, DecodesAndRejects) {
    std::string out;
    EXPECT_TRUE(decode_base64("aGVsbG8=", out));
    EXPECT_EQ(out, "hello");
    EXPECT_TRUE(decode_base64("aGVsbG8", out));
    EXPECT_EQ(out, "hello");
    EXPECT_FALSE(decode_base64("aGVsbG8===", out));
    EXPECT_FALSE(decode_base64("a", out));
    EXPECT_FALSE(decode_base64("aGV-bG8=", out));
}

TEST(ParseNumber, Grammar) {
    double n = 0;
    EXPECT_TRUE(parse_number("-1.25", n));
    EXPECT_EQ(n, -1.25);
    EXPECT_TRUE(parse_number("1e3", n));
    EXPECT_EQ(n, 1000);
    for (const char* bad : {"", "inf", "nan", "+1", "1.", ".5", "0x10", "1e", "1 "}) {
        EXPECT_FALSE(parse_number(bad, n)) << bad;
    }
}

}  // namespace
}  // namespace wharf::policy::detail
