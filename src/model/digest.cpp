#include "model/digest.hpp"

#include <fmt/format.h>

#include "model/text.hpp"

namespace wharf::model {
namespace {

Error invalid(std::string_view text, std::string_view why) {
    return Error{Errc::digest_invalid,
                 fmt::format("digest {} is invalid: {}", detail::quote(text), why),
                 {{"digest", detail::printable(text)}}};
}

bool is_lower_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
    if (text.empty()) {
        return invalid(text,
                       "it is empty; expected \"<algorithm>:<hex>\", e.g. \"sha256:\" "
                       "followed by 64 lower-case hex characters");
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return invalid(text,
                       "missing ':' between algorithm and hex; expected \"<algorithm>:<hex>\", "
                       "e.g. \"sha256:\" followed by 64 lower-case hex characters");
    }
    const auto name = text.substr(0, colon);
    const auto hex = text.substr(colon + 1);
    HashAlgorithm algorithm;
    if (name == "sha256") {
        algorithm = HashAlgorithm::sha256;
    } else if (name == "sha512") {
        algorithm = HashAlgorithm::sha512;
    } else {
        return invalid(text, fmt::format("unsupported algorithm {}; use sha256 or sha512",
                                         detail::quote(name, 32)));
    }
    const std::size_t want = hex_length(algorithm);
    if (hex.size() != want) {
        return invalid(text, fmt::format("{} needs {} lower-case hex characters, got {}",
                                         to_string(algorithm), want, hex.size()));
    }
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (!is_lower_hex(hex[i])) {
            const bool upper = hex[i] >= 'A' && hex[i] <= 'F';
            return invalid(
                text, fmt::format("{} needs {} lower-case hex characters; {} at hex "
                                  "position {} is {}",
                                  to_string(algorithm), want, detail::describe_char(hex[i]), i + 1,
                                  upper ? "upper case" : "not a hex digit"));
        }
    }
    return Digest(std::string(text));
}

Digest Digest::of(std::string_view bytes, HashAlgorithm algorithm) {
    return Digest(fmt::format("{}:{}", to_string(algorithm), hex_digest(algorithm, bytes)));
}

Digest Digest::from(const Hasher& hasher) {
    return Digest(fmt::format("{}:{}", to_string(hasher.algorithm()), hasher.hex()));
}

HashAlgorithm Digest::algorithm() const noexcept {
    return text_.starts_with("sha512:") ? HashAlgorithm::sha512 : HashAlgorithm::sha256;
}

std::string_view Digest::hex() const noexcept {
    return std::string_view(text_).substr(text_.find(':') + 1);
}

}  // namespace wharf::model
