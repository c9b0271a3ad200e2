// The low-level SHA256_CTX/SHA512_CTX API is deprecated in OpenSSL 3 but is the only one whose
// state is a plain struct we can persist; EVP contexts cannot be serialised.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/hash.hpp"

#include <openssl/opensslv.h>
#include <openssl/sha.h>

#include <cstring>
#include <utility>

namespace wharf {
namespace {

constexpr char kStateMagic[4] = {'W', 'H', 'S', '1'};

std::string to_hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4];
        out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
    }
    return out;
}

}  // namespace

struct Hasher::State {
    SHA256_CTX sha256;
    SHA512_CTX sha512;
};

std::string_view to_string(HashAlgorithm algorithm) noexcept {
    return algorithm == HashAlgorithm::sha256 ? "sha256" : "sha512";
}

std::size_t hex_length(HashAlgorithm algorithm) noexcept {
    return algorithm == HashAlgorithm::sha256 ? 64 : 128;
}

Hasher::Hasher(HashAlgorithm algorithm) : algorithm_(algorithm), state_(new State{}) {
    if (algorithm_ == HashAlgorithm::sha256) {
        SHA256_Init(&state_->sha256);
    } else {
        SHA512_Init(&state_->sha512);
    }
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::span<const std::byte> bytes) noexcept {
    if (algorithm_ == HashAlgorithm::sha256) {
        SHA256_Update(&state_->sha256, bytes.data(), bytes.size());
    } else {
        SHA512_Update(&state_->sha512, bytes.data(), bytes.size());
    }
    total_ += bytes.size();
}

void Hasher::update(std::string_view text) noexcept {
    update(std::as_bytes(std::span{text.data(), text.size()}));
}

std::string Hasher::hex() const {
    unsigned char out[SHA512_DIGEST_LENGTH];
    if (algorithm_ == HashAlgorithm::sha256) {
        SHA256_CTX copy = state_->sha256;
        SHA256_Final(out, &copy);
        return to_hex(out, SHA256_DIGEST_LENGTH);
    }
    SHA512_CTX copy = state_->sha512;
    SHA512_Final(out, &copy);
    return to_hex(out, SHA512_DIGEST_LENGTH);
}

// The raw OpenSSL context layout is only meaningful to the same OpenSSL build on the same
// architecture; a snapshot from another one is refused (the caller re-hashes instead).
constexpr std::uint64_t kLayoutStamp =
    (static_cast<std::uint64_t>(OPENSSL_VERSION_NUMBER) << 16) ^ (sizeof(void*) << 8) ^
    sizeof(SHA512_CTX);

std::string Hasher::export_state() const {
    std::string out(kStateMagic, sizeof kStateMagic);
    out.append(reinterpret_cast<const char*>(&kLayoutStamp), sizeof kLayoutStamp);
    out.push_back(algorithm_ == HashAlgorithm::sha256 ? '2' : '5');
    out.append(reinterpret_cast<const char*>(&total_), sizeof total_);
    if (algorithm_ == HashAlgorithm::sha256) {
        out.append(reinterpret_cast<const char*>(&state_->sha256), sizeof(SHA256_CTX));
    } else {
        out.append(reinterpret_cast<const char*>(&state_->sha512), sizeof(SHA512_CTX));
    }
    return out;
}

std::optional<Hasher> Hasher::import_state(std::string_view state) {
    if (state.size() < sizeof kStateMagic + sizeof kLayoutStamp ||
        std::memcmp(state.data(), kStateMagic, sizeof kStateMagic) != 0 ||
        std::memcmp(state.data() + sizeof kStateMagic, &kLayoutStamp, sizeof kLayoutStamp) != 0) {
        return std::nullopt;
    }
    // From here on, offsets are as if the stamp were not there.
    std::string unstamped(kStateMagic, sizeof kStateMagic);
    unstamped.append(state.substr(sizeof kStateMagic + sizeof kLayoutStamp));
    state = unstamped;
    constexpr std::size_t head = sizeof kStateMagic + 1 + sizeof(std::uint64_t);
    if (state.size() < head) {
        return std::nullopt;
    }
    const char kind = state[sizeof kStateMagic];
    const auto algorithm = kind == '2' ? HashAlgorithm::sha256 : HashAlgorithm::sha512;
    const std::size_t ctx_size = kind == '2' ? sizeof(SHA256_CTX) : sizeof(SHA512_CTX);
    if ((kind != '2' && kind != '5') || state.size() != head + ctx_size) {
        return std::nullopt;
    }
    Hasher h(algorithm);
    std::memcpy(&h.total_, state.data() + sizeof kStateMagic + 1, sizeof h.total_);
    void* ctx = kind == '2' ? static_cast<void*>(&h.state_->sha256)
                            : static_cast<void*>(&h.state_->sha512);
    std::memcpy(ctx, state.data() + head, ctx_size);
    // The snapshot comes from disk: check every field OpenSSL indexes with before trusting it,
    // so a corrupt or crafted file is refused instead of writing out of bounds on update().
    const std::uint64_t bits = h.total_ * 8;
    if (kind == '2') {
        const auto& c = h.state_->sha256;
        const std::uint64_t counted = (static_cast<std::uint64_t>(c.Nh) << 32) | c.Nl;
        if (c.num >= SHA256_CBLOCK || c.md_len != SHA256_DIGEST_LENGTH || counted != bits ||
            c.num != h.total_ % SHA256_CBLOCK || (h.total_ >> 61) != 0) {
            return std::nullopt;
        }
    } else {
        const auto& c = h.state_->sha512;
        if (c.num >= SHA512_CBLOCK || c.md_len != SHA512_DIGEST_LENGTH || c.Nl != bits ||
            c.Nh != (h.total_ >> 61) || c.num != h.total_ % SHA512_CBLOCK) {
            return std::nullopt;
        }
    }
    return h;
}

std::string hex_digest(HashAlgorithm algorithm, std::string_view bytes) {
    Hasher h(algorithm);
    h.update(bytes);
    return h.hex();
}

}  // namespace wharf
