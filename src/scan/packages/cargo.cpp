// Cargo.lock: TOML written by cargo, so a line reader over the subset cargo emits suffices:
// [[package]] tables with name/version/source basic strings, and multi-line arrays
// (dependencies) whose lines are skipped. Crates without a source are the workspace's own.
#include "scan/packages/packages.hpp"

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

// The value of a TOML basic string ("..." with backslash escapes), or nullopt if the value is
// not one (arrays, inline tables, numbers).
std::optional<std::string> basic_string(std::string_view value) {
    value = detail::trim(value);
    if (value.size() < 2 || value.front() != '"') {
        return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '"') {
            return out;
        }
        if (c == '\\' && i + 1 < value.size()) {
            out.push_back(value[++i]);  // crate names and versions never need \u escapes
        } else {
            out.push_back(c);
        }
    }
    return std::nullopt;
}

// True when an array value opened on this line is still open at its end (outside strings).
bool array_left_open(std::string_view value) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '#') {
            break;
        } else if (c == '[') {
            ++depth;
        } else if (c == ']') {
            --depth;
        }
    }
    return depth > 0;
}

}  // namespace

std::vector<Package> parse_cargo_lock(std::string_view text) {
    std::vector<Package> out;
    bool in_package = false;
    bool in_array = false;
    std::string name, version, source;
    const auto finish = [&] {
        if (in_package && !name.empty() && !version.empty() && !source.empty()) {
            Package pkg;
            pkg.type = PackageType::cargo;
            pkg.name = std::move(name);
            pkg.version = std::move(version);
            out.push_back(std::move(pkg));
        }
        name.clear();
        version.clear();
        source.clear();
    };
    detail::for_each_line(text, [&](std::string_view raw) {
        const auto line = detail::trim(raw);
        if (in_array) {
            // cargo writes one element per line and the closing "]" alone.
            if (line.starts_with("]")) {
                in_array = false;
            }
            return true;
        }
        if (line.empty() || line.front() == '#') {
            return true;
        }
        if (line.front() == '[') {
            finish();
            in_package = line == "[[package]]";
            return out.size() < detail::kMaxPackages;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            return true;
        }
        const auto key = detail::trim(line.substr(0, eq));
        const auto value = line.substr(eq + 1);
        if (array_left_open(value)) {
            in_array = true;
            return true;
        }
        if (!in_package) {
            return true;
        }
        auto str = basic_string(value);
        if (!str) {
            return true;
        }
        if (key == "name") {
            name = std::move(*str);
        } else if (key == "version") {
            version = std::move(*str);
        } else if (key == "source") {
            source = std::move(*str);
        }
        return true;
    });
    if (out.size() < detail::kMaxPackages) {
        finish();
    }
    return out;
}

}  // namespace wharf::scan
