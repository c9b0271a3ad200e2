#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/sigv4.hpp"

namespace wharf::auth::sigv4 {
namespace {

constexpr std::string_view kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kGood =
    "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecr/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abcd";

Result<Signature> parse_with(std::vector<Header> headers, std::string_view query = "") {
    return parse(RequestView{"GET", "/", query, headers, kEmptySha});
}

TEST(SigV4Parse, HeaderForm) {
    auto sig = parse_with({{"host", "h"},
                           {"x-amz-date", "20150830T123600Z"},
                           {"X-Amz-Security-Token", "tok"},
                           {"authorization", std::string(kGood)}});
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(sig->access_key_id, "AKID");
    EXPECT_EQ(sig->scope.service, "ecr");
    EXPECT_EQ(sig->signature, "abcd");
    EXPECT_EQ(sig->amz_date, "20150830T123600Z");
    EXPECT_EQ(sig->payload_hash, kEmptySha);
    EXPECT_EQ(sig->security_token, "tok");
    EXPECT_FALSE(sig->expires);
}

TEST(SigV4Parse, CommasWithoutSpacesAndMixedCaseSignedHeaders) {
    auto sig = parse_with({{"X-Amz-Date", "20150830T123600Z"},
                           {"Authorization",
                            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecr/aws4_request,"
                            "SignedHeaders=Host;X-Amz-Date,Signature=ab"}});
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(sig->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4Parse, NothingIsMissingAuthenticationToken) {
    auto r = parse_with({{"Host", "h"}}, "a=1");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unauthorized);
    EXPECT_EQ(r.error().message, "Missing Authentication Token");
}

TEST(SigV4Parse, MissingPartsAreListedTheWayAwsDoes) {
    auto r = parse_with({{"Authorization", "AWS4-HMAC-SHA256"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::signature_incomplete);
    EXPECT_EQ(r.error().message,
              "Authorization header requires 'Credential' parameter. Authorization header "
              "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
              "parameter. Authorization header requires existence of either a 'X-Amz-Date' or a "
              "'Date' header. Authorization=AWS4-HMAC-SHA256");
}

TEST(SigV4Parse, MalformedHeaderForms) {
    const std::string date = "20150830T123600Z";
    struct Case {
        std::string authorization;
        std::string date;
        std::string message_start;
    };
    const std::vector<Case> cases = {
        {"AWS4-HMAC-SHA512 Credential=a", date, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"},
        {"Basic QUJDOkRFRg==", date, "Unsupported AWS 'algorithm': 'Basic'"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecr/aws4_request, "
         "SignedHeaders=host, Signature",
         date, "'Signature' not a valid key=value pair (missing equal-sign)"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/ecr/aws4_request, SignedHeaders=host, "
         "Signature=ab",
         date, "Credential must have exactly 5 slash-delimited elements"},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecr/aws5_request, "
         "SignedHeaders=host, Signature=ab",
         date,
         "Credential should be scoped with a valid terminator: 'aws4_request', not "
         "'aws5_request'. "},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecr/aws4_request, "
         "SignedHeaders=host;;x-amz-date, Signature=ab",
         date, "SignedHeaders must be a ';'-separated list"},
        {std::string(kGood), "2015-08-30T12:36:00Z", "Date must be in ISO-8601 'basic format'."},
        {std::string(kGood) + ", Signature=ef", date,
         "Authorization header has more than one 'Signature' parameter."},
    };
    for (const auto& c : cases) {
        auto r = parse_with({{"X-Amz-Date", c.date}, {"Authorization", c.authorization}});
        ASSERT_FALSE(r) << c.authorization;
        EXPECT_EQ(r.error().code, Errc::signature_incomplete) << c.authorization;
        EXPECT_EQ(r.error().message.substr(0, c.message_start.size()), c.message_start)
            << r.error().message;
    }
}

TEST(SigV4Parse, TwoAuthorizationHeadersOrTwoMechanisms) {
    auto two = parse_with({{"X-Amz-Date", "20150830T123600Z"},
                           {"Authorization", std::string(kGood)},
                           {"authorization", std::string(kGood)}});
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().code, Errc::signature_incomplete);
    auto both =
        parse_with({{"Authorization", std::string(kGood)}}, "X-Amz-Algorithm=AWS4-HMAC-SHA256");
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().code, Errc::signature_incomplete);
    EXPECT_EQ(both.error().message.substr(0, 33), "Only one auth mechanism allowed; ");
}

TEST(SigV4Parse, ErrorMessagesStayPrintable) {
    auto r = parse_with(
        {{"Authorization", "AWS4-HMAC-SHA256 Credential=\xff\x01" + std::string(2000, 'x')}});
    ASSERT_FALSE(r);
    EXPECT_LT(r.error().message.size(), 1024u);
    for (char c : r.error().message) {
        EXPECT_TRUE(c >= 0x20 && c < 0x7f);
    }
}

TEST(SigV4Parse, QueryForm) {
    auto sig = parse_with(
        {{"Host", "h"}},
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fecr%2F"
        "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=ab&X-Amz-Content-Sha256=" +
            std::string(kEmptySha));
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(sig->presigned);
    EXPECT_EQ(sig->expires, std::chrono::seconds{60});
    EXPECT_EQ(sig->payload_hash, kEmptySha);
    EXPECT_EQ(sig->access_key_id, "AKID");
}

TEST(SigV4Parse, MalformedQueryForms) {
    const std::string base =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fecr%2F"
        "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab";
    struct Case {
        std::string query;
        std::string message_start;
    };
    const std::vector<Case> cases = {
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256",
         "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string "
         "parameters must include 'X-Amz-Signature'. AWS query-string parameters must include "
         "'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. "
         "Re-examine the query-string parameters."},
        {"X-Amz-Algorithm=HMAC" + base.substr(32), "X-Amz-Algorithm only supports"},
        {base + "&X-Amz-Expires=abc", "X-Amz-Expires should be a number"},
        {base + "&X-Amz-Expires=-1", "X-Amz-Expires must be non-negative"},
        {base + "&X-Amz-Expires=604801", "X-Amz-Expires must be less than a week"},
        {base + "&X-Amz-Date=20150830T123600Z", "Query parameter 'X-Amz-Date' appears more"},
    };
    for (const auto& c : cases) {
        auto r = parse_with({{"Host", "h"}}, c.query);
        ASSERT_FALSE(r) << c.query;
        EXPECT_EQ(r.error().code, Errc::signature_incomplete) << c.query;
        EXPECT_EQ(r.error().message.substr(0, c.message_start.size()), c.message_start)
            << r.error().message;
    }
}

}  // namespace
}  // namespace wharf::auth::sigv4
