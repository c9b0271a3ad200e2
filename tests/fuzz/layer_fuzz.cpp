// Image layers: read_layer over the input (tar, maybe gzip/zstd/xz, maybe with jars) with small
// limits, pulled in uneven pieces; then normalize_path and resolve_symlink over what it found and
// over the input as a path, checking the results' invariants.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "scan/layer/layer.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::scan::layer;

// A normalised path: not empty, relative, no "", "." or ".." component.
bool is_normal(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.back() == '/') {
        return false;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        const auto c = path.substr(start, end - start);
        if (c.empty() || c == "." || c == "..") {
            return false;
        }
        start = end + 1;
    }
    return true;
}

Limits small_limits() {
    Limits l;
    l.max_entries = 2'000;
    l.max_file_bytes = 256 << 10;
    l.max_kept_bytes = 1 << 20;
    l.max_executable_probe = 64 << 10;
    l.max_jar_depth = 3;
    l.max_jar_inflated = 4 << 20;
    l.max_jar_ratio = 200;
    return l;
}

void check_contents(const LayerContents& c, const Limits& limits) {
    check(c.entries <= limits.max_entries);
    check(c.notes.size() <= 100);
    std::uint64_t kept = 0;
    for (const auto& f : c.files) {
        kept += f.bytes.size();
        check(f.bytes.size() <= std::max(limits.max_file_bytes, limits.max_executable_probe));
        const auto jar = f.path.find("!/");
        const bool member =
            f.kind == FileKind::jar_manifest || f.kind == FileKind::jar_pom_properties;
        check(member == (jar != std::string::npos));
        check(is_normal(std::string_view(f.path).substr(0, jar)));
        check(f.kind != FileKind::jar);
        check(f.kind != FileKind::executable || f.bytes.starts_with("\x7f"
                                                                    "ELF"));
    }
    check(kept <= limits.max_kept_bytes);
    for (const auto& w : c.whiteouts) {
        check(is_normal(w));
    }
    for (const auto& [path, target] : c.symlinks) {
        check(is_normal(path));
        if (auto resolved = resolve_symlink(path, c.symlinks)) {
            check(is_normal(*resolved));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    // Uneven pieces exercise libarchive's refills at every boundary.
    std::size_t pos = 0;
    const std::size_t step = 1 + (size > 0 ? data[0] % 97 : 0) * 53;
    const ReadFn read = [&](std::span<std::byte> out) -> wharf::Result<std::size_t> {
        const std::size_t n = std::min({out.size(), step, bytes.size() - pos});
        std::memcpy(out.data(), bytes.data() + pos, n);
        pos += n;
        return n;
    };
    const Limits limits = small_limits();
    auto contents = read_layer(read, limits);
    if (contents) {
        check(contents->bytes_read <= size);
        check_contents(*contents, limits);
    } else {
        check(contents.error().code == wharf::Errc::bad_request);
        check(!contents.error().message.empty() && contents.error().message.size() < 1024);
    }

    // The input as a path, and as a symlink table of one or two links.
    if (auto normal = normalize_path(bytes)) {
        check(is_normal(*normal));
        check(normalize_path(*normal) == *normal);
        (void)classify(*normal, true);
    }
    const auto split = bytes.find('\n');
    if (split != std::string_view::npos) {
        const std::map<std::string, std::string> links{
            {"a", std::string(bytes.substr(0, split))},
            {std::string(bytes.substr(0, split)), std::string(bytes.substr(split + 1))}};
        if (auto resolved = resolve_symlink("a/b", links)) {
            check(is_normal(*resolved));
        }
    }
    return 0;
}
