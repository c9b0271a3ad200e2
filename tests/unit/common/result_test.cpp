#include "common/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace wharf {
namespace {

Result<int> half(int n) {
    if (n % 2 != 0) {
        return Error{Errc::bad_request, "odd", {{"n", n}}};
    }
    return n / 2;
}

Result<int> quarter(int n) {
    auto h = half(n);
    if (!h) {
        return h.error();
    }
    return half(*h);
}

TEST(Result, HoldsAValue) {
    auto r = half(8);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(r.value(), 4);
    EXPECT_EQ(*r, 4);
}

TEST(Result, HoldsAnError) {
    auto r = half(3);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_EQ(r.error().message, "odd");
    EXPECT_EQ(r.error().detail["n"], 3);
}

TEST(Result, PropagatesErrors) {
    EXPECT_EQ(*quarter(8), 2);
    EXPECT_EQ(quarter(6).error().code, Errc::bad_request);
    EXPECT_EQ(quarter(3).error().message, "odd");
}

TEST(Result, ConvertsFromConstructibleValues) {
    Result<std::string> s = "text";
    ASSERT_TRUE(s);
    EXPECT_EQ(s->size(), 4u);
}

TEST(Result, MovesOnlyTypes) {
    Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
    ASSERT_TRUE(r);
    std::unique_ptr<int> p = std::move(r).value();
    EXPECT_EQ(*p, 7);
}

TEST(Result, MovesTheErrorOut) {
    Result<int> r = Error{Errc::too_large, "big"};
    Error e = std::move(r).error();
    EXPECT_EQ(e.code, Errc::too_large);
    EXPECT_EQ(e.message, "big");
    EXPECT_TRUE(e.detail.is_null());
}

TEST(Result, Void) {
    Result<void> good = ok();
    EXPECT_TRUE(good);
    Result<void> bad = Error{Errc::denied, "no"};
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::denied);
}

TEST(Errc, NamesAreSnakeCase) {
    EXPECT_EQ(to_string(Errc::digest_invalid), "digest_invalid");
    EXPECT_EQ(to_string(Errc::internal), "internal");
    EXPECT_EQ(to_string(Errc::too_many_requests), "too_many_requests");
}

}  // namespace
}  // namespace wharf
