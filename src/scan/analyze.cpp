#include <set>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "scan/inventory.hpp"

namespace wharf::scan {
namespace {

using layer::FileKind;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The jar a member path "<jar>!/<member>" came from (the innermost one for nested jars).
std::string_view jar_of(std::string_view member_path) {
    const auto bang = member_path.rfind("!/");
    return bang == std::string_view::npos ? member_path : member_path.substr(0, bang);
}

std::vector<Package> with_origin(std::vector<Package> packages, const std::string& path) {
    for (Package& p : packages) {
        p.found_in = path;
    }
    return packages;
}

std::vector<Package> one(std::optional<Package> p, const std::string& path) {
    std::vector<Package> out;
    if (p) {
        p->found_in = path;
        out.push_back(std::move(*p));
    }
    return out;
}

}  // namespace

LayerRecord analyze(const layer::LayerContents& contents) {
    LayerRecord record;
    record.whiteouts = contents.whiteouts;
    record.opaque_dirs = contents.opaque_dirs;
    record.symlinks = contents.symlinks;
    record.notes = contents.notes;

    // A jar is described by its pom.properties when it has one; MANIFEST.MF is the fallback.
    std::set<std::string, std::less<>> jars_with_pom;
    for (const layer::KeptFile& f : contents.files) {
        if (f.kind == FileKind::jar_pom_properties) {
            jars_with_pom.emplace(jar_of(f.path));
        }
    }

    for (const layer::KeptFile& f : contents.files) {
        LayerEntry entry{f.path, f.kind, {}, std::nullopt, {}};
        switch (f.kind) {
        case FileKind::os_release:
            entry.os = parse_os_release(f.bytes);
            break;
        case FileKind::dpkg_status:
            entry.packages = parse_dpkg_status(f.bytes);
            break;
        case FileKind::dpkg_status_d:
            entry.packages = parse_dpkg_status(f.bytes, true);
            break;
        case FileKind::dpkg_file_list:
            entry.owned_files = parse_dpkg_file_list(f.bytes);
            break;
        case FileKind::apk_installed:
            entry.packages = parse_apk_installed(f.bytes);
            break;
        case FileKind::rpm_sqlite:
        case FileKind::rpm_bdb:
        case FileKind::rpm_ndb: {
            const auto bytes = bytes_of(f.bytes);
            auto parsed = f.kind == FileKind::rpm_sqlite ? parse_rpm_sqlite(bytes)
                          : f.kind == FileKind::rpm_bdb  ? parse_rpm_bdb(bytes)
                                                         : parse_rpm_ndb(bytes);
            if (parsed) {
                entry.packages = std::move(*parsed);
            } else {
                record.notes.push_back(fmt::format("{}: {}", f.path, parsed.error().message));
            }
            break;
        }
        case FileKind::python_metadata:
            entry.packages = one(parse_python_metadata(f.bytes), f.path);
            break;
        case FileKind::npm_package_json:
            entry.packages = one(parse_npm_package_json(f.bytes), f.path);
            break;
        case FileKind::npm_lock:
            entry.packages = with_origin(parse_npm_package_lock(f.bytes), f.path);
            break;
        case FileKind::cargo_lock:
            entry.packages = with_origin(parse_cargo_lock(f.bytes), f.path);
            break;
        case FileKind::jar:
            break;  // its members of interest are reported as their own entries
        case FileKind::jar_pom_properties:
            entry.packages = one(parse_pom_properties(f.bytes), f.path);
            break;
        case FileKind::jar_manifest:
            if (!jars_with_pom.contains(jar_of(f.path))) {
                entry.packages = one(parse_jar_manifest(f.bytes), f.path);
            }
            break;
        case FileKind::executable: {
            auto go = parse_go_buildinfo(bytes_of(f.bytes));
            entry.packages = with_origin(
                go.empty() ? parse_cargo_auditable(bytes_of(f.bytes)) : std::move(go), f.path);
            break;
        }
        }
        // A package database is kept even when empty: it replaces an older one in the fold.
        const bool database = layer::is_package_database(f.kind);
        if (database || !entry.packages.empty() || entry.os || !entry.owned_files.empty()) {
            record.entries.push_back(std::move(entry));
        }
    }
    return record;
}

}  // namespace wharf::scan
