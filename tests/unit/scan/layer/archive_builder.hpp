#pragma once

// Builds tar layers and zip jars in memory with libarchive's writer, so the layer tests need no
// files on disk.

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scan/layer/layer.hpp"

namespace wharf::scan::layer::fixtures {

struct Entry {
    std::string path;
    std::string data;
    unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO
    unsigned perm = 0644;
    std::string symlink;   // target of an AE_IFLNK
    std::string hardlink;  // when set: a hardlink entry to this path (no data)
};

inline Entry file(std::string path, std::string data, unsigned perm = 0644) {
    return Entry{std::move(path), std::move(data), AE_IFREG, perm, {}, {}};
}
inline Entry dir(std::string path) {
    return Entry{std::move(path), {}, AE_IFDIR, 0755, {}, {}};
}
inline Entry symlink(std::string path, std::string target) {
    return Entry{std::move(path), {}, AE_IFLNK, 0777, std::move(target), {}};
}
// Tar hardlink headers carry the inode's mode, so give the target's.
inline Entry hardlink(std::string path, std::string target, unsigned perm = 0644) {
    return Entry{std::move(path), {}, AE_IFREG, perm, {}, std::move(target)};
}

enum class Filter { none, gzip, zstd, xz };

inline void check(int r, archive* a, const char* what) {
    if (r < ARCHIVE_WARN) {
        throw std::runtime_error(std::string(what) + ": " + archive_error_string(a));
    }
}

inline la_ssize_t append_to_string(archive*, void* client, const void* buffer, size_t n) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), n);
    return static_cast<la_ssize_t>(n);
}

// An archive writer appending to a string; entries may be added one at a time.
class Writer {
public:
    Writer(std::string& out, bool zip, Filter filter = Filter::none)
        : a_(archive_write_new(), &archive_write_free) {
        if (zip) {
            check(archive_write_set_format_zip(a_.get()), a_.get(), "zip");
        } else {
            check(archive_write_set_format_pax_restricted(a_.get()), a_.get(), "pax");
        }
        switch (filter) {
            case Filter::none:
                break;
            case Filter::gzip:
                check(archive_write_add_filter_gzip(a_.get()), a_.get(), "gzip");
                break;
            case Filter::zstd:
                check(archive_write_add_filter_zstd(a_.get()), a_.get(), "zstd");
                break;
            case Filter::xz:
                check(archive_write_add_filter_xz(a_.get()), a_.get(), "xz");
                break;
        }
        archive_write_set_bytes_in_last_block(a_.get(), 1);
        check(archive_write_open(a_.get(), &out, nullptr, &append_to_string, nullptr), a_.get(),
              "open");
    }

    void add(const Entry& e) {
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                            &archive_entry_free);
        archive_entry_set_pathname(entry.get(), e.path.c_str());
        archive_entry_set_filetype(entry.get(), e.type);
        archive_entry_set_perm(entry.get(), e.perm);
        archive_entry_set_mtime(entry.get(), 1'700'000'000, 0);
        if (e.type == AE_IFLNK) {
            archive_entry_set_symlink(entry.get(), e.symlink.c_str());
        }
        if (!e.hardlink.empty()) {
            archive_entry_set_hardlink(entry.get(), e.hardlink.c_str());
        }
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
        check(archive_write_header(a_.get(), entry.get()), a_.get(), "header");
        if (!e.data.empty()) {
            const auto n = archive_write_data(a_.get(), e.data.data(), e.data.size());
            if (n != static_cast<la_ssize_t>(e.data.size())) {
                throw std::runtime_error("short write");
            }
        }
    }

    void close() { check(archive_write_close(a_.get()), a_.get(), "close"); }

private:
    std::unique_ptr<archive, decltype(&archive_write_free)> a_;
};

inline std::string build_tar(const std::vector<Entry>& entries, Filter filter = Filter::none) {
    std::string out;
    Writer w(out, false, filter);
    for (const auto& e : entries) {
        w.add(e);
    }
    w.close();
    return out;
}

// Deflated members (libarchive's zip default).
inline std::string build_zip(const std::vector<Entry>& entries) {
    std::string out;
    Writer w(out, true);
    for (const auto& e : entries) {
        w.add(e);
    }
    w.close();
    return out;
}

// A ReadFn over bytes in memory, `chunk` bytes at a time at most.
inline ReadFn reader(std::string bytes, std::size_t chunk = 64 * 1024) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    auto pos = std::make_shared<std::size_t>(0);
    return [data, pos, chunk](std::span<std::byte> out) -> Result<std::size_t> {
        const std::size_t n = std::min({out.size(), chunk, data->size() - *pos});
        std::memcpy(out.data(), data->data() + *pos, n);
        *pos += n;
        return n;
    };
}

inline Result<LayerContents> read_bytes(std::string bytes, const Limits& limits = {}) {
    return read_layer(reader(std::move(bytes)), limits);
}

}  // namespace wharf::scan::layer::fixtures
