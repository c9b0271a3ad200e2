#include "storage/blob/fs/fs_blob_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wharf::storage::fs {

Result<std::size_t> FsBlobReader::read(std::span<std::byte> out) {
    const std::uint64_t left = length_ - position_;
    if (left == 0 || out.empty()) {
        return std::size_t{0};
    }
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left));
    auto n = pread_some(fd_.get(), out.first(want), offset_ + position_, path_);
    if (!n) {
        return n.error();
    }
    if (*n == 0) {  // the file is shorter than its stat said: it was damaged underneath us
        return Error{Errc::internal,
                     fmt::format("{} ended at {} bytes, expected {}", path_.string(),
                                 offset_ + position_, offset_ + length_)};
    }
    position_ += *n;
    return *n;
}

std::optional<NativeFileRegion> FsBlobReader::native_region() const {
    return NativeFileRegion{fd_.get(), offset_ + position_, length_ - position_};
}

}  // namespace wharf::storage::fs
