#pragma once

// Package extractors: each is a pure function from the bytes of one file found in an image layer
// to the packages it records. Inputs come from pushed images, so every parser accepts any bytes:
// malformed input yields fewer packages (or a Result error for files that must be whole, like a
// SQLite rpmdb), never a crash, an unbounded allocation or a hang.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace wharf::scan {

enum class PackageType { deb, apk, rpm, npm, pypi, golang, cargo, maven };

// "deb", "apk", "rpm", "npm", "pypi", "golang", "cargo", "maven" (the purl type).
std::string_view to_string(PackageType type);

struct Package {
    PackageType type = PackageType::deb;
    std::string name;     // binary package name; npm "@scope/name"; maven "group:artifact"
    std::string version;  // as recorded (dpkg/rpm include epoch "1:" when there is one)
    // OS packages: the source package and its version (dpkg Source:, apk origin, rpm SOURCERPM
    // name and version). Empty when the record names none: the matcher then uses name/version.
    std::string source_name;
    std::string source_version;
    std::string arch;
    std::string maintainer;  // dpkg Maintainer:, apk m:, rpm VENDOR
    std::string license;
    // Files the package owns (OS packages, when the database lists them), normalised like layer
    // paths: no leading "/" or "./". Used to drop language packages the OS installed.
    std::vector<std::string> files;
    // Language packages: the path of the file the package was read from (filled by the caller).
    std::string found_in;
};

struct OsRelease {
    std::string id;          // "debian", "alpine", "rhel", ...
    std::string version_id;  // "12", "3.19.1", ...
    std::string version_codename;
    std::string pretty_name;
};

// --- OS package databases ------------------------------------------------------------------

// var/lib/dpkg/status (and one file of the distroless var/lib/dpkg/status.d/): RFC 822
// paragraphs with continuation lines; keeps paragraphs whose Status is "install ok installed"
// (third word "installed") or, in status.d files, that have no Status field at all.
// Source: "name" or "name (version)"; when absent source = binary name/version.
std::vector<Package> parse_dpkg_status(std::string_view text, bool distroless = false);

// var/lib/dpkg/info/<pkg>.list (one path per line) or <pkg>.md5sums ("<md5>  <path>"): the
// files, normalised.
std::vector<std::string> parse_dpkg_file_list(std::string_view text);

// lib/apk/db/installed: blank-line separated records of "X:value" lines; P name, V version,
// A arch, o origin (source_name; source_version = V), m maintainer, L license, F: directory +
// R: file entries give files.
std::vector<Package> parse_apk_installed(std::string_view text);

// One rpm header blob as stored in rpmdb.sqlite's Packages table (and in BDB/NDB): index entry
// count, data size, entries, data store. NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM
// (source_name/source_version parsed from "name-version-release.src.rpm"), VENDOR, LICENSE,
// and the file names (DIRNAMES + BASENAMES + DIRINDEXES). version = "[epoch:]version-release".
Result<Package> parse_rpm_header(std::span<const std::uint8_t> blob);

// An rpmdb.sqlite file's bytes (opened in memory, read-only): every header in Packages.
Result<std::vector<Package>> parse_rpm_sqlite(std::span<const std::uint8_t> db);

// A Berkeley DB hash "Packages" file (rpm < 4.16), either byte order: every header blob, in
// instance order. Errc::bad_request when the file is not an unencrypted hash database.
Result<std::vector<Package>> parse_rpm_bdb(std::span<const std::uint8_t> db);

// An ndb "Packages.db" file (rpm's own store, SUSE): every header blob whose slot, bounds and
// Adler-32 check out, in package-index order. Errc::bad_request when the file is not ndb.
Result<std::vector<Package>> parse_rpm_ndb(std::span<const std::uint8_t> db);

// etc/os-release or usr/lib/os-release (shell-style KEY=value, quotes optional).
std::optional<OsRelease> parse_os_release(std::string_view text);

// --- Language packages -----------------------------------------------------------------------

// *.dist-info/METADATA, *.egg-info/PKG-INFO, *.egg-info (file): Name and Version headers
// (email-style, stops at the first blank line). The name is kept as written; see
// normalize_pypi_name.
std::optional<Package> parse_python_metadata(std::string_view text);

// PEP 503: lowercase, runs of [-_.] become "-".
std::string normalize_pypi_name(std::string_view name);

// node_modules/<name>/package.json: name and version (both required), license.
std::optional<Package> parse_npm_package_json(std::string_view text);

// package-lock.json v1 (dependencies, nested), v2 and v3 (packages, keyed by node_modules path;
// the root "" entry is the project itself and is skipped; link entries are skipped).
std::vector<Package> parse_npm_package_lock(std::string_view text);

// Cargo.lock (TOML [[package]] name/version/source); packages without a source are the
// workspace's own crates and are skipped.
std::vector<Package> parse_cargo_lock(std::string_view text);

// A Go executable (ELF; the whole file or at least its first 64 MiB): the build info written by
// Go >= 1.18 (".go.buildinfo" section or the "\xff Go buildinf:" magic, inline strings). Returns
// stdlib (name "stdlib", version from "go1.21.3" -> "1.21.3"), and every dep (replacements
// applied: the replacing module's path/version win); the main module only when it has a
// version that is not "(devel)". Versions keep Go's "v" prefix except stdlib. Empty when the
// bytes are not a Go binary.
std::vector<Package> parse_go_buildinfo(std::span<const std::uint8_t> executable);

// A cargo-auditable executable: the ".dep-v0" ELF section, zlib-compressed JSON
// {"packages":[{"name","version","source","kind"}]}; crates with source "local" skipped.
std::vector<Package> parse_cargo_auditable(std::span<const std::uint8_t> executable);

// Inside a jar: META-INF/maven/<g>/<a>/pom.properties (groupId, artifactId, version).
std::optional<Package> parse_pom_properties(std::string_view text);
// META-INF/MANIFEST.MF: Implementation-Title/Vendor-Id/Version, else Bundle-SymbolicName and
// Bundle-Version. Continuation lines (leading space) are joined.
std::optional<Package> parse_jar_manifest(std::string_view text);

}  // namespace wharf::scan
