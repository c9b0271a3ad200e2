#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wharf {

enum class HashAlgorithm { sha256, sha512 };

std::string_view to_string(HashAlgorithm algorithm) noexcept;  // "sha256" / "sha512"
std::size_t hex_length(HashAlgorithm algorithm) noexcept;       // 64 / 128

// Incremental SHA-2 over OpenSSL. The state can be exported and imported as opaque bytes so an
// upload that spans requests, or a server restart, continues hashing without re-reading data.
class Hasher {
public:
    explicit Hasher(HashAlgorithm algorithm = HashAlgorithm::sha256);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(std::span<const std::byte> bytes) noexcept;
    void update(std::string_view text) noexcept;
    // Lower-case hex of the digest of everything so far; the state is left untouched, so more
    // bytes may follow.
    std::string hex() const;
    HashAlgorithm algorithm() const noexcept { return algorithm_; }
    std::uint64_t bytes_hashed() const noexcept { return total_; }

    // Opaque, versioned snapshot of the running state (for persistence beside an upload).
    std::string export_state() const;
    // Rebuilds a hasher from export_state(); nullopt when the bytes are not a valid snapshot.
    static std::optional<Hasher> import_state(std::string_view state);

private:
    struct State;
    HashAlgorithm algorithm_;
    std::uint64_t total_ = 0;
    std::unique_ptr<State> state_;
};

// Convenience: hex digest of a whole buffer.
std::string hex_digest(HashAlgorithm algorithm, std::string_view bytes);

}  // namespace wharf
