// Java archives: the members the Java extractor reads (Maven pom.properties, the manifest), from
// the jar and from jars nested in it. A jar is a zip a client wrote, so every member is inflated
// through the zip bomb guards even when its bytes are thrown away.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer::detail {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
// Compressed sizes below this count as this much in the ratio guard: a few hundred bytes of
// repeated text may legitimately inflate a thousand times, and they cannot hurt.
constexpr std::uint64_t kRatioFloor = 1024;

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

enum class Member { other, pom_properties, manifest, nested_jar };

// META-INF/maven/<group>/<artifact>/pom.properties, META-INF/MANIFEST.MF, *.jar/war/ear.
Member member_kind(std::string_view name) {
    if (name == "META-INF/MANIFEST.MF") {
        return Member::manifest;
    }
    constexpr std::string_view kMaven = "META-INF/maven/";
    if (name.starts_with(kMaven) && basename(name) == "pom.properties") {
        const auto middle = dirname(name.substr(kMaven.size()));  // "<group>/<artifact>"
        if (std::count(middle.begin(), middle.end(), '/') == 1 && !middle.starts_with('/') &&
            !middle.ends_with('/')) {
            return Member::pom_properties;
        }
    }
    if (is_jar_name(basename(name))) {
        return Member::nested_jar;
    }
    return Member::other;
}

class JarReader {
public:
    explicit JarReader(Collector& collector)
        : collector_(collector), limits_(collector.limits()), chunk_(kChunk) {}

    void read(const std::string& jar_path, std::string_view bytes, int depth);

private:
    bool read_member(archive* a, const std::string& path, std::uint64_t keep_limit,
                     std::string& kept, bool& over_cap);
    // The budget is spent: this jar and every jar enclosing it stop.
    void stop_for_total(const std::string& path);

    Collector& collector_;
    const Limits& limits_;
    std::vector<char> chunk_;
    std::uint64_t inflated_ = 0;  // across the outer jar and all jars nested in it
};

void JarReader::read(const std::string& jar_path, std::string_view bytes, int depth) {
    ArchivePtr a(archive_read_new(), &archive_read_free);
    if (!a) {
        throw std::bad_alloc();
    }
    // Streamable: the local headers in order, no seeking, the same pass as the layer's tar.
    archive_read_support_format_zip_streamable(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        collector_.note(
            jar_path, fmt::format("jar not read: not a zip archive ({})", archive_reason(a.get())));
        return;
    }
    for (;;) {
        archive_entry* entry = nullptr;
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF) {
            return;
        }
        if (r < ARCHIVE_WARN) {
            collector_.note(jar_path, fmt::format("jar stopped: corrupt zip archive ({})",
                                                  archive_reason(a.get())));
            return;
        }
        const char* raw = archive_entry_pathname(entry);
        const auto name = raw != nullptr ? normalize_path(raw) : std::nullopt;
        auto kind =
            name && archive_entry_filetype(entry) == AE_IFREG ? member_kind(*name) : Member::other;
        const std::string path = fmt::format("{}!/{}", jar_path, name ? *name : "<unnamed>");
        const std::uint64_t declared = archive_entry_size_is_set(entry)
                                           ? static_cast<std::uint64_t>(archive_entry_size(entry))
                                           : 0;
        if (declared > limits_.max_jar_inflated - inflated_) {
            stop_for_total(path);
            return;
        }
        if (kind == Member::nested_jar && depth >= limits_.max_jar_depth) {
            collector_.note(path, fmt::format("nested jar not opened: deeper than {} levels",
                                              limits_.max_jar_depth));
            kind = Member::other;
        }
        const std::uint64_t keep_limit = kind == Member::other ? 0 : limits_.max_file_bytes;
        std::string kept;
        bool over_cap = declared > keep_limit && kind != Member::other;
        if (!read_member(a.get(), path, over_cap ? 0 : keep_limit, kept, over_cap)) {
            return;
        }
        if (over_cap) {
            collector_.note(path, fmt::format("skipped: over the {}-byte cap", keep_limit));
            continue;
        }
        switch (kind) {
            case Member::other:
                break;
            case Member::pom_properties:
            case Member::manifest:
                if (collector_.fits(path, kept.size())) {
                    collector_.keep(path,
                                    kind == Member::manifest ? FileKind::jar_manifest
                                                             : FileKind::jar_pom_properties,
                                    std::move(kept));
                }
                break;
            case Member::nested_jar:
                read(path, kept, depth + 1);
                if (inflated_ >= limits_.max_jar_inflated) {
                    return;  // the nested jar spent the outer jar's budget and said so
                }
                break;
        }
    }
}

void JarReader::stop_for_total(const std::string& path) {
    inflated_ = limits_.max_jar_inflated;
    collector_.note(path, fmt::format("zip bomb guard: jar stopped, it inflates to more than {} "
                                      "bytes",
                                      limits_.max_jar_inflated));
}

// Inflates the current member chunk by chunk through both guards, keeping up to keep_limit
// bytes; over_cap when it had more. False when the jar must stop (noted).
bool JarReader::read_member(archive* a, const std::string& path, std::uint64_t keep_limit,
                            std::string& kept, bool& over_cap) {
    const la_int64_t start = archive_filter_bytes(a, 0);
    std::uint64_t inflated = 0;
    for (;;) {
        const la_ssize_t n = archive_read_data(a, chunk_.data(), chunk_.size());
        if (n < 0) {
            collector_.note(path,
                            fmt::format("jar stopped: corrupt member ({})", archive_reason(a)));
            return false;
        }
        if (n == 0) {
            return true;
        }
        const auto got = static_cast<std::uint64_t>(n);
        inflated += got;
        if (got > limits_.max_jar_inflated - inflated_) {
            stop_for_total(path);
            return false;
        }
        inflated_ += got;
        // Compressed bytes consumed so far: libarchive's position in the jar, which moves as the
        // inflater takes input (memory input: nothing is read ahead of it).
        const la_int64_t position = archive_filter_bytes(a, 0);
        const std::uint64_t compressed = std::max<std::uint64_t>(
            position > start ? static_cast<std::uint64_t>(position - start) : 0, kRatioFloor);
        const std::uint64_t times = inflated / compressed;
        if (times > limits_.max_jar_ratio ||
            (times == limits_.max_jar_ratio && inflated % compressed != 0)) {
            collector_.note(path, fmt::format("zip bomb guard: jar stopped, the member inflates "
                                              "more than {} times its compressed size",
                                              limits_.max_jar_ratio));
            return false;
        }
        if (!over_cap && keep_limit > 0) {
            if (kept.size() + got > keep_limit) {
                over_cap = true;
                kept.clear();
                kept.shrink_to_fit();
            } else {
                kept.append(chunk_.data(), got);
            }
        }
    }
}

}  // namespace

void read_jar(std::string_view jar_path, std::string_view bytes, Collector& collector) {
    JarReader(collector).read(std::string(jar_path), bytes, 1);
}

}  // namespace wharf::scan::layer::detail
