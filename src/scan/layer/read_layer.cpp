// read_layer: libarchive pulls the layer through a ReadFn, sniffs the compression, and hands each
// tar header to the EntryHandler. Any failure discards everything read so far.
#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer {

namespace {

constexpr std::size_t kReadBuffer = 256 * 1024;

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// The client side of archive_read_open: one buffer, the first error of the ReadFn, and how many
// bytes it produced.
struct Source {
    explicit Source(const ReadFn& fn) : read(fn) {}

    const ReadFn& read;
    std::vector<std::byte> buffer = std::vector<std::byte>(kReadBuffer);
    std::optional<Error> error;
    std::uint64_t bytes = 0;
};

// libarchive is C: nothing may unwind through it, so exceptions from the ReadFn become an error.
la_ssize_t pull(archive* a, void* client, const void** out) {
    auto& source = *static_cast<Source*>(client);
    try {
        auto n = source.read(source.buffer);
        if (!n) {
            source.error = std::move(n).error();
        } else if (*n > source.buffer.size()) {
            source.error = Error{Errc::internal, "the layer source returned more bytes than asked"};
        } else {
            source.bytes += *n;
            *out = source.buffer.data();
            return static_cast<la_ssize_t>(*n);
        }
    } catch (const std::exception& e) {
        source.error = Error{Errc::internal, fmt::format("reading the layer failed: {}", e.what())};
    } catch (...) {
        source.error = Error{Errc::internal, "reading the layer failed"};
    }
    archive_set_error(a, EIO, "the layer source failed");
    return ARCHIVE_FATAL;
}

// Only the decompressors a layer can use (OCI: gzip, zstd; docker save: none; xz is seen in the
// wild). Not archive_read_support_filter_all: it adds lrzip, grzip and lzop, which libarchive
// runs as external programs, and uu/rpm, which are no layer compressions.
// Formats: tar only (ustar, pax, GNU; libarchive's "gnutar" is the same reader). No raw, no zip.
// `opened` is archive_read_open's status: the compression and the format are sniffed there.
ArchivePtr open_archive(Source& source, int& opened) {
    ArchivePtr a(archive_read_new(), &archive_read_free);
    if (!a) {
        throw std::bad_alloc();
    }
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_zstd(a.get());
    archive_read_support_filter_xz(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    opened = archive_read_open(a.get(), &source, nullptr, &pull, nullptr);
    return a;
}

Error failure(archive* a, Source& source, std::uint64_t entries) {
    if (source.error) {
        return std::move(*source.error);
    }
    if (source.bytes == 0) {
        return Error{Errc::bad_request, "layer is empty: not a tar archive"};
    }
    const std::string_view reason = detail::archive_reason(a);
    const char* filter = archive_filter_name(a, 0);
    const std::string_view compression =
        filter != nullptr && std::string_view(filter) != "none" ? filter : "uncompressed";
    // No format chose the data, and libarchive said so with its file-format errno (EILSEQ, as
    // ARCHIVE_ERRNO_FILE_FORMAT is defined inside libarchive; the public header omits it).
    if (archive_format(a) == 0 && archive_errno(a) == EILSEQ) {
        return Error{Errc::bad_request,
                     fmt::format("layer is not a tar archive (plain, gzip, zstd or xz): {} data "
                                 "of an unrecognised format",
                                 compression)};
    }
    return Error{
        Errc::bad_request,
        fmt::format("layer is truncated or corrupt ({}, after {} bytes and {} entries): {}",
                    compression, source.bytes, entries, reason)};
}

}  // namespace

namespace detail {

std::string_view archive_reason(archive* a) noexcept {
    const char* why = archive_error_string(a);
    return why != nullptr ? why : "unknown error";
}

}  // namespace detail

Result<LayerContents> read_layer(const ReadFn& read, const Limits& limits) {
    try {
        Source source(read);
        LayerContents out;
        detail::Collector collector(out, limits);
        detail::EntryHandler handler(collector);
        int opened = ARCHIVE_OK;
        ArchivePtr a = open_archive(source, opened);
        if (opened < ARCHIVE_WARN) {
            return failure(a.get(), source, 0);
        }
        for (;;) {
            archive_entry* entry = nullptr;
            const int r = archive_read_next_header(a.get(), &entry);
            if (r == ARCHIVE_EOF) {
                break;
            }
            // ARCHIVE_WARN (e.g. a malformed pax attribute) leaves a usable header; RETRY and
            // FATAL mean the stream is damaged, and a partial layer is worse than none.
            if (r < ARCHIVE_WARN) {
                return failure(a.get(), source, out.entries);
            }
            if (++out.entries > limits.max_entries) {
                return Error{Errc::bad_request,
                             fmt::format("layer has more than {} entries", limits.max_entries)};
            }
            if (!handler.handle(a.get(), entry)) {
                return failure(a.get(), source, out.entries);
            }
        }
        out.bytes_read = source.bytes;
        return out;
    } catch (const std::bad_alloc&) {
        return Error{Errc::internal, "out of memory while reading the layer"};
    } catch (const std::exception& e) {  // a bug: formatting or the standard library
        return Error{Errc::internal, fmt::format("reading the layer failed: {}", e.what())};
    }
}

}  // namespace wharf::scan::layer
