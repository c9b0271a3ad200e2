#include "storage/blob/fs/fs_layout.hpp"

#include <string_view>

#include <fmt/format.h>

namespace wharf::storage::fs {
namespace {

bool is_hex(std::string_view text) {
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return !text.empty();
}

bool is_safe_id(std::string_view text) {
    for (const char c : text) {
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && c != '-' && c != '_') {
            return false;
        }
    }
    return !text.empty() && text.size() <= 64;
}

Error unsafe(std::string_view kind, std::string_view value) {
    return Error{Errc::internal, fmt::format("refusing {} '{}' as a path component", kind, value)};
}

}  // namespace

std::filesystem::path FsLayout::algorithm_dir(HashAlgorithm algorithm) const {
    return blobs_root() / std::string(to_string(algorithm));
}

Result<std::filesystem::path> FsLayout::blob_dir(const model::Digest& digest) const {
    const std::string_view hex = digest.hex();
    if (!is_hex(hex) || hex.size() != hex_length(digest.algorithm())) {
        return unsafe("digest", digest.str());
    }
    return algorithm_dir(digest.algorithm()) / std::string(hex.substr(0, 2));
}

Result<std::filesystem::path> FsLayout::blob_file(const model::Digest& digest) const {
    auto dir = blob_dir(digest);
    if (!dir) {
        return dir.error();
    }
    return *dir / std::string(digest.hex());
}

Result<std::filesystem::path> FsLayout::upload_dir(const model::UploadId& id) const {
    if (!is_safe_id(id.str())) {
        return unsafe("upload id", id.str());
    }
    return uploads_root() / id.str();
}

}  // namespace wharf::storage::fs
