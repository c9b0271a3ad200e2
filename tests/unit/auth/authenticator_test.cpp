// Authenticator over a real SQLite store: Basic with access keys and authorization tokens, SigV4,
// and how disabling a key takes effect.
#include "auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/base64.hpp"
#include "common/hash.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace wharf::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]})";
const std::string kKeyId = "AKIAALICEALICEALICE2";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string basic(std::string_view user, std::string_view password) {
    return "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
}

std::array<std::byte, 32> token_key() {
    std::array<std::byte, 32> k{};
    k.fill(std::byte{0x5a});
    return k;
}

class AuthenticatorTest : public ::testing::Test {
protected:
    void SetUp() override {
        meta_ = std::move(
            storage::open_sqlite_metadata_store(dir_.path() / "meta.db", {.full_sync = false})
                .value());
        auto done = meta_->write([&](storage::MetadataTx& tx) -> Result<void> {
            auto alice = tx.principals().create(storage::PrincipalKind::user, "alice", "AIDAALICE",
                                                clock_.now());
            if (!alice) {
                return alice.error();
            }
            alice_id_ = alice->id;
            if (auto put = tx.principals().put_policy(alice_id_, "all", std::string(kPolicy));
                !put) {
                return put;
            }
            if (auto tags = tx.principals().set_tags(alice_id_, {{"team", "blue"}}); !tags) {
                return tags;
            }
            return tx.access_keys().create(
                {kKeyId, alice_id_, box_.seal(kSecret, kKeyId), true, clock_.now()});
        });
        ASSERT_TRUE(done) << done.error().message;
        auth_ = std::make_unique<Authenticator>(*meta_, box_, token_key(), clock_, AuthOptions{});
    }
    void write(const storage::MetadataStore::TxFn& fn) {
        auto done = meta_->write(fn);
        ASSERT_TRUE(done) << done.error().message;
    }
    void add_key(const std::string& id, const std::string& secret, bool active) {
        write([&](storage::MetadataTx& tx) {
            return tx.access_keys().create(
                {id, alice_id_, box_.seal(secret, id), active, clock_.now()});
        });
    }
    void set_active(const std::string& id, bool active) {
        write([&](storage::MetadataTx& tx) -> Result<void> {
            auto changed = tx.access_keys().set_active(id, active);
            return changed ? ok() : Result<void>(changed.error());
        });
    }
    Errc code_of(const Result<Authenticated>& r) {
        EXPECT_FALSE(r) << "authenticated unexpectedly";
        return r ? Errc::internal : r.error().code;
    }

    testing::TempDir dir_;
    testing::FakeClock clock_;
    SecretBox box_ = SecretBox::from_key(SecretBox::generate_key()).value();
    std::unique_ptr<storage::MetadataStore> meta_;
    std::unique_ptr<Authenticator> auth_;
    std::int64_t alice_id_ = 0;
};

TEST_F(AuthenticatorTest, BasicWithAccessKeyYieldsTheIdentity) {
    auto who = auth_->basic(basic(kKeyId, kSecret));
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->access_key_id, kKeyId);
    ASSERT_TRUE(who->identity);
    EXPECT_EQ(who->identity->arn, "arn:aws:iam::000000000000:user/alice");
    EXPECT_EQ(who->identity->name, "alice");
    EXPECT_EQ(who->identity->kind, storage::PrincipalKind::user);
    EXPECT_EQ(who->identity->principal_id, alice_id_);
    EXPECT_EQ(who->identity->unique_id, "AIDAALICE");
    EXPECT_EQ(who->identity->account, "000000000000");
    EXPECT_EQ(who->identity->tags, (storage::ResourceTags{{"team", "blue"}}));
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(who->identity->policies, (Pairs{{"all", std::string(kPolicy)}}));
    // The scheme name is case-insensitive.
    EXPECT_TRUE(auth_->basic("basic " + base64_encode(kKeyId + ":" + kSecret)));
}

TEST_F(AuthenticatorTest, WrongCredentialsAreCredentialsUnknown) {
    add_key("AKIAINACTIVEINACTIVE", "inactive secret", false);
    EXPECT_EQ(code_of(auth_->basic(basic(kKeyId, kSecret + "x"))), Errc::credentials_unknown);
    EXPECT_EQ(code_of(auth_->basic(basic(kKeyId, ""))), Errc::credentials_unknown);
    EXPECT_EQ(code_of(auth_->basic(basic("AKIAUNKNOWNUNKNOWN00", kSecret))),
              Errc::credentials_unknown);
    EXPECT_EQ(code_of(auth_->basic(basic("AKIAINACTIVEINACTIVE", "inactive secret"))),
              Errc::credentials_unknown);
    auto refused = auth_->basic(basic(kKeyId, "nope"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "The security token included in the request is invalid.");
}

TEST_F(AuthenticatorTest, MissingOrMalformedHeaderIsUnauthorized) {
    EXPECT_EQ(code_of(auth_->basic("")), Errc::unauthorized);
    EXPECT_EQ(code_of(auth_->basic("Bearer x")), Errc::unauthorized);
    EXPECT_EQ(code_of(auth_->basic("Basic !!!not base64!!!")), Errc::unauthorized);
    EXPECT_EQ(code_of(auth_->basic("Basic " + base64_encode("no colon"))), Errc::unauthorized);
    EXPECT_EQ(code_of(auth_->basic("Basic")), Errc::unauthorized);
}

TEST_F(AuthenticatorTest, IssuedTokenAuthenticatesAsBasicAwsForTwelveHours) {
    const auto caller = auth_->basic(basic(kKeyId, kSecret)).value();
    const auto issued = auth_->issue_token(caller);
    EXPECT_EQ(issued.expires_at, clock_.now() + 12h);
    auto decoded = base64_decode(issued.authorization_token);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->substr(0, 4), "AWS:");

    auto who = auth_->basic("Basic " + issued.authorization_token);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->identity->arn, "arn:aws:iam::000000000000:user/alice");
    EXPECT_EQ(who->access_key_id, kKeyId);

    clock_.advance(12h - 1s);
    EXPECT_TRUE(auth_->basic("Basic " + issued.authorization_token));
    clock_.advance(1s);
    EXPECT_EQ(code_of(auth_->basic("Basic " + issued.authorization_token)), Errc::token_expired);
    clock_.advance(1h);
    EXPECT_EQ(code_of(auth_->basic("Basic " + issued.authorization_token)), Errc::token_expired);
}

TEST_F(AuthenticatorTest, TamperedTokenIsCredentialsUnknown) {
    const auto caller = auth_->basic(basic(kKeyId, kSecret)).value();
    auto password = base64_decode(auth_->issue_token(caller).authorization_token)->substr(4);
    password[password.size() / 2] = password[password.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_EQ(code_of(auth_->basic(basic("AWS", password))), Errc::credentials_unknown);
    EXPECT_EQ(code_of(auth_->basic(basic("AWS", "garbage"))), Errc::credentials_unknown);
}

TEST_F(AuthenticatorTest, DisablingTheKeyRevokesItsTokensAfterTheCacheTtl) {
    const auto caller = auth_->basic(basic(kKeyId, kSecret)).value();
    const auto token = "Basic " + auth_->issue_token(caller).authorization_token;
    ASSERT_TRUE(auth_->basic(token));
    set_active(kKeyId, false);
    clock_.advance(auth_->options().cache_ttl);
    EXPECT_EQ(code_of(auth_->basic(token)), Errc::credentials_unknown);
    EXPECT_EQ(code_of(auth_->basic(basic(kKeyId, kSecret))), Errc::credentials_unknown);
    // Re-enabled, the same (unexpired) token works again.
    set_active(kKeyId, true);
    clock_.advance(auth_->options().cache_ttl);
    EXPECT_TRUE(auth_->basic(token));
}

TEST_F(AuthenticatorTest, DeletedKeyAndChangedPoliciesTakeEffectAfterTheCacheTtl) {
    ASSERT_TRUE(auth_->basic(basic(kKeyId, kSecret)));
    write([&](storage::MetadataTx& tx) {
        return tx.principals().put_policy(alice_id_, "more", "{}");
    });
    clock_.advance(auth_->options().cache_ttl);
    auto who = auth_->basic(basic(kKeyId, kSecret)).value();
    EXPECT_EQ(who.identity->policies.size(), 2u);
    write([&](storage::MetadataTx& tx) -> Result<void> {
        auto removed = tx.access_keys().remove(kKeyId);
        return removed ? ok() : Result<void>(removed.error());
    });
    clock_.advance(auth_->options().cache_ttl);
    EXPECT_EQ(code_of(auth_->basic(basic(kKeyId, kSecret))), Errc::credentials_unknown);
}

// ---- SigV4 ----

struct SignedRequest {
    std::string body = R"({"repositoryName":"app"})";
    std::string payload = hex_digest(HashAlgorithm::sha256, body);
    std::vector<sigv4::Header> headers;
    sigv4::RequestView view() const { return {"POST", "/", "", headers, payload}; }
};

SignedRequest signed_request(TimePoint now, std::string_view key_id, std::string_view secret,
                             std::string_view region = "us-east-1") {
    SignedRequest r;
    const auto amz_date = sigv4::format_amz_date(now);
    r.headers = {{"Host", "api.ecr.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"},
                 {"X-Amz-Date", amz_date}};
    const sigv4::Scope scope{amz_date.substr(0, 8), std::string(region), "ecr"};
    r.headers.push_back({"Authorization", sigv4::authorization_header(
                                              r.view(), {key_id, secret, ""}, scope, amz_date)});
    return r;
}

TEST_F(AuthenticatorTest, SigV4SignedRequestVerifies) {
    const auto r = signed_request(clock_.now(), kKeyId, kSecret);
    auto who = auth_->sigv4(r.view(), "ecr");
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->identity->arn, "arn:aws:iam::000000000000:user/alice");
    EXPECT_EQ(who->access_key_id, kKeyId);
}

TEST_F(AuthenticatorTest, SigV4Failures) {
    add_key("AKIAINACTIVEINACTIVE", "inactive secret", false);
    EXPECT_EQ(code_of(auth_->sigv4(
                  signed_request(clock_.now(), kKeyId, kSecret, "eu-west-1").view(), "ecr")),
              Errc::signature_invalid);
    EXPECT_EQ(code_of(auth_->sigv4(signed_request(clock_.now(), kKeyId, "wrong").view(), "ecr")),
              Errc::signature_invalid);
    EXPECT_EQ(code_of(auth_->sigv4(signed_request(clock_.now(), kKeyId, kSecret).view(), "s3")),
              Errc::signature_invalid);
    EXPECT_EQ(
        code_of(auth_->sigv4(signed_request(clock_.now() - 1h, kKeyId, kSecret).view(), "ecr")),
        Errc::signature_invalid);
    EXPECT_EQ(code_of(auth_->sigv4(
                  signed_request(clock_.now(), "AKIAUNKNOWNUNKNOWN00", kSecret).view(), "ecr")),
              Errc::credentials_unknown);
    EXPECT_EQ(
        code_of(auth_->sigv4(
            signed_request(clock_.now(), "AKIAINACTIVEINACTIVE", "inactive secret").view(), "ecr")),
        Errc::credentials_unknown);
    // A body other than the one signed.
    auto changed = signed_request(clock_.now(), kKeyId, kSecret);
    changed.payload = hex_digest(HashAlgorithm::sha256, "{}");
    EXPECT_EQ(code_of(auth_->sigv4(changed.view(), "ecr")), Errc::signature_invalid);
    // No Authorization at all.
    auto unsigned_request = signed_request(clock_.now(), kKeyId, kSecret);
    unsigned_request.headers.pop_back();
    EXPECT_EQ(code_of(auth_->sigv4(unsigned_request.view(), "ecr")), Errc::unauthorized);
}

}  // namespace
}  // namespace wharf::auth
