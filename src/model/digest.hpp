#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "common/hash.hpp"
#include "common/result.hpp"

namespace wharf::model {

// "<algorithm>:<hex>", sha256 (64 hex) or sha512 (128 hex), lower-case hex only, as the OCI
// image spec requires for registered algorithms. Cannot hold an invalid value.
class Digest {
public:
    // Errc::digest_invalid with a message that says which part is wrong.
    static Result<Digest> parse(std::string_view text);
    static Digest of(std::string_view bytes, HashAlgorithm algorithm = HashAlgorithm::sha256);
    static Digest from(const Hasher& hasher);

    const std::string& str() const noexcept { return text_; }
    HashAlgorithm algorithm() const noexcept;
    std::string_view hex() const noexcept;  // the part after ':'

    friend bool operator==(const Digest&, const Digest&) = default;
    friend auto operator<=>(const Digest&, const Digest&) = default;

private:
    explicit Digest(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

}  // namespace wharf::model
