// usr/lib/sysimage/rpm/Packages.db: rpm's own "ndb" package store (openSUSE and SLES 15 SP3+).
// Source of truth: rpm's lib/backend/ndb/rpmpkg.c. All numbers are little-endian:
//   - a 32-byte header: magic "RpmP", version 0, generation, slot page count, next index;
//   - slot pages of 4096 bytes, each of 16-byte slots {magic "Slot", package index, block
//     offset, block count}; the header takes the first two slots; block offset 0 is a free slot;
//   - blobs in 16-byte blocks after the slot pages: a head {magic "BlbS", package index,
//     timestamp, length}, the header blob, zero padding, and a tail {Adler-32 of head, blob and
//     padding, length, magic "BlbE"}.
// A slot or blob that does not check out (bounds, sizes, magic, index, checksum) is skipped, as
// rpm refuses it; a damaged header costs its package.
#include "scan/packages/packages.hpp"

#include <zlib.h>

#include <map>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

constexpr std::uint32_t fourcc(char a, char b, char c, char d) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(a)) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(c)) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(d)) << 24;
}

constexpr std::uint32_t kDbMagic = fourcc('R', 'p', 'm', 'P');
constexpr std::uint32_t kSlotMagic = fourcc('S', 'l', 'o', 't');
constexpr std::uint32_t kBlobHeadMagic = fourcc('B', 'l', 'b', 'S');
constexpr std::uint32_t kBlobTailMagic = fourcc('B', 'l', 'b', 'E');
constexpr std::size_t kHeaderSize = 32;
constexpr std::size_t kSlotSize = 16;
constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kSlotPageSize = 4096;
constexpr std::size_t kBlobHeadSize = 16;
constexpr std::size_t kBlobTailSize = 12;

std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
           static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

Error bad(std::string what) {
    return Error{Errc::bad_request, "rpm Packages.db (ndb): " + std::move(what)};
}

// The header blob a slot points to, or an empty span when the blob does not check out.
std::span<const std::uint8_t> blob_of(std::span<const std::uint8_t> file, std::uint32_t index,
                                      std::uint64_t block_offset, std::uint64_t block_count) {
    const std::uint64_t start = block_offset * kBlockSize;
    const std::uint64_t size = block_count * kBlockSize;
    if (size < kBlobHeadSize + kBlobTailSize || start + size > file.size()) {
        return {};
    }
    const auto blob = file.subspan(start, size);
    const std::uint64_t length = le32(blob, 12);
    if (le32(blob, 0) != kBlobHeadMagic || le32(blob, 4) != index ||
        (kBlobHeadSize + length + kBlobTailSize + kBlockSize - 1) / kBlockSize != block_count) {
        return {};
    }
    const auto tail = blob.subspan(size - kBlobTailSize);
    if (le32(tail, 4) != length || le32(tail, 8) != kBlobTailMagic) {
        return {};
    }
    const auto covered = blob.first(size - kBlobTailSize);
    const auto sum = adler32(adler32(0, nullptr, 0), covered.data(),
                             static_cast<uInt>(covered.size()));
    if (sum != le32(tail, 0)) {
        return {};
    }
    return blob.subspan(kBlobHeadSize, length);
}

}  // namespace

Result<std::vector<Package>> parse_rpm_ndb(std::span<const std::uint8_t> file) {
    if (file.size() < kSlotPageSize) {
        return bad("shorter than one slot page");
    }
    if (le32(file, 0) != kDbMagic) {
        return bad("not an ndb package database (magic)");
    }
    if (le32(file, 4) != 0) {
        return bad("version " + std::to_string(le32(file, 4)) + " (only 0 exists)");
    }
    const std::uint64_t slot_pages = le32(file, 12);
    if (slot_pages == 0 || slot_pages * kSlotPageSize > file.size()) {
        return bad("slot page count " + std::to_string(slot_pages) + " does not fit the file");
    }
    // Blobs live after the slot pages (rpmpkgReadSlots' minblkoff).
    const std::uint64_t first_block = slot_pages * kSlotPageSize / kBlockSize;
    std::map<std::uint32_t, std::span<const std::uint8_t>> blobs;  // by package index
    for (std::size_t at = kHeaderSize; at < slot_pages * kSlotPageSize; at += kSlotSize) {
        if (le32(file, at) != kSlotMagic) {
            return bad("slot at byte " + std::to_string(at) + " has no slot magic");
        }
        const std::uint32_t index = le32(file, at + 4);
        const std::uint32_t block_offset = le32(file, at + 8);
        const std::uint32_t block_count = le32(file, at + 12);
        if (block_offset == 0 || index == 0 || block_offset < first_block ||
            blobs.contains(index)) {
            continue;  // a free slot, or one rpm itself would refuse
        }
        const auto blob = blob_of(file, index, block_offset, block_count);
        if (!blob.empty()) {
            blobs.emplace(index, blob);
        }
    }
    return detail::RpmPackages::in_order(blobs);
}

}  // namespace wharf::scan
