#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/secret_box.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// A freshly created access key: the only moment its secret exists in clear.
struct NewAccessKey {
    storage::AccessKeyRecord key;
    storage::PrincipalRecord principal;
    std::string secret;
};

struct KeyListing {
    storage::AccessKeyRecord key;
    storage::PrincipalRecord principal;
};

// Principals of the account (users and roles), their identity policies and access keys: what
// `wharf admin` manages. Secrets are sealed with the master key before they are stored.
class AccountAdmin {
public:
    AccountAdmin(ServiceContext& ctx, const SecretBox& secrets) : ctx_(ctx), secrets_(secrets) {}

    // Names as IAM allows: 1-64 of [A-Za-z0-9+=,.@_-]. Errc::already_exists, Errc::bad_request.
    Result<storage::PrincipalRecord> create(storage::PrincipalKind kind, const std::string& name);
    Result<std::vector<storage::PrincipalRecord>> list(storage::PrincipalKind kind);
    Result<void> remove(storage::PrincipalKind kind, const std::string& name);
    // Validated as an identity policy (no Principal); replaces a policy of the same name.
    Result<void> put_policy(storage::PrincipalKind kind, const std::string& name,
                            const std::string& policy_name, const std::string& document);
    Result<void> delete_policy(storage::PrincipalKind kind, const std::string& name,
                               const std::string& policy_name);
    Result<std::vector<std::pair<std::string, std::string>>> policies(storage::PrincipalKind kind,
                                                                      const std::string& name);

    Result<NewAccessKey> create_key(storage::PrincipalKind kind, const std::string& name);
    Result<std::vector<KeyListing>> list_keys();
    Result<void> set_key_active(const std::string& access_key_id, bool active);
    Result<void> delete_key(const std::string& access_key_id);

    // On an empty account: creates the user `name` with full rights and a key for it. nullopt
    // when the account already has principals (idempotent across restarts).
    Result<std::optional<NewAccessKey>> bootstrap_admin(const std::string& name);

private:
    Result<storage::PrincipalRecord> require(storage::MetadataTx& tx, storage::PrincipalKind kind,
                                             const std::string& name);
    ServiceContext& ctx_;
    const SecretBox& secrets_;
};

// The identity policy given to the bootstrap administrator.
inline constexpr std::string_view kAdministratorPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"AdministratorAccess","Effect":"Allow",)"
    R"("Action":"*","Resource":"*"}]})";

}  // namespace wharf::registry
