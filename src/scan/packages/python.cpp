// Python distributions: the core metadata file (*.dist-info/METADATA, PKG-INFO) is an email
// header block; Name and Version are required by the metadata spec, everything after the first
// blank line is the long description.
#include "scan/packages/packages.hpp"

#include "scan/packages/detail.hpp"

namespace wharf::scan {

std::optional<Package> parse_python_metadata(std::string_view text) {
    Package pkg;
    pkg.type = PackageType::pypi;
    detail::for_each_line(text, [&](std::string_view line) {
        if (detail::trim(line).empty()) {
            return false;  // end of the headers
        }
        if (line.front() == ' ' || line.front() == '\t') {
            return true;  // continuation of a folded header (License, Description)
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return true;
        }
        const auto key = line.substr(0, colon);
        const auto value = detail::trim(line.substr(colon + 1));
        if (detail::iequals(key, "Name") && pkg.name.empty()) {
            pkg.name = value;
        } else if (detail::iequals(key, "Version") && pkg.version.empty()) {
            pkg.version = value;
        } else if (detail::iequals(key, "License-Expression")) {
            pkg.license = value;  // the SPDX form (metadata 2.4) beats the free text
        } else if (detail::iequals(key, "License") && pkg.license.empty()) {
            pkg.license = value;
        }
        return true;
    });
    if (pkg.name.empty() || pkg.version.empty()) {
        return std::nullopt;
    }
    return pkg;
}

std::string normalize_pypi_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool in_run = false;
    for (const char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (!in_run) {
                out.push_back('-');
            }
            in_run = true;
            continue;
        }
        in_run = false;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

}  // namespace wharf::scan
