// dpkg's database: var/lib/dpkg/status (one paragraph per package, RFC 822 style), the
// distroless status.d/ files, and the info/<pkg>.list and .md5sums file lists.
#include "scan/packages/packages.hpp"

#include <cctype>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

// The fields of one paragraph that matter; continuation lines (leading space or tab) only
// ever extend fields we do not read (Description, Conffiles, ...), so they are skipped.
struct Paragraph {
    std::string_view package, status, version, source, arch, maintainer;
    bool has_status = false;
    bool any_field = false;
};

bool is_installed(std::string_view status) {
    // "want flag state": "install ok installed"; only the state word decides (a package on hold
    // or being removed is still on disk while its state is "installed").
    std::size_t words = 0;
    std::string_view third;
    while (!status.empty()) {
        status = detail::trim(status);
        const auto end = status.find_first_of(" \t");
        const auto word = status.substr(0, end);
        if (!word.empty() && ++words == 3) {
            third = word;
        }
        status = end == std::string_view::npos ? std::string_view{} : status.substr(end);
    }
    return words == 3 && third == "installed";
}

void finish(const Paragraph& p, bool distroless, std::vector<Package>& out) {
    if (!p.any_field || p.package.empty() || p.version.empty()) {
        return;
    }
    if (p.has_status ? !is_installed(p.status) : !distroless) {
        return;
    }
    Package pkg;
    pkg.type = PackageType::deb;
    pkg.name = p.package;
    pkg.version = p.version;
    pkg.arch = p.arch;
    pkg.maintainer = p.maintainer;
    // "Source: name" or "Source: name (version)": the version is given when it differs from
    // the binary's (binNMUs, packages built from an older source).
    std::string_view source = p.source;
    std::string_view source_version = p.version;
    if (const auto open = source.find('('); open != std::string_view::npos) {
        const auto close = source.find(')', open);
        source_version = detail::trim(source.substr(
            open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1));
        source = detail::trim(source.substr(0, open));
    }
    pkg.source_name = source.empty() ? pkg.name : std::string(source);
    pkg.source_version = source_version.empty() ? pkg.version : std::string(source_version);
    out.push_back(std::move(pkg));
}

}  // namespace

std::vector<Package> parse_dpkg_status(std::string_view text, bool distroless) {
    std::vector<Package> out;
    Paragraph p;
    detail::for_each_line(text, [&](std::string_view line) {
        if (detail::trim(line).empty()) {
            finish(p, distroless, out);
            p = Paragraph{};
            return out.size() < detail::kMaxPackages;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            return true;  // continuation of the previous field
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return true;
        }
        const auto name = line.substr(0, colon);
        const auto value = detail::trim(line.substr(colon + 1));
        p.any_field = true;
        // dpkg's field names are case-insensitive; the first occurrence wins like dpkg's parser.
        const auto set = [&](std::string_view& field) {
            if (field.empty()) {
                field = value;
            }
        };
        if (detail::iequals(name, "Package")) {
            set(p.package);
        } else if (detail::iequals(name, "Status")) {
            p.has_status = true;
            set(p.status);
        } else if (detail::iequals(name, "Version")) {
            set(p.version);
        } else if (detail::iequals(name, "Source")) {
            set(p.source);
        } else if (detail::iequals(name, "Architecture")) {
            set(p.arch);
        } else if (detail::iequals(name, "Maintainer")) {
            set(p.maintainer);
        }
        return true;
    });
    if (out.size() < detail::kMaxPackages) {
        finish(p, distroless, out);
    }
    return out;
}

std::vector<std::string> parse_dpkg_file_list(std::string_view text) {
    std::vector<std::string> files;
    detail::FileBudget budget;
    detail::for_each_line(text, [&](std::string_view line) {
        // md5sums: 32 hex digits, two spaces, the path relative to the root.
        std::size_t hex = 0;
        while (hex < line.size() && std::isxdigit(static_cast<unsigned char>(line[hex]))) {
            ++hex;
        }
        if (hex == 32 && hex < line.size() && (line[hex] == ' ' || line[hex] == '\t')) {
            line.remove_prefix(hex);
        }
        detail::add_file(files, budget, {}, line);
        return budget.files_left > 0;
    });
    return files;
}

}  // namespace wharf::scan
