// cargo-auditable executables: the ".dep-v0" ELF section holds the dependency tree as
// zlib-compressed JSON. Inflation is capped so a small section cannot expand without end.
#include "scan/packages/packages.hpp"

#include <algorithm>

#include <zlib.h>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

constexpr std::size_t kMaxInflated = 16u << 20;

std::optional<std::string> inflate_capped(std::span<const std::uint8_t> in) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) {
        return std::nullopt;
    }
    std::string out;
    std::size_t consumed = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out.size() >= kMaxInflated) {
            break;  // over the cap: refuse rather than parse a truncated document
        }
        const std::size_t chunk = std::min<std::size_t>(64 * 1024, kMaxInflated - out.size());
        const std::size_t have = out.size();
        out.resize(have + chunk);
        // zlib counts in uInt; feed at most 1 GiB per call.
        const std::size_t feed = std::min<std::size_t>(in.size() - consumed, 1u << 30);
        z.next_in = const_cast<Bytef*>(in.data() + consumed);  // zlib does not write input
        z.avail_in = static_cast<uInt>(feed);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + have);
        z.avail_out = static_cast<uInt>(chunk);
        rc = inflate(&z, Z_NO_FLUSH);
        consumed += feed - z.avail_in;
        out.resize(have + (chunk - z.avail_out));
        if (rc == Z_BUF_ERROR && z.avail_out != 0) {
            break;  // no progress possible: the stream is truncated
        }
        if (rc == Z_BUF_ERROR) {
            rc = Z_OK;
        }
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::vector<Package> parse_cargo_auditable(std::span<const std::uint8_t> executable) {
    const auto section = detail::find_elf_section(executable, ".dep-v0");
    if (!section) {
        return {};
    }
    const auto text = inflate_capped(*section);
    if (!text) {
        return {};
    }
    const auto doc = detail::parse_json(*text);
    if (!doc || !doc->is_object()) {
        return {};
    }
    const auto list = doc->find("packages");
    if (list == doc->end() || !list->is_array()) {
        return {};
    }
    std::vector<Package> out;
    for (const auto& entry : *list) {
        if (out.size() >= detail::kMaxPackages) {
            break;
        }
        if (!entry.is_object()) {
            continue;
        }
        const auto text_of = [&](const char* key) {
            const auto it = entry.find(key);
            return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string{};
        };
        Package pkg;
        pkg.type = PackageType::cargo;
        pkg.name = text_of("name");
        pkg.version = text_of("version");
        // "local" crates are the workspace's own (the binary itself among them).
        if (pkg.name.empty() || pkg.version.empty() || text_of("source") == "local") {
            continue;
        }
        out.push_back(std::move(pkg));
    }
    return out;
}

}  // namespace wharf::scan
