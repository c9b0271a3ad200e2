// The TOML config loader: any text must give a Config or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto loaded = wharf::config::load_string(text, "fuzz");
    if (loaded) {
        (void)wharf::config::validate(*loaded);
    }
    (void)wharf::config::parse_listen(text);
    return 0;
}
