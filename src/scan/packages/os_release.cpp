// os-release(5): shell-style KEY=value assignments; values may be quoted with " or ' and use
// backslash escapes inside double quotes. Only the keys the matcher needs are kept.
#include "scan/packages/packages.hpp"

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

std::string unquote(std::string_view value) {
    value = detail::trim(value);
    if (value.empty() || (value.front() != '"' && value.front() != '\'')) {
        // Unquoted: a trailing " # comment" is not part of the value.
        if (const auto hash = value.find(" #"); hash != std::string_view::npos) {
            value = detail::trim(value.substr(0, hash));
        }
        return std::string(value);
    }
    const char quote = value.front();
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
        const char c = value[i];
        if (c == quote) {
            break;
        }
        if (quote == '"' && c == '\\' && i + 1 < value.size()) {
            out.push_back(value[++i]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::optional<OsRelease> parse_os_release(std::string_view text) {
    OsRelease release;
    detail::for_each_line(text, [&](std::string_view line) {
        line = detail::trim(line);
        if (line.empty() || line.front() == '#') {
            return true;
        }
        if (line.starts_with("export ")) {
            line.remove_prefix(7);
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            return true;
        }
        const auto key = detail::trim(line.substr(0, eq));
        const auto value = line.substr(eq + 1);
        if (key == "ID") {
            release.id = unquote(value);
        } else if (key == "VERSION_ID") {
            release.version_id = unquote(value);
        } else if (key == "VERSION_CODENAME") {
            release.version_codename = unquote(value);
        } else if (key == "PRETTY_NAME") {
            release.pretty_name = unquote(value);
        }
        return true;
    });
    if (release.id.empty()) {
        return std::nullopt;
    }
    return release;
}

}  // namespace wharf::scan
