#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// Percent-decodes a URL component ('+' stays '+'); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace wharf
