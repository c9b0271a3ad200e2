// Percent-decoding of query parameters and path parameters from request targets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/percent.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto decoded = wharf::percent_decode(text)) {
        // Decoding never grows the text.
        if (decoded->size() > text.size()) {
            __builtin_trap();
        }
    }
    return 0;
}
