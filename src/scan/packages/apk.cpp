// apk's database, lib/apk/db/installed: one record per package, "X:value" lines, records
// separated by blank lines. F: names a directory and the R: lines after it are files in it.
#include "scan/packages/packages.hpp"

#include "scan/packages/detail.hpp"

namespace wharf::scan {

std::vector<Package> parse_apk_installed(std::string_view text) {
    std::vector<Package> out;
    detail::FileBudget budget;
    Package pkg;
    std::string_view dir;
    bool open = false;
    const auto finish = [&] {
        if (open && !pkg.name.empty() && !pkg.version.empty()) {
            if (!pkg.source_name.empty()) {
                pkg.source_version = pkg.version;  // an origin's subpackages share its version
            }
            out.push_back(std::move(pkg));
        }
        pkg = Package{};
        pkg.type = PackageType::apk;
        dir = {};
        open = false;
    };
    finish();
    detail::for_each_line(text, [&](std::string_view line) {
        if (detail::trim(line).empty()) {
            finish();
            return out.size() < detail::kMaxPackages;
        }
        if (line.size() < 2 || line[1] != ':') {
            return true;
        }
        open = true;
        const auto value = line.substr(2);
        switch (line[0]) {
            case 'P':
                pkg.name = value;
                break;
            case 'V':
                pkg.version = value;
                break;
            case 'A':
                pkg.arch = value;
                break;
            case 'o':
                pkg.source_name = value;
                break;
            case 'm':
                pkg.maintainer = value;
                break;
            case 'L':
                pkg.license = value;
                break;
            case 'F':
                dir = value;
                break;
            case 'R':
                detail::add_file(pkg.files, budget, dir, value);
                break;
            default:
                break;
        }
        return true;
    });
    if (out.size() < detail::kMaxPackages) {
        finish();
    }
    return out;
}

}  // namespace wharf::scan
