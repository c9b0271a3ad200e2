// Finding one section of an ELF file by name. Go's build info and cargo-auditable's dependency
// list live in named sections; every header field comes from the pushed file, so each offset,
// size and count is checked against the buffer before use.
#include "scan/packages/detail.hpp"

#include <algorithm>

namespace wharf::scan::detail {

namespace {

constexpr std::uint32_t kShtNobits = 8;
constexpr std::uint16_t kShnXindex = 0xffff;

class Reader {
public:
    Reader(std::span<const std::uint8_t> bytes, bool big_endian)
        : bytes_(bytes), big_endian_(big_endian) {}

    // The unsigned integer of `width` bytes at `offset`; nullopt past the end.
    std::optional<std::uint64_t> uint(std::uint64_t offset, std::size_t width) const {
        if (offset > bytes_.size() || bytes_.size() - offset < width) {
            return std::nullopt;
        }
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            const std::uint64_t byte = bytes_[offset + (big_endian_ ? i : width - 1 - i)];
            value = (value << 8) | byte;
        }
        return value;
    }

private:
    std::span<const std::uint8_t> bytes_;
    bool big_endian_;
};

struct Layout {  // where the fields sit in the 32- and 64-bit headers
    std::size_t word;
    std::size_t e_shoff, e_shentsize, e_shnum, e_shstrndx;
    std::size_t sh_size_min, sh_type, sh_link, sh_offset, sh_size;
};
constexpr Layout kElf32{4, 0x20, 0x2e, 0x30, 0x32, 40, 4, 24, 16, 20};
constexpr Layout kElf64{8, 0x28, 0x3a, 0x3c, 0x3e, 64, 4, 40, 24, 32};

struct Section {
    std::uint64_t name = 0, type = 0, offset = 0, size = 0, link = 0;
};

}  // namespace

std::optional<std::span<const std::uint8_t>> find_elf_section(std::span<const std::uint8_t> file,
                                                              std::string_view name) {
    if (file.size() < 0x40 || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' ||
        file[3] != 'F') {
        return std::nullopt;
    }
    if ((file[4] != 1 && file[4] != 2) || (file[5] != 1 && file[5] != 2)) {
        return std::nullopt;
    }
    const Layout& l = file[4] == 1 ? kElf32 : kElf64;
    const Reader r(file, file[5] == 2);
    const auto shoff = r.uint(l.e_shoff, l.word);
    const auto shentsize = r.uint(l.e_shentsize, 2);
    const auto shnum_field = r.uint(l.e_shnum, 2);
    const auto shstrndx_field = r.uint(l.e_shstrndx, 2);
    if (!shoff || !shentsize || !shnum_field || !shstrndx_field || *shentsize < l.sh_size_min ||
        *shoff == 0 || *shoff >= file.size()) {
        return std::nullopt;
    }
    const auto section = [&](std::uint64_t index) -> std::optional<Section> {
        // index < 2^32 and entsize < 2^16, so the product cannot overflow.
        const std::uint64_t at = *shoff + index * *shentsize;
        const auto type = r.uint(at + l.sh_type, 4);
        const auto link = r.uint(at + l.sh_link, 4);
        const auto offset = r.uint(at + l.sh_offset, l.word);
        const auto size = r.uint(at + l.sh_size, l.word);
        const auto name_off = r.uint(at, 4);
        if (!type || !link || !offset || !size || !name_off) {
            return std::nullopt;
        }
        return Section{*name_off, *type, *offset, *size, *link};
    };
    // Files with 0xff00+ sections keep the real count and string-table index in section 0.
    std::uint64_t shnum = *shnum_field;
    std::uint64_t shstrndx = *shstrndx_field;
    if (shnum == 0 || shstrndx == kShnXindex) {
        const auto first = section(0);
        if (!first) {
            return std::nullopt;
        }
        if (shnum == 0) {
            shnum = first->size;
        }
        if (shstrndx == kShnXindex) {
            shstrndx = first->link;
        }
    }
    // Entries past the end of the file do not exist; this also bounds the loop by the file size.
    shnum = std::min<std::uint64_t>(shnum, (file.size() - *shoff) / *shentsize);
    if (shstrndx >= shnum) {
        return std::nullopt;
    }
    const auto strtab = section(shstrndx);
    if (!strtab || strtab->offset > file.size() || file.size() - strtab->offset < strtab->size) {
        return std::nullopt;
    }
    const std::string_view names(reinterpret_cast<const char*>(file.data() + strtab->offset),
                                 strtab->size);
    for (std::uint64_t i = 0; i < shnum; ++i) {
        const auto s = section(i);
        if (!s || s->name >= names.size()) {
            continue;
        }
        // Compare only name.size() + 1 bytes: scanning each entry's string to its NUL would
        // make a table of many entries into one huge unterminated string quadratic.
        const std::string_view rest = names.substr(s->name);
        if (rest.size() <= name.size() || !rest.starts_with(name) || rest[name.size()] != '\0') {
            continue;
        }
        if (s->type == kShtNobits || s->offset > file.size() || file.size() - s->offset < s->size) {
            return std::nullopt;
        }
        return file.subspan(s->offset, s->size);
    }
    return std::nullopt;
}

}  // namespace wharf::scan::detail
