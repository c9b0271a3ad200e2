#include "auth/sigv4.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/hash.hpp"

namespace wharf::auth::sigv4 {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TimePoint kSignedAt = *parse_amz_date("20150830T123600Z");

// An owning request; view() is what the server hands to parse() and verify().
struct Request {
    std::string method = "GET";
    std::string path = "/";
    std::string query;
    std::vector<Header> headers;
    std::string body;
    std::string body_sha256() const { return hex_digest(HashAlgorithm::sha256, body); }
    std::string payload = body_sha256();
    RequestView view() const { return {method, path, query, headers, payload}; }
    void rehash() { payload = body_sha256(); }
};

VerifyOptions ecr_at(TimePoint now) {
    return VerifyOptions{"us-east-1", "ecr", now};
}

// What botocore 1.43 sends for ecr.get_authorization_token() (signed with the suite's credentials
// at 20150830T123600Z; User-Agent and Content-Length left out: botocore does not sign them).
Request botocore_get_authorization_token() {
    Request r;
    r.method = "POST";
    r.body = R"({"registryIds":["123456789012"]})";
    r.rehash();
    r.headers = {
        {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"},
        {"Content-Type", "application/x-amz-json-1.1"},
        {"User-Agent", "Boto3/1.38 md/Botocore#1.43.11 ua/2.1 os/linux"},
        {"X-Amz-Date", "20150830T123600Z"},
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecr/aws4_request, "
         "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
         "Signature=a319693d5b44a9df7eaed9d9b1e9035b22ef7839621896473f27d5e9f4cc060d"},
        {"Content-Length", "32"},
        {"Host", "api.ecr.us-east-1.amazonaws.com"},
    };
    return r;
}

TEST(SigV4Botocore, GetAuthorizationTokenVerifies) {
    const auto r = botocore_get_authorization_token();
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(sig->access_key_id, kAkid);
    EXPECT_EQ(sig->scope.date, "20150830");
    EXPECT_EQ(sig->scope.region, "us-east-1");
    EXPECT_EQ(sig->scope.service, "ecr");
    EXPECT_EQ(sig->signed_headers,
              (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}));
    EXPECT_EQ(sig->payload_hash,
              "68906711f3da7ead371dd74604bb42059b634736431a9766ab47790d073883b6");
    EXPECT_FALSE(sig->presigned);
    EXPECT_FALSE(sig->security_token);
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, ecr_at(kSignedAt + 1min)));
}

TEST(SigV4Botocore, PathIsNormalisedAndEncodedTwiceQueryOnce) {
    // botocore: GET https://example.amazonaws.com/v2/foo%20bar/./x//y?b=2&a=1%2F&c=x%20y
    Request r;
    r.path = "/v2/foo%20bar/./x//y";
    r.query = "b=2&a=1%2F&c=x%20y";
    r.headers = {{"Host", "example.amazonaws.com"},
                 {"X-Amz-Date", "20150830T123600Z"},
                 {"Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecr/aws4_request, "
                  "SignedHeaders=host;x-amz-date, "
                  "Signature=143e7220833fb02a3d7bf8c7ac28748ee0d5881852b727bcb616a6da879a60a7"}};
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(canonical_request(r.view(), *sig),
              "GET\n/v2/foo%2520bar/x/y\na=1%2F&b=2&c=x%20y\nhost:example.amazonaws.com\n"
              "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, ecr_at(kSignedAt)));
}

TEST(SigV4Botocore, PresignedUrlSignsTheBodyHash) {
    // botocore SigV4QueryAuth(service "ecr", expires=900) on GET .../v2/foo%20bar/blobs
    Request r;
    r.path = "/v2/foo%20bar/blobs";
    r.query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
        "ecr%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders="
        "host&X-Amz-Signature=6948afca32ce5f976ac28bbea469c1ebae60f93b1f061f3d6389c90ce509b35d";
    r.headers = {{"Host", "example.amazonaws.com"}};
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(sig->presigned);
    EXPECT_EQ(sig->expires, 900s);
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, ecr_at(kSignedAt + 14min)));
    auto late = verify(r.view(), *sig, kSecret, ecr_at(kSignedAt + 15min + 1s));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Errc::signature_invalid);
    EXPECT_EQ(late.error().message, "Request has expired");
}

TEST(SigV4Botocore, S3PresignedUrlSignsUnsignedPayloadAndTheRawPath) {
    // botocore S3SigV4QueryAuth(expires=600) on GET https://bucket.s3.amazonaws.com/a//b/./c%20d
    Request r;
    r.path = "/a//b/./c%20d";
    r.query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
        "s3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=600&X-Amz-SignedHeaders="
        "host&X-Amz-Signature=05ea43485ffb4febff8b1927852ff0ff40b5eafa02c0c094b6655e4d2f600518";
    r.headers = {{"Host", "bucket.s3.amazonaws.com"}};
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(canonical_request(r.view(), *sig).substr(0, 19), "GET\n/a//b/./c%20d\nX");
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, {"us-east-1", "s3", kSignedAt}));
}

TEST(SigV4CanonicalUri, NormalisesAndEncodes) {
    struct Case {
        std::string_view raw, ecr, s3;
    };
    const Case cases[] = {
        {"", "/", "/"},
        {"/", "/", "/"},
        {"//", "/", "//"},
        {"/./", "/", "/./"},
        {"/a/../..", "/", "/a/../.."},
        {"/a/b/../c/", "/a/c/", "/a/b/../c/"},
        {"/v2/foo%20bar/x", "/v2/foo%2520bar/x", "/v2/foo%20bar/x"},
        {"/a b", "/a%20b", "/a%20b"},
        {"/%zz", "/%25zz", "/%25zz"},
        {"/caf\xc3\xa9", "/caf%C3%A9", "/caf%C3%A9"},
        {"/-._~!$&'()*+,;=:@", "/-._~%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40",
         "/-._~%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(canonical_uri(c.raw, PathRules::for_service("ecr")), c.ecr) << c.raw;
        EXPECT_EQ(canonical_uri(c.raw, PathRules::for_service("s3")), c.s3) << c.raw;
    }
}

TEST(SigV4CanonicalQuery, DecodesReencodesAndSorts) {
    struct Case {
        std::string_view raw, header_form, presigned;
    };
    const Case cases[] = {
        {"", "", ""},
        {"b=2&a=1", "a=1&b=2", "a=1&b=2"},
        {"a=2&a=1&A=3", "A=3&a=1&a=2", "A=3&a=1&a=2"},
        {"flag&x=", "flag=&x=", "flag=&x="},
        {"a=b%20c&d=e+f", "a=b%20c&d=e%2Bf", "a=b%20c&d=e%2Bf"},
        {"k=%7e%2f", "k=~%2F", "k=~%2F"},
        {"&&a=1&", "a=1", "a=1"},
        {"x=%zz", "x=%25zz", "x=%25zz"},
        {"X-Amz-Signature=abc&a=1", "X-Amz-Signature=abc&a=1", "a=1"},
        {"a=1=2", "a=1%3D2", "a=1%3D2"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(canonical_query(c.raw, false), c.header_form) << c.raw;
        EXPECT_EQ(canonical_query(c.raw, true), c.presigned) << c.raw;
    }
}

TEST(SigV4AmzDate, FormatsAndParses) {
    EXPECT_EQ(format_amz_date(kSignedAt), "20150830T123600Z");
    EXPECT_EQ(format_amz_date(kSignedAt + 999ms), "20150830T123600Z");
    EXPECT_EQ(to_unix_millis(*parse_amz_date("19700101T000000Z")), 0);
    EXPECT_EQ(parse_amz_date("20240229T235959Z").has_value(), true);
    for (std::string_view bad :
         {"", "20150830", "20150830T123600", "20150830T123600z", "2015-08-30T12:36:00Z",
          "20150230T123600Z", "20150830T243600Z", "20150830T126000Z", "20150830T123660Z",
          "2015083OT123600Z", "20230229T000000Z", "20150830 123600Z"}) {
        EXPECT_FALSE(parse_amz_date(bad)) << bad;
    }
}

}  // namespace
}  // namespace wharf::auth::sigv4
