#pragma once

// Helpers shared by the package extractor tests.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/packages/packages.hpp"

namespace wharf::scan::test_util {

inline std::string read_fixture(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs a shell command; its stdout, or nullopt when it fails.
inline std::optional<std::string> run(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        return std::nullopt;
    }
    std::string out;
    char buffer[4096];
    while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) {
        out.append(buffer, n);
    }
    if (pclose(pipe) != 0) {
        return std::nullopt;
    }
    return out;
}

inline std::string_view trim_newline(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

inline std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

using Bytes = std::vector<std::uint8_t>;

// A minimal ELF file: header, the given sections' bytes, a .shstrtab and the section header
// table at the end (so any truncation of the file first loses the table).
inline Bytes make_elf(bool is64, bool big_endian,
                      const std::vector<std::pair<std::string, Bytes>>& sections) {
    Bytes out(64, 0);
    const auto put = [&](std::size_t at, std::uint64_t v, std::size_t width) {
        if (out.size() < at + width) {
            out.resize(at + width);
        }
        for (std::size_t i = 0; i < width; ++i) {
            const auto shift = 8 * (big_endian ? width - 1 - i : i);
            out[at + i] = static_cast<std::uint8_t>(v >> shift);
        }
    };
    out[0] = 0x7f;
    out[1] = 'E';
    out[2] = 'L';
    out[3] = 'F';
    out[4] = is64 ? 2 : 1;
    out[5] = big_endian ? 2 : 1;
    out[6] = 1;
    struct Placed {
        std::uint64_t name, offset, size;
    };
    std::string names(1, '\0');
    std::vector<Placed> placed;
    for (const auto& [name, data] : sections) {
        out.resize((out.size() + 15) / 16 * 16);
        placed.push_back({names.size(), out.size(), data.size()});
        names += name + '\0';
        out.insert(out.end(), data.begin(), data.end());
    }
    const std::uint64_t shstrtab_name = names.size();
    names += std::string(".shstrtab") + '\0';
    const std::uint64_t shstrtab_offset = out.size();
    out.insert(out.end(), names.begin(), names.end());
    out.resize((out.size() + 15) / 16 * 16);
    const std::size_t entsize = is64 ? 64 : 40;
    const std::uint64_t shoff = out.size();
    const std::size_t count = sections.size() + 2;  // null, sections..., .shstrtab
    out.resize(shoff + count * entsize, 0);
    const auto header = [&](std::size_t index, const Placed& p, std::uint32_t type) {
        const std::size_t at = shoff + index * entsize;
        put(at, p.name, 4);
        put(at + 4, type, 4);
        put(at + (is64 ? 24 : 16), p.offset, is64 ? 8 : 4);
        put(at + (is64 ? 32 : 20), p.size, is64 ? 8 : 4);
    };
    for (std::size_t i = 0; i < placed.size(); ++i) {
        header(i + 1, placed[i], 1);  // PROGBITS
    }
    header(count - 1, {shstrtab_name, shstrtab_offset, names.size()}, 3);  // STRTAB
    put(is64 ? 0x28 : 0x20, shoff, is64 ? 8 : 4);
    put(is64 ? 0x3a : 0x2e, entsize, 2);
    put(is64 ? 0x3c : 0x30, count, 2);
    put(is64 ? 0x3e : 0x32, count - 1, 2);
    return out;
}

inline const Package* find(const std::vector<Package>& packages, std::string_view name) {
    for (const auto& p : packages) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

}  // namespace wharf::scan::test_util
