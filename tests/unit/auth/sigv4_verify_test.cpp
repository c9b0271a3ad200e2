// Round trips through the client-side signer, and what verify() refuses.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "auth/sigv4.hpp"
#include "common/hash.hpp"

namespace wharf::auth::sigv4 {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const Credentials kCredentials{"AKIDEXAMPLE", kSecret, ""};
const TimePoint kNow = *parse_amz_date("20150830T123600Z");
const Scope kScope{"20150830", "us-east-1", "ecr"};

struct Request {
    std::string method = "POST";
    std::string path = "/";
    std::string query;
    std::vector<Header> headers;
    std::string body;
    std::string payload;
    RequestView view() const { return {method, path, query, headers, payload}; }
    void set(std::string_view name, std::string value) {
        for (auto& h : headers) {
            if (h.name == name) {
                h.value = std::move(value);
                return;
            }
        }
        headers.push_back({std::string(name), std::move(value)});
    }
};

// Signed the way botocore signs an ECR JSON call.
Request signed_ecr_call(std::string body = R"({"repositoryName":"app"})",
                        std::string amz_date = "20150830T123600Z") {
    Request r;
    r.body = std::move(body);
    r.payload = hex_digest(HashAlgorithm::sha256, r.body);
    r.headers = {{"Host", "api.ecr.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"},
                 {"X-Amz-Date", amz_date}};
    Scope scope = kScope;
    scope.date = amz_date.substr(0, 8);
    r.set("Authorization", authorization_header(r.view(), kCredentials, scope, amz_date));
    r.headers.push_back({"User-Agent", "aws-cli/2"});  // unsigned, may be anything
    return r;
}

VerifyOptions options(TimePoint now = kNow) {
    return VerifyOptions{"us-east-1", "ecr", now};
}

Result<void> check(const Request& r, const VerifyOptions& opts = options(),
                   std::string_view secret = kSecret) {
    auto sig = parse(r.view());
    if (!sig) {
        return sig.error();
    }
    return verify(r.view(), *sig, secret, opts);
}

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

TEST(SigV4RoundTrip, SignedRequestVerifies) {
    EXPECT_TRUE(check(signed_ecr_call()));
}

TEST(SigV4RoundTrip, EveryMutationIsRefused) {
    struct Mutation {
        const char* what;
        std::function<void(Request&)> apply;
    };
    const std::vector<Mutation> mutations = {
        {"method", [](Request& r) { r.method = "PUT"; }},
        {"path", [](Request& r) { r.path = "/x"; }},
        {"query", [](Request& r) { r.query = "a=1"; }},
        {"host", [](Request& r) { r.set("Host", "evil.example.com"); }},
        {"target", [](Request& r) { r.set("X-Amz-Target", "X.DeleteRepository"); }},
        {"content type", [](Request& r) { r.set("Content-Type", "text/plain"); }},
        {"body",
         [](Request& r) {
             r.payload = hex_digest(HashAlgorithm::sha256, R"({"repositoryName":"other"})");
         }},
        {"signed header repeated",
         [](Request& r) {
             r.headers.push_back({"host", "x"});
         }},
    };
    for (const auto& m : mutations) {
        auto r = signed_ecr_call();
        m.apply(r);
        auto result = check(r);
        ASSERT_FALSE(result) << m.what;
        EXPECT_EQ(result.error().code, Errc::signature_invalid) << m.what;
        EXPECT_EQ(result.error().message, kMismatch) << m.what;
    }
}

TEST(SigV4RoundTrip, WrongSecretIsRefused) {
    auto result = check(signed_ecr_call(), options(), "another-secret");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::signature_invalid);
}

TEST(SigV4RoundTrip, UnsignedHeadersMayChange) {
    auto r = signed_ecr_call();
    r.set("User-Agent", "something else");
    r.headers.push_back({"X-Forwarded-For", "10.0.0.1"});
    EXPECT_TRUE(check(r));
}

TEST(SigV4RoundTrip, HeaderNamesAnyCaseAndSpacing) {
    auto r = signed_ecr_call();
    for (auto& h : r.headers) {
        if (h.name == "Content-Type") {
            h.name = "CONTENT-type";
            h.value = "  application/x-amz-json-1.1 ";
        }
    }
    EXPECT_TRUE(check(r));
}

TEST(SigV4RoundTrip, ScopeMismatches) {
    auto wrong_region = options();
    wrong_region.region = "eu-west-1";
    auto r = check(signed_ecr_call(), wrong_region);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::signature_invalid);
    EXPECT_EQ(r.error().message, "Credential should be scoped to a valid region. ");

    auto wrong_service = options();
    wrong_service.service = "s3";
    r = check(signed_ecr_call(), wrong_service);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Credential should be scoped to correct service: 's3'. ");

    auto call = signed_ecr_call();
    call.set("Authorization", [&] {
        auto sig = parse(call.view()).value();
        return std::string(
                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/ecr/"
                   "aws4_request, SignedHeaders=host;x-amz-date, Signature=") +
               sig.signature;
    }());
    r = check(call);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::signature_invalid);
    EXPECT_EQ(r.error().message,
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
              "from HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
}

TEST(SigV4RoundTrip, HostAndDateMustBeSigned) {
    Request r;
    r.payload = hex_digest(HashAlgorithm::sha256, "");
    r.headers = {{"X-Amz-Date", "20150830T123600Z"}};
    r.set("Authorization",
          authorization_header(r.view(), kCredentials, kScope, "20150830T123600Z"));
    r.headers.push_back({"Host", "api.ecr.us-east-1.amazonaws.com"});
    auto result = check(r);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::signature_invalid);
    EXPECT_EQ(result.error().message,
              "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

    Request d;
    d.payload = r.payload;
    d.headers = {{"Host", "h"}};
    d.set("Authorization",
          authorization_header(d.view(), kCredentials, kScope, "20150830T123600Z"));
    d.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
    result = check(d);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message,
              "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4RoundTrip, DateHeaderInsteadOfXAmzDate) {
    Request r;
    r.payload = hex_digest(HashAlgorithm::sha256, "");
    r.headers = {{"Host", "h"}, {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"}};
    r.set("Authorization",
          authorization_header(r.view(), kCredentials, kScope, "20150830T123600Z"));
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(sig->amz_date, "20150830T123600Z");
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, options()));
}

TEST(SigV4Skew, WithinFifteenMinutesEitherWay) {
    const auto r = signed_ecr_call();
    EXPECT_TRUE(check(r, options(kNow + 15min)));
    EXPECT_TRUE(check(r, options(kNow - 15min)));

    auto late = check(r, options(kNow + 20min));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Errc::signature_invalid);
    EXPECT_EQ(late.error().message,
              "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z "
              "(20150830T125600Z - 15 min.)");

    auto early = check(r, options(kNow - 20min));
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, Errc::signature_invalid);
    EXPECT_EQ(early.error().message,
              "Signature not yet current: 20150830T123600Z is still later than 20150830T123100Z "
              "(20150830T121600Z + 15 min.)");

    auto tight = options(kNow + 6min);
    tight.max_skew = 5min;
    auto result = check(r, tight);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("(20150830T124200Z - 5 min.)"), std::string::npos);
}

TEST(SigV4Payload, DeclaredHashMustMatchTheBody) {
    auto r = signed_ecr_call();
    r.headers.pop_back();  // User-Agent
    r.headers.pop_back();  // Authorization, re-signed below with the declared hash
    r.set("X-Amz-Content-Sha256", r.payload);
    r.set("Authorization",
          authorization_header(r.view(), kCredentials, kScope, "20150830T123600Z"));
    EXPECT_TRUE(check(r));

    r.payload = hex_digest(HashAlgorithm::sha256, "tampered body");
    auto result = check(r);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::signature_invalid);
    EXPECT_EQ(result.error().message,
              "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST(SigV4Payload, UnsignedPayloadOnlyWhenAllowed) {
    auto r = signed_ecr_call();
    r.headers.pop_back();
    r.headers.pop_back();
    r.set("X-Amz-Content-Sha256", std::string(kUnsignedPayload));
    r.set("Authorization",
          authorization_header(r.view(), kCredentials, kScope, "20150830T123600Z"));
    r.payload = hex_digest(HashAlgorithm::sha256, "any body at all");
    auto refused = check(r);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::signature_invalid);
    auto allowed = options();
    allowed.allow_unsigned_payload = true;
    EXPECT_TRUE(check(r, allowed));
}

TEST(SigV4Presigned, RoundTripAndExpiry) {
    Request r;
    r.method = "GET";
    r.path = "/v2/app/blobs/sha256:abc";
    r.query = "x=1";
    r.payload = hex_digest(HashAlgorithm::sha256, "");
    r.headers = {{"Host", "registry.example.com"}};
    r.query = presign_query(r.view(), kCredentials, kScope, "20150830T123600Z", 300s);
    r.headers.push_back({"User-Agent", "curl"});
    auto sig = parse(r.view());
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(sig->presigned);
    EXPECT_EQ(sig->expires, 300s);
    EXPECT_EQ(sig->payload_hash, kUnsignedPayload);
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, options(kNow + 300s)));
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, options(kNow - 15min)));

    auto expired = verify(r.view(), *sig, kSecret, options(kNow + 301s));
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, Errc::signature_invalid);
    EXPECT_EQ(expired.error().message, "Request has expired");
    auto early = verify(r.view(), *sig, kSecret, options(kNow - 16min));
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, Errc::signature_invalid);

    for (std::string query : {r.query + "&y=2", "x=2" + r.query.substr(3)}) {
        Request changed = r;
        changed.query = query;
        auto result = check(changed);
        ASSERT_FALSE(result) << query;
        EXPECT_EQ(result.error().message, kMismatch);
    }
}

TEST(SigV4Presigned, SessionTokenIsSigned) {
    Request r;
    r.method = "GET";
    r.payload = hex_digest(HashAlgorithm::sha256, "");
    r.headers = {{"Host", "h"}};
    r.query = presign_query(r.view(), {"AKIDEXAMPLE", kSecret, "tok/en+="}, kScope,
                            "20150830T123600Z", 60s);
    auto sig = parse(r.view());
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->security_token, "tok/en+=");
    EXPECT_TRUE(verify(r.view(), *sig, kSecret, options()));
}

}  // namespace
}  // namespace wharf::auth::sigv4
