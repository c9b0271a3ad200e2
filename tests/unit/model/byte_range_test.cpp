#include "model/byte_range.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace wharf::model {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

enum class Outcome { span, whole, invalid };

struct RangeCase {
    std::string header;
    std::uint64_t size;
    Outcome outcome;
    ByteSpan span = {};
};

TEST(RangeHeader, Table) {
    const std::vector<RangeCase> cases = {
        // served whole
        {"", 100, Outcome::whole},
        {"   ", 100, Outcome::whole},
        {"items=0-9", 100, Outcome::whole},
        {"0-9", 100, Outcome::whole},
        {"bytes=0-9,20-29", 100, Outcome::whole},
        {"bytes=0-9, -5", 100, Outcome::whole},
        {"bytes=0-9,20-29", 0, Outcome::whole},
        // single ranges
        {"bytes=0-9", 100, Outcome::span, {0, 10}},
        {"bytes=0-0", 100, Outcome::span, {0, 1}},
        {"bytes=10-19", 100, Outcome::span, {10, 10}},
        {"bytes=99-99", 100, Outcome::span, {99, 1}},
        {"bytes=90-1000", 100, Outcome::span, {90, 10}},
        {"bytes=0-18446744073709551615", 100, Outcome::span, {0, 100}},
        {"bytes=50-", 100, Outcome::span, {50, 50}},
        {"bytes=0-", 100, Outcome::span, {0, 100}},
        {"bytes=99-", 100, Outcome::span, {99, 1}},
        {"bytes=-10", 100, Outcome::span, {90, 10}},
        {"bytes=-100", 100, Outcome::span, {0, 100}},
        {"bytes=-1000", 100, Outcome::span, {0, 100}},
        {"bytes=-1", 1, Outcome::span, {0, 1}},
        {"Bytes=0-9", 100, Outcome::span, {0, 10}},
        {"BYTES = 0-9", 100, Outcome::span, {0, 10}},
        {" bytes=0-9 ", 100, Outcome::span, {0, 10}},
        {"bytes= 0 - 9", 100, Outcome::span, {0, 10}},
        {"bytes=0-9,", 100, Outcome::span, {0, 10}},
        {"bytes=,0-9", 100, Outcome::span, {0, 10}},
        {"bytes=18446744073709551614-", kMax, Outcome::span, {kMax - 1, 1}},
        {"bytes=-18446744073709551615", kMax, Outcome::span, {0, kMax}},
        // not satisfiable or malformed single ranges
        {"bytes=100-", 100, Outcome::invalid},
        {"bytes=100-200", 100, Outcome::invalid},
        {"bytes=1000-", 100, Outcome::invalid},
        {"bytes=-0", 100, Outcome::invalid},
        {"bytes=10-9", 100, Outcome::invalid},
        {"bytes=0-0", 0, Outcome::invalid},
        {"bytes=0-", 0, Outcome::invalid},
        {"bytes=-1", 0, Outcome::invalid},
        {"bytes=", 100, Outcome::invalid},
        {"bytes=,", 100, Outcome::invalid},
        {"bytes=-", 100, Outcome::invalid},
        {"bytes=abc", 100, Outcome::invalid},
        {"bytes=a-b", 100, Outcome::invalid},
        {"bytes=1-2-3", 100, Outcome::invalid},
        {"bytes=--1", 100, Outcome::invalid},
        {"bytes=+1-2", 100, Outcome::invalid},
        {"bytes=0x10-20", 100, Outcome::invalid},
        {"bytes=18446744073709551616-", 100, Outcome::invalid},
        {"bytes=0-18446744073709551616", 100, Outcome::invalid},
        {"bytes=-18446744073709551616", 100, Outcome::invalid},
        {"bytes=99999999999999999999999999999-", 100, Outcome::invalid},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.header + " of " + std::to_string(c.size));
        auto r = parse_range_header(c.header, c.size);
        switch (c.outcome) {
            case Outcome::span:
                ASSERT_TRUE(r) << r.error().message;
                ASSERT_TRUE(r->has_value());
                EXPECT_EQ(**r, c.span);
                EXPECT_EQ((*r)->last(), c.span.offset + c.span.length - 1);
                break;
            case Outcome::whole:
                ASSERT_TRUE(r) << r.error().message;
                EXPECT_FALSE(r->has_value());
                break;
            case Outcome::invalid:
                ASSERT_FALSE(r);
                EXPECT_EQ(r.error().code, Errc::range_invalid);
                EXPECT_FALSE(r.error().message.empty());
                break;
        }
    }
}

TEST(RangeHeader, MessageSaysWhy) {
    auto r = parse_range_header("bytes=100-", 100);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Range \"bytes=100-\" is invalid: it starts at byte 100 but the blob is 100 bytes");
}

struct ContentRangeCase {
    std::string header;
    bool valid;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

TEST(ContentRange, Table) {
    const std::vector<ContentRangeCase> cases = {
        {"0-0", true, 0, 0},
        {"0-1023", true, 0, 1023},
        {"1024-2047", true, 1024, 2047},
        {" 5-9 ", true, 5, 9},
        {"bytes 0-1023/2048", true, 0, 1023},
        {"bytes 0-1023/*", true, 0, 1023},
        {"bytes=0-1023", true, 0, 1023},
        {"Bytes 0-9/10", true, 0, 9},
        {"0-9/10", true, 0, 9},
        {"0-18446744073709551614", true, 0, kMax - 1},
        {"", false},
        {"-", false},
        {"0-", false},
        {"-9", false},
        {"9-0", false},
        {"10-9", false},
        {"a-b", false},
        {"0-9-10", false},
        {"bytes 0-9/5", false},
        {"bytes 0-9/x", false},
        {"bytes 0-9/", false},
        {"bytes */100", false},
        {"bytes0-9", false},
        {"0-18446744073709551615", false},
        {"0-18446744073709551616", false},
        {"18446744073709551616-18446744073709551617", false},
        {"+0-9", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.header);
        auto r = parse_content_range(c.header);
        EXPECT_EQ(r.has_value(), c.valid);
        if (c.valid && r) {
            EXPECT_EQ(r->first, c.first);
            EXPECT_EQ(r->last, c.last);
            EXPECT_EQ(r->length(), c.last - c.first + 1);
        } else if (!r) {
            EXPECT_EQ(r.error().code, Errc::range_invalid);
        }
    }
}

TEST(ContentRange, MessageSaysWhy) {
    auto r = parse_content_range("10-9");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Content-Range \"10-9\" is invalid: the last byte 9 is before the first byte 10");
}

}  // namespace
}  // namespace wharf::model
