#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/identity.hpp"
#include "auth/sigv4.hpp"
#include "common/clock.hpp"
#include "common/secret_box.hpp"

namespace wharf::auth {

// The result of checking credentials.
struct Authenticated {
    std::shared_ptr<const Identity> identity;
    std::string access_key_id;  // the key that signed, or that minted the token
};

struct IssuedToken {
    std::string authorization_token;  // base64("AWS:" + password), as ECR returns it
    TimePoint expires_at;
};

struct AuthOptions {
    AccountInfo account;
    std::chrono::seconds token_lifetime{12 * 3600};
    // How long a key's secret and a principal's policies are reused before the store is read
    // again: the bound on how late `wharf admin key disable` or a policy change takes effect.
    std::chrono::seconds cache_ttl{5};
    std::chrono::seconds max_clock_skew{15 * 60};
};

// Turns credentials into an Identity. Thread-safe; methods block (they may read the store).
class Authenticator {
public:
    Authenticator(storage::MetadataStore& meta, SecretBox secrets,
                  std::array<std::byte, 32> token_key, const Clock& clock, AuthOptions options);

    // An HTTP Authorization header of the data plane: "Basic base64(AWS:<token>)" or
    // "Basic base64(<access key id>:<secret>)". Errc::unauthorized when absent or not Basic;
    // Errc::credentials_unknown for wrong credentials; Errc::token_expired.
    Result<Authenticated> basic(std::string_view authorization_header);
    // A SigV4-signed request of the ECR API (header or presigned-query form).
    Result<Authenticated> sigv4(const sigv4::RequestView& request, std::string_view service);
    // A fresh authorization token bound to the caller's principal and key.
    IssuedToken issue_token(const Authenticated& caller);

    const AuthOptions& options() const noexcept { return options_; }

private:
    struct CachedKey {
        std::string secret;
        std::int64_t principal_id = 0;
        bool active = false;
        TimePoint loaded_at;
    };
    struct CachedIdentity {
        std::shared_ptr<const Identity> identity;
        TimePoint loaded_at;
    };
    Result<std::shared_ptr<const CachedKey>> key(const std::string& access_key_id);
    Result<std::shared_ptr<const Identity>> identity(std::int64_t principal_id);
    Result<Authenticated> with_key(const std::string& access_key_id, std::string_view secret);
    Result<Authenticated> with_token(std::string_view token);
    bool fresh(TimePoint loaded_at) const;

    storage::MetadataStore& meta_;
    SecretBox secrets_;
    std::array<std::byte, 32> token_key_;
    const Clock& clock_;
    AuthOptions options_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const CachedKey>> keys_;
    std::unordered_map<std::int64_t, CachedIdentity> identities_;
};

}  // namespace wharf::auth
