#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.hpp"

namespace wharf::model {

// A resolved, non-empty span of a blob: [offset, offset + length).
struct ByteSpan {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t last() const noexcept { return offset + length - 1; }
    friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};

// Range request header of a blob GET ("bytes=a-b", "bytes=a-", "bytes=-n") against a blob of
// `size` bytes. nullopt: serve the whole blob (no header, or a form we ignore per RFC 9110 such
// as several ranges or another unit). Errc::range_invalid: syntactically a single byte range but
// not satisfiable (answer 416 with Content-Range: bytes */size).
Result<std::optional<ByteSpan>> parse_range_header(std::string_view header, std::uint64_t size);

// Content-Range of a chunked upload PATCH: "<first>-<last>" inclusive, optionally with a
// "bytes " prefix and "/<total or *>" suffix as some clients send. Errc::range_invalid.
struct ChunkRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const noexcept { return last - first + 1; }
};
Result<ChunkRange> parse_content_range(std::string_view header);

}  // namespace wharf::model
