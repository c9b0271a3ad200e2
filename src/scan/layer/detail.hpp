#pragma once

// Internal to the layer reader: path pieces, the collector that enforces the caps on what is
// kept, the handler of one tar entry and the jar reader.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "scan/layer/layer.hpp"

struct archive;
struct archive_entry;

namespace wharf::scan::layer::detail {

inline constexpr std::string_view kElfMagic =
    "\x7f"
    "ELF";

// "a/b/c" -> "c"; "c" -> "c".
std::string_view basename(std::string_view path) noexcept;
// "a/b/c" -> "a/b"; "c" -> "" (the root).
std::string_view dirname(std::string_view path) noexcept;
// "<dir>/<name>", or "<name>" when dir is the root.
std::string join(std::string_view dir, std::string_view name);
// *.jar, *.war, *.ear, any case (as Trivy matches them).
bool is_jar_name(std::string_view name) noexcept;

// What one layer keeps, with the caps of Limits that apply across entries: the kept-bytes total
// and the first 100 notes.
class Collector {
public:
    Collector(LayerContents& out, const Limits& limits) : out_(out), limits_(limits) {}

    const Limits& limits() const noexcept { return limits_; }
    LayerContents& out() noexcept { return out_; }

    // "<path>: <reason>", dropped after the first 100.
    void note(std::string_view path, std::string_view reason);
    // Whether `bytes` more stay under max_kept_bytes; notes `path` as skipped when not.
    bool fits(std::string_view path, std::uint64_t bytes);
    // Appends to out().files and counts the bytes (the caller checked fits()).
    void keep(std::string path, FileKind kind, std::string bytes);

private:
    LayerContents& out_;
    const Limits& limits_;
    std::uint64_t kept_bytes_ = 0;
};

// Handles the tar entries of one layer in order. handle() returns false only when libarchive
// failed while reading the entry's data (a truncated or corrupt stream): the caller describes
// the failure from the archive's state and discards everything.
class EntryHandler {
public:
    explicit EntryHandler(Collector& collector) : collector_(collector) {}
    bool handle(archive* a, archive_entry* entry);

private:
    void whiteout(const std::string& path);
    void hardlink(const std::string& path, std::string_view target, bool executable);
    bool regular(archive* a, const std::string& path, FileKind kind, std::uint64_t size);
    bool executable(archive* a, const std::string& path, std::uint64_t size);

    // The files a kept entry produced, [begin, end) in out().files: the file itself, or the
    // members of interest of a jar. A later hardlink to the entry's path copies them.
    struct Produced {
        std::size_t begin = 0;
        std::size_t end = 0;
        FileKind kind = FileKind::os_release;
    };

    Collector& collector_;
    std::map<std::string, Produced, std::less<>> produced_;
};

// libarchive's message for its last error; "unknown error" when it set none (it may not).
std::string_view archive_reason(archive* a) noexcept;

// Reads up to `limit` bytes of the current entry of `a` into `out` (replacing it). False when
// libarchive reports an error.
bool read_entry_data(archive* a, std::uint64_t limit, std::string& out);

// Opens the jar (zip) in `bytes` from memory and keeps its members of interest (pom.properties,
// MANIFEST.MF) as "<jar_path>!/<member>", recursing into nested jars up to max_jar_depth. A
// corrupt jar or a zip bomb guard stops that jar with a note; it never fails the layer.
void read_jar(std::string_view jar_path, std::string_view bytes, Collector& collector);

}  // namespace wharf::scan::layer::detail
