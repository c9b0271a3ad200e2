#pragma once

// Reading one image layer as a stream (libarchive: gzip, zstd or plain tar, sniffed), keeping
// only the files the package extractors need, and the whiteouts. Each layer is read once, front
// to back; nothing is written to disk. Layers come from pushes, so every limit is enforced and
// a hostile entry (a path with "..", a device, a file over the cap) is skipped with a note, never
// followed.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace wharf::scan::layer {

struct Limits {
    std::uint64_t max_entries = 1'000'000;        // tar entries per layer; more fails the layer
    std::uint64_t max_file_bytes = 64ull << 20;   // one kept file; larger ones are skipped
    std::uint64_t max_kept_bytes = 256ull << 20;  // all kept files of one layer together
    std::uint64_t max_executable_probe = 64ull << 20;  // ELF files kept for Go/Rust build info
    int max_jar_depth = 3;                             // nested jars
    std::uint64_t max_jar_inflated = 256ull << 20;  // bytes inflated from one outer jar, all depths
    std::uint64_t max_jar_ratio = 200;              // inflated / compressed of one jar member
};

enum class FileKind {
    os_release,          // etc/os-release, usr/lib/os-release
    dpkg_status,         // var/lib/dpkg/status
    dpkg_status_d,       // var/lib/dpkg/status.d/<name> (distroless), not *.md5sums
    dpkg_file_list,      // var/lib/dpkg/info/*.list, *.md5sums; status.d/*.md5sums
    apk_installed,       // lib/apk/db/installed, usr/lib/apk/db/installed
    rpm_sqlite,          // {var/lib,usr/lib/sysimage,usr/share}/rpm/rpmdb.sqlite
    rpm_bdb,             // .../rpm/Packages
    rpm_ndb,             // .../rpm/Packages.db
    python_metadata,     // *.dist-info/METADATA, *.egg-info/PKG-INFO, *.egg-info (a file)
    npm_package_json,    // node_modules/<name>/package.json, node_modules/@s/<name>/package.json
    npm_lock,            // package-lock.json (not under node_modules)
    cargo_lock,          // Cargo.lock
    jar,                 // *.jar, *.war, *.ear (the members below are reported instead)
    jar_pom_properties,  // member META-INF/maven/*/*/pom.properties of a (nested) jar
    jar_manifest,        // member META-INF/MANIFEST.MF of a (nested) jar
    executable,          // a regular file with an exec bit that starts with ELF magic
};

// A whole OS package database (dpkg status, apk installed, any rpm backend): a newer copy
// replaces the older one in the fold even when it lists nothing.
bool is_package_database(FileKind kind);
// Where an OS package manager records what it installed: the databases and distroless status.d.
bool is_os_package_record(FileKind kind);

// Which kind the normalised path is, if any. `executable` means a mode bit 0111 is set; the ELF
// check is done on the bytes by read_layer.
std::optional<FileKind> classify(std::string_view path, bool executable);

// "./a//b/" -> "a/b"; nullopt when the path has a ".." component or is empty after normalising.
std::optional<std::string> normalize_path(std::string_view path);

struct KeptFile {
    std::string path;  // normalised; for jar members "<jar path>!/<member>" (nested: repeated)
    FileKind kind = FileKind::os_release;
    std::string bytes;
};

struct LayerContents {
    std::vector<KeptFile> files;                  // in archive order
    std::vector<std::string> whiteouts;           // paths deleted by ".wh.<name>" entries
    std::vector<std::string> opaque_dirs;         // dirs made opaque by ".wh..wh..opq"
    std::map<std::string, std::string> symlinks;  // path -> target as written (not followed)
    std::vector<std::string> notes;               // skipped entries: "<path>: <reason>" (first 100)
    std::uint64_t entries = 0;                    // tar entries read
    std::uint64_t bytes_read = 0;                 // compressed bytes pulled from the source
};

// Pulls the layer's bytes; returns 0 at the end. Errors end the read with that error.
using ReadFn = std::function<Result<std::size_t>(std::span<std::byte> out)>;

// Errc::bad_request (with a message saying what is wrong: "layer is not a tar archive",
// "truncated gzip stream after 1234 bytes", "more than 1000000 entries") when the layer cannot
// be read; the partial contents are discarded then.
Result<LayerContents> read_layer(const ReadFn& read, const Limits& limits = {});

// Resolves a symlinked file (etc/os-release -> ../usr/lib/os-release) against a set of links,
// relative or absolute targets, at most 16 hops, never above the root: ".." at the root stays at
// the root, as for a process chrooted into the image (so "../../etc/shadow" is etc/shadow, inside
// the image); nullopt if it loops (more than 16 hops) or resolves to the root itself.
std::optional<std::string> resolve_symlink(std::string_view path,
                                           const std::map<std::string, std::string>& links);

}  // namespace wharf::scan::layer
