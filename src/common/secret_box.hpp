#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace wharf {

// Authenticated encryption of small secrets at rest (e.g. access key secrets in a TEXT column)
// under one 32-byte master key: AES-256-GCM with a fresh random 96-bit nonce per seal.
//
// Sealed form: base64( version 0x01 | nonce (12) | ciphertext | tag (16) ). The version byte and
// the caller's associated data (e.g. the access key id) are authenticated but not stored, so a
// value copied to another row, or decrypted under another key, fails to open. Thread-safe.
class SecretBox {
public:
    static constexpr std::size_t kKeySize = 32;

    // Errc::bad_request unless the key is exactly 32 bytes.
    static Result<SecretBox> from_key(std::span<const std::byte> key);
    // A fresh random key from the OS's CSPRNG.
    static std::array<std::byte, kKeySize> generate_key();

    // Printable, never fails (a broken CSPRNG or cipher is not a caller error: it throws).
    std::string seal(std::string_view plaintext, std::string_view associated_data) const;
    // Errc::internal "cannot decrypt: wrong master key or corrupted value" for anything that does
    // not authenticate: wrong key, wrong associated data, truncation, a changed byte, bad base64.
    Result<std::string> open(std::string_view sealed, std::string_view associated_data) const;

    SecretBox(const SecretBox&) = default;
    SecretBox& operator=(const SecretBox&) = default;
    SecretBox(SecretBox&&) noexcept = default;
    SecretBox& operator=(SecretBox&&) noexcept = default;
    ~SecretBox();  // wipes the key

private:
    explicit SecretBox(const std::array<std::byte, kKeySize>& key) : key_(key) {}
    std::array<std::byte, kKeySize> key_;
};

}  // namespace wharf
