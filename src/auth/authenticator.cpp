#include "auth/authenticator.hpp"

#include <openssl/crypto.h>

#include <fmt/format.h>

#include "auth/token.hpp"
#include "common/base64.hpp"

namespace wharf::auth {
namespace {

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

Error unknown_key() {
    return Error{Errc::credentials_unknown, std::string(kInvalidToken)};
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

Authenticator::Authenticator(storage::MetadataStore& meta, SecretBox secrets,
                             std::array<std::byte, 32> token_key, const Clock& clock,
                             AuthOptions options)
    : meta_(meta),
      secrets_(std::move(secrets)),
      token_key_(token_key),
      clock_(clock),
      options_(std::move(options)) {}

bool Authenticator::fresh(TimePoint loaded_at) const {
    return clock_.now() - loaded_at < options_.cache_ttl;
}

Result<std::shared_ptr<const Authenticator::CachedKey>> Authenticator::key(
    const std::string& access_key_id) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = keys_.find(access_key_id);
            it != keys_.end() && fresh(it->second->loaded_at)) {
            return it->second;
        }
    }
    std::optional<storage::AccessKeyRecord> record;
    auto done = meta_.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = tx.access_keys().find(access_key_id);
        if (!found) {
            return found.error();
        }
        record = std::move(*found);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (!record) {
        return unknown_key();
    }
    auto secret = secrets_.open(record->sealed_secret, record->access_key_id);
    if (!secret) {
        return secret.error();
    }
    // Shared, not copied: each request reads the secret without allocating.
    auto entry = std::make_shared<const CachedKey>(
        CachedKey{std::move(*secret), record->principal_id, record->active, clock_.now()});
    std::lock_guard lock(mutex_);
    if (keys_.size() > 10000) {  // bounded: unknown ids are not cached, known ones are few
        keys_.clear();
    }
    keys_[access_key_id] = entry;
    return entry;
}

Result<std::shared_ptr<const Identity>> Authenticator::identity(std::int64_t principal_id) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = identities_.find(principal_id);
            it != identities_.end() && fresh(it->second.loaded_at)) {
            return it->second.identity;
        }
    }
    std::shared_ptr<const Identity> loaded;
    auto done = meta_.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto id = load_identity(tx, options_.account, principal_id);
        if (!id) {
            return id.error();
        }
        loaded = std::make_shared<const Identity>(std::move(*id));
        return ok();
    });
    if (!done) {
        return done.error();
    }
    std::lock_guard lock(mutex_);
    if (identities_.size() > 10000) {
        identities_.clear();
    }
    identities_[principal_id] = CachedIdentity{loaded, clock_.now()};
    return loaded;
}

Result<Authenticated> Authenticator::with_key(const std::string& access_key_id,
                                              std::string_view secret) {
    auto k = key(access_key_id);
    if (!k) {
        return k.error();
    }
    if (!(*k)->active || !equal_constant_time((*k)->secret, secret)) {
        return unknown_key();
    }
    auto id = identity((*k)->principal_id);
    if (!id) {
        return id.error();
    }
    return Authenticated{std::move(*id), access_key_id};
}

Result<Authenticated> Authenticator::with_token(std::string_view token) {
    auto claims = verify_token(token, token_key_, clock_.now());
    if (!claims) {
        return claims.error();
    }
    // A token lives no longer than the key that minted it: disabling the key revokes it.
    auto k = key(claims->access_key_id);
    if (!k) {
        return k.error();
    }
    if (!(*k)->active || std::to_string((*k)->principal_id) != claims->principal_id) {
        return unknown_key();
    }
    auto id = identity((*k)->principal_id);
    if (!id) {
        return id.error();
    }
    return Authenticated{std::move(*id), claims->access_key_id};
}

Result<Authenticated> Authenticator::basic(std::string_view header) {
    if (header.empty()) {
        return Error{Errc::unauthorized,
                     "authentication required: log in with "
                     "`aws ecr get-login-password | docker login --username "
                     "AWS --password-stdin <registry>` or an access key"};
    }
    if (!iequals_prefix(header, "Basic ")) {
        return Error{Errc::unauthorized,
                     "unsupported authorization scheme: use Basic with an ECR authorization "
                     "token (user AWS) or an access key id and secret"};
    }
    auto decoded = base64_decode(header.substr(6));
    if (!decoded) {
        return Error{Errc::unauthorized, "the Basic credentials are not valid base64"};
    }
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) {
        return Error{Errc::unauthorized,
                     "the Basic credentials have no ':' between user and "
                     "password"};
    }
    const std::string user = decoded->substr(0, colon);
    const std::string_view password = std::string_view(*decoded).substr(colon + 1);
    if (user == "AWS") {
        return with_token(password);
    }
    return with_key(user, password);
}

Result<Authenticated> Authenticator::sigv4(const sigv4::RequestView& request,
                                           std::string_view service) {
    auto signature = sigv4::parse(request);
    if (!signature) {
        return signature.error();
    }
    auto k = key(signature->access_key_id);
    if (!k) {
        return k.error();
    }
    if (!(*k)->active) {
        return unknown_key();
    }
    const sigv4::VerifyOptions verify_options{.region = options_.account.region,
                                              .service = service,
                                              .now = clock_.now(),
                                              .max_skew = options_.max_clock_skew,
                                              .allow_unsigned_payload = false};
    if (auto verified = sigv4::verify(request, *signature, (*k)->secret, verify_options);
        !verified) {
        return verified.error();
    }
    auto id = identity((*k)->principal_id);
    if (!id) {
        return id.error();
    }
    return Authenticated{std::move(*id), signature->access_key_id};
}

IssuedToken Authenticator::issue_token(const Authenticated& caller) {
    const auto now = clock_.now();
    const auto expires =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.token_lifetime);
    const auto token = mint_token(TokenClaims{std::to_string(caller.identity->principal_id),
                                              caller.access_key_id, now, expires},
                                  token_key_);
    return IssuedToken{base64_encode("AWS:" + token), expires};
}

}  // namespace wharf::auth
