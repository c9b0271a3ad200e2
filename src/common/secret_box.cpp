#include "common/secret_box.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "common/base64.hpp"

namespace wharf {
namespace {

constexpr unsigned char kVersion = 0x01;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

// Failures here mean a broken machine or OpenSSL build, never bad input.
void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(what);
    }
}

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

Error cannot_decrypt() {
    return Error{Errc::internal, "cannot decrypt: wrong master key or corrupted value"};
}

// The version byte and the caller's associated data, both authenticated.
bool add_aad(EVP_CIPHER_CTX* ctx, std::string_view associated_data) {
    int len = 0;
    if (EVP_EncryptUpdate(ctx, nullptr, &len, &kVersion, 1) != 1) {
        return false;
    }
    return associated_data.empty() ||
           EVP_EncryptUpdate(ctx, nullptr, &len, bytes(associated_data),
                             static_cast<int>(associated_data.size())) == 1;
}

bool add_aad_decrypt(EVP_CIPHER_CTX* ctx, std::string_view associated_data) {
    int len = 0;
    if (EVP_DecryptUpdate(ctx, nullptr, &len, &kVersion, 1) != 1) {
        return false;
    }
    return associated_data.empty() ||
           EVP_DecryptUpdate(ctx, nullptr, &len, bytes(associated_data),
                             static_cast<int>(associated_data.size())) == 1;
}

}  // namespace

Result<SecretBox> SecretBox::from_key(std::span<const std::byte> key) {
    if (key.size() != kKeySize) {
        return Error{Errc::bad_request, "the master key must be exactly 32 bytes (got " +
                                            std::to_string(key.size()) + ")"};
    }
    std::array<std::byte, kKeySize> copy{};
    std::copy(key.begin(), key.end(), copy.begin());
    SecretBox box(copy);
    OPENSSL_cleanse(copy.data(), copy.size());
    return box;
}

std::array<std::byte, SecretBox::kKeySize> SecretBox::generate_key() {
    std::array<std::byte, kKeySize> key{};
    require(RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeySize) == 1,
            "RAND_bytes failed");
    return key;
}

SecretBox::~SecretBox() {
    OPENSSL_cleanse(key_.data(), key_.size());
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated_data) const {
    require(plaintext.size() < (1u << 30) && associated_data.size() < (1u << 30),
            "SecretBox is for small secrets");
    std::string raw(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    out[0] = kVersion;
    unsigned char* nonce = out + 1;
    unsigned char* cipher = nonce + kNonceSize;
    require(RAND_bytes(nonce, kNonceSize) == 1, "RAND_bytes failed");

    CipherCtx ctx(EVP_CIPHER_CTX_new());
    require(ctx != nullptr, "EVP_CIPHER_CTX_new failed");
    const auto* key = reinterpret_cast<const unsigned char*>(key_.data());
    require(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1,
            "AES-256-GCM init failed");
    require(add_aad(ctx.get(), associated_data), "AES-256-GCM aad failed");
    int len = 0;
    if (!plaintext.empty()) {
        require(EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plaintext),
                                  static_cast<int>(plaintext.size())) == 1,
                "AES-256-GCM encrypt failed");
    }
    int tail = 0;
    require(EVP_EncryptFinal_ex(ctx.get(), cipher + len, &tail) == 1, "AES-256-GCM final failed");
    require(static_cast<std::size_t>(len + tail) == plaintext.size(), "AES-256-GCM length");
    require(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                cipher + plaintext.size()) == 1,
            "AES-256-GCM tag failed");
    return base64_encode(raw);
}

Result<std::string> SecretBox::open(std::string_view sealed,
                                    std::string_view associated_data) const {
    auto raw = base64_decode(sealed);
    if (!raw || raw->size() < 1 + kNonceSize + kTagSize ||
        static_cast<unsigned char>((*raw)[0]) != kVersion || associated_data.size() >= (1u << 30)) {
        return cannot_decrypt();
    }
    const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
    const unsigned char* nonce = in + 1;
    const unsigned char* cipher = nonce + kNonceSize;
    const std::size_t cipher_size = raw->size() - 1 - kNonceSize - kTagSize;
    std::string plain(cipher_size, '\0');

    CipherCtx ctx(EVP_CIPHER_CTX_new());
    require(ctx != nullptr, "EVP_CIPHER_CTX_new failed");
    const auto* key = reinterpret_cast<const unsigned char*>(key_.data());
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) != 1 ||
        !add_aad_decrypt(ctx.get(), associated_data)) {
        return cannot_decrypt();
    }
    int len = 0;
    if (cipher_size > 0 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, cipher,
                          static_cast<int>(cipher_size)) != 1) {
        return cannot_decrypt();
    }
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads the tag.
    unsigned char tag[kTagSize];
    std::copy(cipher + cipher_size, cipher + cipher_size + kTagSize, tag);
    int tail = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len,
                            &tail) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return cannot_decrypt();
    }
    return plain;
}

}  // namespace wharf
