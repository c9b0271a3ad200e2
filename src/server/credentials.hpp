#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>

#include "common/result.hpp"
#include "config/config.hpp"
#include "registry/accounts.hpp"

namespace wharf::server {

// The master key file named by the configuration (default <data>/master.key): 32 random bytes,
// created with mode 0600 when absent. Errc::internal when it cannot be read or has another size.
Result<std::array<std::byte, 32>> load_master_key(const config::Config& config);
// The key that signs authorization tokens, derived from the master key.
std::array<std::byte, 32> token_signing_key(const std::array<std::byte, 32>& master);

// {"AccessKey": {"UserName", "AccessKeyId", "Status", "SecretAccessKey", "CreateDate"}}, the
// shape of `aws iam create-access-key`; a role's key names it under "RoleName".
std::string access_key_json(const registry::NewAccessKey& key);
// Writes the bootstrap administrator's credentials once, mode 0600.
Result<void> write_admin_credentials(const std::filesystem::path& file,
                                     const registry::NewAccessKey& key);

}  // namespace wharf::server
