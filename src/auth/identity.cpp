#include "auth/identity.hpp"

#include <openssl/rand.h>

#include <array>

#include <fmt/format.h>

namespace wharf::auth {
namespace {

std::string random_chars(std::string_view alphabet, std::size_t n) {
    std::array<unsigned char, 64> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) {
        // OpenSSL's generator does not fail once seeded; an unseeded one is a broken host.
        throw std::runtime_error("RAND_bytes failed");
    }
    std::string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(alphabet[bytes[i] % alphabet.size()]);
    }
    return out;
}

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string_view kind_name(storage::PrincipalKind kind) noexcept {
    return kind == storage::PrincipalKind::user ? "user" : "role";
}

std::string principal_arn(const AccountInfo& account, storage::PrincipalKind kind,
                          std::string_view name) {
    return fmt::format("arn:aws:iam::{}:{}/{}", account.account_id, kind_name(kind), name);
}

Result<Identity> load_identity(storage::MetadataTx& tx, const AccountInfo& account,
                               std::int64_t principal_id) {
    auto found = tx.principals().find_by_id(principal_id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return Error{Errc::credentials_unknown,
                     "The security token included in the request is invalid."};
    }
    auto policies = tx.principals().policies(principal_id);
    if (!policies) {
        return policies.error();
    }
    const auto& p = **found;
    return Identity{p.id,        p.kind,
                    p.name,      principal_arn(account, p.kind, p.name),
                    p.unique_id, account.account_id,
                    p.tags,      std::move(*policies)};
}

std::string new_access_key_id() {
    return "AKIA" + random_chars(kBase32, 16);
}

std::string new_secret_access_key() {
    return random_chars(kSecretAlphabet, 40);
}

std::string new_unique_id(storage::PrincipalKind kind) {
    return (kind == storage::PrincipalKind::user ? "AIDA" : "AROA") + random_chars(kBase32, 17);
}

}  // namespace wharf::auth
