// Helpers the extractors share: line splitting, path normalisation, the owned-file budget and
// a JSON loader that checks nesting first (the library's own depth handling is not a contract).
#include "scan/packages/detail.hpp"

#include <algorithm>
#include <cctype>

namespace wharf::scan::detail {

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

void for_each_line(std::string_view text, const std::function<bool(std::string_view)>& line) {
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view current = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!current.empty() && current.back() == '\r') {
            current.remove_suffix(1);
        }
        if (!line(current)) {
            return;
        }
    }
}

std::string normalise_path(std::string_view path) {
    path = trim(path);
    for (;;) {
        if (path.starts_with("./")) {
            path.remove_prefix(2);
        } else if (path.starts_with("/")) {
            path.remove_prefix(1);
        } else {
            break;
        }
    }
    while (path.ends_with("/")) {
        path.remove_suffix(1);
    }
    if (path == ".") {
        return {};
    }
    return std::string(path);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

void add_file(std::vector<std::string>& out, FileBudget& budget, std::string_view dir,
              std::string_view name) {
    if (budget.files_left == 0 || dir.size() + name.size() + 1 > budget.bytes_left) {
        return;
    }
    std::string joined;
    if (dir.empty()) {
        joined = normalise_path(name);
    } else {
        joined.reserve(dir.size() + name.size() + 1);
        joined.append(dir);
        if (!joined.ends_with('/')) {
            joined.push_back('/');
        }
        joined.append(name);
        joined = normalise_path(joined);
    }
    if (joined.empty()) {
        return;
    }
    budget.files_left -= 1;
    budget.bytes_left -= joined.size() + 1;
    out.push_back(std::move(joined));
}

namespace {

// Deepest bracket nesting outside strings; stops counting past `limit`.
bool nesting_within(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                return false;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

}  // namespace

std::optional<nlohmann::json> parse_json(std::string_view text) {
    if (!nesting_within(text, kMaxJsonDepth)) {
        return std::nullopt;
    }
    try {
        auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) {
            return std::nullopt;
        }
        return j;
    } catch (const std::exception&) {  // allocation failure or a library surprise
        return std::nullopt;
    }
}

}  // namespace wharf::scan::detail
