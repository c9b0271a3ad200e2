// One tar entry of a layer: whiteouts, symlinks, hardlinks and the regular files worth keeping.
// Everything else is skipped without reading its bytes into memory.
#include <archive.h>
#include <archive_entry.h>

#include <fmt/format.h>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer::detail {

namespace {

// OCI image-spec layer.md: ".wh..wh..opq" makes its directory opaque, ".wh.<name>" deletes
// <name>. Other ".wh..wh.*" names are AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not
// content and not deletions.
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";
constexpr std::string_view kAufsMeta = ".wh..wh.";

constexpr unsigned kExecBits = 0111;

// Skips the rest of the entry's data; false when the stream failed under it.
bool skip(archive* a) {
    return archive_read_data_skip(a) >= ARCHIVE_WARN;
}

}  // namespace

bool read_entry_data(archive* a, std::uint64_t limit, std::string& out) {
    out.clear();
    // Grow in steps rather than allocating the header's size up front: a truncated stream then
    // fails having allocated only about what it delivered.
    constexpr std::size_t kStep = 1 << 20;
    while (out.size() < limit) {
        const std::size_t have = out.size();
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(kStep, limit - have));
        out.resize(have + want);
        const la_ssize_t n = archive_read_data(a, out.data() + have, want);
        if (n < 0) {
            out.clear();
            return false;
        }
        out.resize(have + static_cast<std::size_t>(n));
        if (n == 0) {
            break;
        }
    }
    return true;
}

bool EntryHandler::handle(archive* a, archive_entry* entry) {
    const char* raw = archive_entry_pathname(entry);
    if (raw == nullptr) {
        collector_.note("<unnamed entry>", "skipped: the name cannot be read");
        return skip(a);
    }
    const auto path = normalize_path(raw);
    if (!path) {
        // "./" and "/" (the root directory) normalise to nothing and are not worth a note.
        if (std::string_view(raw).find("..") != std::string_view::npos) {
            collector_.note(raw, "skipped: the path has a \"..\" component");
        }
        return skip(a);
    }
    if (basename(*path).starts_with(kWhiteoutPrefix)) {
        whiteout(*path);
        return skip(a);
    }
    const bool exec = (archive_entry_perm(entry) & kExecBits) != 0;
    const std::uint64_t size = archive_entry_size_is_set(entry)
                                   ? static_cast<std::uint64_t>(archive_entry_size(entry))
                                   : 0;
    const auto type = archive_entry_filetype(entry);
    if (const char* target = archive_entry_hardlink(entry); target != nullptr && size == 0) {
        hardlink(*path, target, exec);
        return skip(a);
    }
    if (type == AE_IFLNK) {
        const char* target = archive_entry_symlink(entry);
        if (target == nullptr) {
            collector_.note(*path, "skipped: the symlink target cannot be read");
        } else {
            collector_.out().symlinks[*path] = target;
        }
        return skip(a);
    }
    // Directories, devices, fifos and sockets carry nothing the extractors read.
    const auto kind = type == AE_IFREG ? classify(*path, exec) : std::nullopt;
    if (!kind) {
        return skip(a);
    }
    if (*kind == FileKind::executable) {
        return executable(a, *path, size);
    }
    return regular(a, *path, *kind, size);
}

void EntryHandler::whiteout(const std::string& path) {
    const auto name = basename(path);
    const auto dir = dirname(path);
    if (name == kOpaque) {
        collector_.out().opaque_dirs.emplace_back(dir);  // "" when the root is opaque
        return;
    }
    if (name.starts_with(kAufsMeta)) {
        return;
    }
    const auto deleted = name.substr(kWhiteoutPrefix.size());
    if (deleted.empty() || deleted == "." || deleted == "..") {
        collector_.note(path, "skipped: a whiteout that names no file");
        return;
    }
    collector_.out().whiteouts.push_back(join(dir, deleted));
}

void EntryHandler::hardlink(const std::string& path, std::string_view target, bool exec) {
    const auto kind = classify(path, exec);
    if (!kind) {
        return;
    }
    const auto target_path = normalize_path(target);
    const auto found = target_path ? produced_.find(*target_path) : produced_.end();
    if (found == produced_.end()) {
        collector_.note(path, fmt::format("skipped: hardlink to {}, which was not kept", target));
        return;
    }
    auto& files = collector_.out().files;
    const Produced target_files = found->second;
    const std::string member_prefix = *target_path + "!/";
    const bool target_is_jar = target_files.kind == FileKind::jar;
    if ((*kind == FileKind::jar) != target_is_jar ||
        (!target_is_jar && target_files.end - target_files.begin != 1)) {
        collector_.note(path, fmt::format("skipped: hardlink to {}, which was kept as another "
                                          "kind of file",
                                          target));
        return;
    }
    const std::size_t first = files.size();
    for (std::size_t i = target_files.begin; i < target_files.end; ++i) {
        // Copies, not references: files may reallocate while we append.
        KeptFile copy = files[i];
        if (target_is_jar) {
            copy.path = path + "!/" + copy.path.substr(member_prefix.size());
        } else {
            copy.path = path;
            copy.kind = *kind;
            // An exec-bit link to a kept file that is not a program: nothing to read as one.
            if (*kind == FileKind::executable && target_files.kind != FileKind::executable) {
                return;
            }
        }
        if (!collector_.fits(path, copy.bytes.size())) {
            break;
        }
        collector_.keep(std::move(copy.path), copy.kind, std::move(copy.bytes));
    }
    produced_[path] = {first, files.size(), *kind};
}

bool EntryHandler::regular(archive* a, const std::string& path, FileKind kind, std::uint64_t size) {
    const auto cap = collector_.limits().max_file_bytes;
    if (size > cap) {
        collector_.note(path, fmt::format("skipped: {} bytes, over the {}-byte cap", size, cap));
        return skip(a);
    }
    // A jar itself is not kept, only its members, so it does not count towards the kept bytes.
    if (kind != FileKind::jar && !collector_.fits(path, size)) {
        return skip(a);
    }
    std::string bytes;
    if (!read_entry_data(a, size, bytes)) {
        return false;
    }
    const std::size_t first = collector_.out().files.size();
    if (kind == FileKind::jar) {
        read_jar(path, bytes, collector_);
    } else {
        collector_.keep(path, kind, std::move(bytes));
    }
    produced_[path] = {first, collector_.out().files.size(), kind};
    return true;
}

namespace {

// The part of an ELF program the package extractors read: the whole file when it has a
// cargo-auditable ".dep-v0" section (its table is found through the section headers), else the
// Go build information (the "\xff Go buildinf:" header at a 16-byte aligned offset and the
// version and module strings after it, which fit in kGoBuildInfoWindow), else nothing.
std::string build_info_of(std::string elf) {
    constexpr std::string_view kGoMagic("\xff Go buildinf:", 14);
    constexpr std::size_t kGoBuildInfoWindow = 1 << 20;
    if (elf.find(".dep-v0") != std::string::npos) {
        return elf;
    }
    for (auto at = elf.find(kGoMagic); at != std::string::npos; at = elf.find(kGoMagic, at + 1)) {
        if (at % 16 == 0) {
            return elf.substr(at, kGoBuildInfoWindow);
        }
    }
    return {};
}

}  // namespace

bool EntryHandler::executable(archive* a, const std::string& path, std::uint64_t size) {
    // Decide on the first bytes: most executable files of an image are scripts, and only ELF
    // files can carry Go or Rust build information.
    std::string magic;
    if (!read_entry_data(a, kElfMagic.size(), magic)) {
        return false;
    }
    if (magic != kElfMagic) {
        return skip(a);
    }
    const auto probe = collector_.limits().max_executable_probe;
    const std::uint64_t keep = std::min(size, probe);
    if (keep < magic.size()) {
        return skip(a);
    }
    // Read whole (one program at a time), then keep only its build information: memory then
    // follows what a layer's programs declare, not their size.
    std::string rest;
    if (!read_entry_data(a, keep - magic.size(), rest)) {
        return false;
    }
    std::string bytes = build_info_of(magic + rest);
    if (bytes.empty() || !collector_.fits(path, bytes.size())) {
        return skip(a);
    }
    if (size > probe) {
        collector_.note(path, fmt::format("executable truncated to its first {} bytes", probe));
    }
    const std::size_t first = collector_.out().files.size();
    collector_.keep(path, FileKind::executable, std::move(bytes));
    produced_[path] = {first, first + 1, FileKind::executable};
    return skip(a);
}

}  // namespace wharf::scan::layer::detail
