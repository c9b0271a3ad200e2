#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "storage/meta/metadata_store.hpp"

namespace wharf::auth {

// Who the registry is, as ARNs and URIs spell it.
struct AccountInfo {
    std::string account_id = "000000000000";  // 12 digits
    std::string region = "us-east-1";
};

// An authenticated principal of the account: an immutable snapshot taken when its credentials
// were checked (identity policies included, so authorization needs no further lookup).
struct Identity {
    std::int64_t principal_id = 0;
    storage::PrincipalKind kind = storage::PrincipalKind::user;
    std::string name;
    std::string arn;        // arn:aws:iam::<account>:user/<name> | :role/<name>
    std::string unique_id;  // aws:userid
    std::string account;
    storage::ResourceTags tags;
    std::vector<std::pair<std::string, std::string>> policies;  // (policy name, document)
};

std::string principal_arn(const AccountInfo& account, storage::PrincipalKind kind,
                          std::string_view name);
std::string_view kind_name(storage::PrincipalKind kind) noexcept;  // "user" | "role"

// Loads the principal with its policies inside a transaction. Errc::credentials_unknown when the
// principal no longer exists.
Result<Identity> load_identity(storage::MetadataTx& tx, const AccountInfo& account,
                               std::int64_t principal_id);

// Fresh identifiers in AWS's formats: AKIA + 16 of [A-Z2-7]; a 40-character secret; AIDA/AROA
// + 17 of [A-Z2-7] for unique ids.
std::string new_access_key_id();
std::string new_secret_access_key();
std::string new_unique_id(storage::PrincipalKind kind);

}  // namespace wharf::auth
