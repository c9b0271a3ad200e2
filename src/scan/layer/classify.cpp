// Which files of a layer the package extractors need: a fixed path list, then directory and name
// rules, then executables. Paths are normalised ("a/b", no leading slash).
#include "scan/layer/layer.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer {

namespace {

constexpr std::array<std::pair<std::string_view, FileKind>, 5> kFixed{{
    {"etc/os-release", FileKind::os_release},
    {"usr/lib/os-release", FileKind::os_release},
    {"var/lib/dpkg/status", FileKind::dpkg_status},
    {"lib/apk/db/installed", FileKind::apk_installed},
    {"usr/lib/apk/db/installed", FileKind::apk_installed},
}};

// The directories rpm keeps its database in (el, fedora/opensuse, and a few older layouts).
constexpr std::array<std::string_view, 3> kRpmDirs{"var/lib/rpm", "usr/lib/sysimage/rpm",
                                                   "usr/share/rpm"};

bool iequals_suffix(std::string_view text, std::string_view suffix) noexcept {
    if (text.size() < suffix.size()) {
        return false;
    }
    const auto tail = text.substr(text.size() - suffix.size());
    return std::equal(tail.begin(), tail.end(), suffix.begin(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
}

// "<stem><suffix>" with a non-empty stem.
bool has_suffix(std::string_view name, std::string_view suffix) noexcept {
    return name.size() > suffix.size() && name.ends_with(suffix);
}

bool has_component(std::string_view path, std::string_view component) noexcept {
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (path.substr(start, end - start) == component) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

// A package directory: node_modules/<name> or node_modules/@<scope>/<name>, at any depth (nested
// node_modules included). "node_modules/@scope" alone is a scope, not a package.
bool is_npm_package_dir(std::string_view dir) noexcept {
    using detail::basename;
    using detail::dirname;
    const auto name = basename(dir);
    const auto parent = dirname(dir);
    const auto parent_name = basename(parent);
    if (name.empty() || parent.empty()) {
        return false;
    }
    if (parent_name == "node_modules") {
        return !name.starts_with('@');
    }
    return parent_name.size() > 1 && parent_name.starts_with('@') && !name.starts_with('@') &&
           basename(dirname(parent)) == "node_modules";
}

std::optional<FileKind> by_directory(std::string_view dir, std::string_view name) {
    if (dir == "var/lib/dpkg/info") {
        if (has_suffix(name, ".list") || has_suffix(name, ".md5sums")) {
            return FileKind::dpkg_file_list;
        }
        return std::nullopt;
    }
    if (dir == "var/lib/dpkg/status.d") {
        return name.ends_with(".md5sums") ? FileKind::dpkg_file_list : FileKind::dpkg_status_d;
    }
    if (std::find(kRpmDirs.begin(), kRpmDirs.end(), dir) != kRpmDirs.end()) {
        if (name == "rpmdb.sqlite") {
            return FileKind::rpm_sqlite;
        }
        if (name == "Packages") {
            return FileKind::rpm_bdb;
        }
        if (name == "Packages.db") {
            return FileKind::rpm_ndb;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<FileKind> classify(std::string_view path, bool executable) {
    for (const auto& [fixed, kind] : kFixed) {
        if (path == fixed) {
            return kind;
        }
    }
    const auto name = detail::basename(path);
    const auto dir = detail::dirname(path);
    if (auto kind = by_directory(dir, name)) {
        return kind;
    }
    const auto parent = detail::basename(dir);
    if ((name == "METADATA" && has_suffix(parent, ".dist-info")) ||
        (name == "PKG-INFO" && has_suffix(parent, ".egg-info")) || has_suffix(name, ".egg-info")) {
        return FileKind::python_metadata;
    }
    if (name == "package.json" && is_npm_package_dir(dir)) {
        return FileKind::npm_package_json;
    }
    if (name == "package-lock.json" && !has_component(dir, "node_modules")) {
        return FileKind::npm_lock;
    }
    if (name == "Cargo.lock") {
        return FileKind::cargo_lock;
    }
    if (detail::is_jar_name(name)) {
        return FileKind::jar;
    }
    if (executable) {
        return FileKind::executable;
    }
    return std::nullopt;
}

namespace detail {

bool is_jar_name(std::string_view name) noexcept {
    return name.size() > 4 && (iequals_suffix(name, ".jar") || iequals_suffix(name, ".war") ||
                               iequals_suffix(name, ".ear"));
}

}  // namespace detail

bool is_package_database(FileKind kind) {
    return kind == FileKind::dpkg_status || kind == FileKind::apk_installed ||
           kind == FileKind::rpm_sqlite || kind == FileKind::rpm_bdb || kind == FileKind::rpm_ndb;
}

bool is_os_package_record(FileKind kind) {
    return is_package_database(kind) || kind == FileKind::dpkg_status_d;
}

}  // namespace wharf::scan::layer
