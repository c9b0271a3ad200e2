#include "model/text.hpp"

#include <fmt/format.h>

namespace wharf::model::detail {

std::string describe_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
        return fmt::format("\\x{:02x}", u);
    }
    if (c == '\'') {
        return "\"'\"";
    }
    return fmt::format("'{}'", c);
}

std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    const std::size_t n = text.size() < limit ? text.size() : limit;
    for (std::size_t i = 0; i < n; ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u < 0x20 || u >= 0x7f) {
            out += fmt::format("\\x{:02x}", u);
        } else if (text[i] == '"' || text[i] == '\\') {
            out.push_back('\\');
            out.push_back(text[i]);
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::string quote(std::string_view text, std::size_t limit) {
    std::string out = "\"" + printable(text, limit) + "\"";
    if (limit < text.size()) {
        out += fmt::format(" (cut, {} bytes in all)", text.size());
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string_view trim_ows(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace wharf::model::detail
