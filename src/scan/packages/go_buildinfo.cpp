// Go build info (runtime/debug.BuildInfo as the linker embeds it, Go >= 1.18): a 32-byte header
// "\xff Go buildinf:" + pointer size + flags, 16-byte aligned, usually the start of the
// ".go.buildinfo" section. With flags bit 2 ("inline") two uvarint-length-prefixed strings
// follow: the Go version and the module info, whose text lines name the main module, every
// dependency and their replacements. Older binaries hold pointers instead; they are skipped.
#include "scan/packages/packages.hpp"

#include <algorithm>

#include <cstring>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

constexpr std::string_view kMagic{"\xff Go buildinf:", 14};
constexpr std::size_t kHeaderSize = 32;
constexpr std::size_t kAlign = 16;
constexpr std::uint8_t kFlagInline = 0x2;
// How far into a file without the section the header is searched for (debug/buildinfo reads
// the data segment; 64 MiB covers the data segment of any realistic executable).
constexpr std::size_t kScanLimit = 64u << 20;
// The modinfo string starts and ends with 16 bytes of sentinel (cmd/go's modinfo start/end).
constexpr std::size_t kSentinel = 16;

std::optional<std::string_view> read_string(std::span<const std::uint8_t>& data) {
    std::uint64_t n = 0;
    std::size_t used = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (used >= data.size() || shift > 63) {
            return std::nullopt;
        }
        const std::uint8_t byte = data[used++];
        n |= std::uint64_t{byte & 0x7fu} << shift;
        if ((byte & 0x80) == 0) {
            break;
        }
    }
    if (n > data.size() - used) {
        return std::nullopt;
    }
    const std::string_view s(reinterpret_cast<const char*>(data.data() + used),
                             static_cast<std::size_t>(n));
    data = data.subspan(used + static_cast<std::size_t>(n));
    return s;
}

struct Module {
    std::string path, version;
};

// Splits "word\tpath\tversion\tsum" into its fields.
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (out.size() < 4) {
        const auto tab = line.find('\t');
        out.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) {
            break;
        }
        line.remove_prefix(tab + 1);
    }
    return out;
}

std::vector<Package> from_modinfo(std::string_view go_version, std::string_view modinfo) {
    if (modinfo.size() >= 2 * kSentinel + 1 && modinfo[modinfo.size() - kSentinel - 1] == '\n') {
        modinfo = modinfo.substr(kSentinel, modinfo.size() - 2 * kSentinel);
    } else {
        modinfo = {};
    }
    std::optional<Module> main;
    std::vector<Module> deps;
    Module* last = nullptr;  // the module a "=>" line replaces
    detail::for_each_line(modinfo, [&](std::string_view line) {
        const auto f = fields(line);
        if (f.size() < 2) {
            return true;
        }
        const auto version = f.size() > 2 ? f[2] : std::string_view{};
        if (f[0] == "mod") {
            main = Module{std::string(f[1]), std::string(version)};
            last = &*main;
        } else if (f[0] == "dep") {
            if (deps.size() >= detail::kMaxPackages) {
                return false;
            }
            deps.push_back(Module{std::string(f[1]), std::string(version)});
            last = &deps.back();
        } else if (f[0] == "=>" && last) {
            *last = Module{std::string(f[1]), std::string(version)};
            last = nullptr;
        } else {
            last = nullptr;
        }
        return true;
    });
    std::vector<Package> out;
    const auto add = [&](std::string name, std::string version) {
        Package pkg;
        pkg.type = PackageType::golang;
        pkg.name = std::move(name);
        pkg.version = std::move(version);
        out.push_back(std::move(pkg));
    };
    // "go1.21.3" or "go1.21.3 X:boringcrypto"; a "devel ..." toolchain has no release version.
    go_version = go_version.substr(0, go_version.find(' '));
    if (go_version.starts_with("go") && go_version.size() > 2) {
        add("stdlib", std::string(go_version.substr(2)));
    }
    if (main && !main->path.empty() && !main->version.empty() && main->version != "(devel)") {
        add(std::move(main->path), std::move(main->version));
    }
    for (auto& dep : deps) {
        if (!dep.path.empty()) {
            add(std::move(dep.path), std::move(dep.version));
        }
    }
    return out;
}

// The packages of the build info header at the start of `data`; nullopt unless it is a whole
// inline header. A whole header decides even when it names nothing, so a file full of fake
// headers costs one modinfo parse, not one per header.
std::optional<std::vector<Package>> read_header(std::span<const std::uint8_t> data) {
    if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic.data(), kMagic.size()) != 0 ||
        (data[15] & kFlagInline) == 0) {
        return std::nullopt;
    }
    data = data.subspan(kHeaderSize);
    const auto version = read_string(data);
    const auto modinfo = version ? read_string(data) : std::nullopt;
    if (!version || !modinfo) {
        return std::nullopt;
    }
    return from_modinfo(*version, *modinfo);
}

// The first whole header at a 16-byte aligned offset of `data`.
std::optional<std::vector<Package>> scan(std::span<const std::uint8_t> data) {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    for (std::size_t at = text.find(kMagic); at != std::string_view::npos;
         at = text.find(kMagic, at + 1)) {
        if (at % kAlign == 0) {
            if (auto found = read_header(data.subspan(at))) {
                return found;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<Package> parse_go_buildinfo(std::span<const std::uint8_t> executable) {
    if (const auto section = detail::find_elf_section(executable, ".go.buildinfo")) {
        if (auto found = scan(*section)) {
            return std::move(*found);
        }
    }
    auto found = scan(executable.first(std::min(executable.size(), kScanLimit)));
    return found ? std::move(*found) : std::vector<Package>{};
}

}  // namespace wharf::scan
