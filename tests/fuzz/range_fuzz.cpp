// parse_range_header with a blob size from the first 8 bytes (little-endian), and
// parse_content_range, on the rest of the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/byte_range.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) {
        return 0;
    }
    std::uint64_t blob_size = 0;
    for (int i = 7; i >= 0; --i) {
        blob_size = (blob_size << 8) | data[i];
    }
    const std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);

    auto range = wharf::model::parse_range_header(header, blob_size);
    if (range) {
        if (range->has_value()) {
            const auto span = **range;
            check(span.length > 0);
            check(span.offset < blob_size);
            check(span.length <= blob_size - span.offset);
            check(span.last() < blob_size);
        }
    } else {
        check(range.error().code == wharf::Errc::range_invalid);
        (void)nlohmann::json({{"m", range.error().message}, {"d", range.error().detail}}).dump();
    }

    auto chunk = wharf::model::parse_content_range(header);
    if (chunk) {
        check(chunk->first <= chunk->last);
        check(chunk->length() >= 1);
    } else {
        check(chunk.error().code == wharf::Errc::range_invalid);
        (void)nlohmann::json({{"m", chunk.error().message}, {"d", chunk.error().detail}}).dump();
    }
    return 0;
}
