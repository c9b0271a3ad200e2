#pragma once

#include <string>
#include <string_view>

namespace wharf {

// Appends `s` as a JSON string literal (RFC 8259 escaping) for hand-built log lines on hot
// paths. Bytes that are not printable ASCII (a hostile path, say) come out as \u00XX escapes, so
// every line stays one valid JSON object whatever the input.
void append_json_string(std::string& out, std::string_view s);

}  // namespace wharf
