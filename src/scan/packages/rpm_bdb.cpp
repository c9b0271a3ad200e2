// var/lib/rpm/Packages of rpm < 4.16 (RHEL/CentOS 5-8, Amazon Linux 2, older SLES): a Berkeley
// DB hash database whose keys are 4-byte header instance numbers and whose values are header
// blobs. Read the way rpm's own read-only backend (lib/backend/bdb_ro.c) does, without the
// library: walk every page, take each key/value pair from the hash pages, and follow a value's
// chain of overflow pages when it did not fit on its page. The layout comes from Berkeley DB's
// dbinc/db_page.h and dbinc/hash.h; either byte order is read (the metadata magic tells).
// Every page number, offset and length is checked against the file before it is used.
#include "scan/packages/packages.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

constexpr std::uint32_t kHashMagic = 0x061561;
constexpr std::uint32_t kHashMagicSwapped = 0x61150600;
constexpr std::size_t kPageHeader = 26;  // SIZEOF_PAGE: lsn, pgno, prev, next, entries, hf_offset,
                                         // level, type

enum PageType : std::uint8_t {
    page_hash_unsorted = 2,  // P_HASH_UNSORTED, written by Berkeley DB < 4.6 (RHEL 5)
    page_overflow = 7,       // P_OVERFLOW
    page_hash_meta = 8,      // P_HASHMETA
    page_hash = 13,          // P_HASH
};
enum ItemType : std::uint8_t { item_keydata = 1, item_offpage = 3 };  // H_KEYDATA, H_OFFPAGE
constexpr std::uint8_t kMetaChecksum = 0x01;                           // DBMETA_CHKSUM

Error bad(std::string what) {
    return Error{Errc::bad_request, "rpm Packages (Berkeley DB): " + std::move(what)};
}

class HashFile {
public:
    HashFile(std::span<const std::uint8_t> file, bool big_endian, std::size_t page_size)
        : file_(file), big_endian_(big_endian), page_size_(page_size) {}

    std::size_t page_size() const { return page_size_; }
    std::size_t pages() const { return file_.size() / page_size_; }
    std::span<const std::uint8_t> page(std::size_t n) const {
        return file_.subspan(n * page_size_, page_size_);
    }
    std::uint32_t u32(std::span<const std::uint8_t> p, std::size_t at) const {
        const std::uint32_t b0 = p[at];
        const std::uint32_t b1 = p[at + 1];
        const std::uint32_t b2 = p[at + 2];
        const std::uint32_t b3 = p[at + 3];
        return big_endian_ ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0;
    }
    std::uint16_t u16(std::span<const std::uint8_t> p, std::size_t at) const {
        return static_cast<std::uint16_t>(big_endian_ ? p[at] << 8 | p[at + 1]
                                                      : p[at + 1] << 8 | p[at]);
    }

    // The bytes of an off-page value: `length` bytes gathered along the overflow chain from
    // `first`. nullopt when the chain leaves the file, runs longer than the file has pages, or
    // ends early. `budget` is what is left of the pages all values may visit together: in a
    // sound file each overflow page belongs to one value, so entries that share (or loop
    // through) chains run it out, and the whole read stays linear in the file size.
    std::optional<std::vector<std::uint8_t>> gather(std::uint32_t first, std::uint32_t length,
                                                    std::size_t& budget) const {
        if (length > file_.size()) {
            return std::nullopt;
        }
        std::vector<std::uint8_t> out;
        out.reserve(length);
        std::uint32_t next = first;
        while (out.size() < length) {
            if (next == 0 || next >= pages() || budget == 0) {
                return std::nullopt;
            }
            --budget;
            const auto p = page(next);
            if (p[25] != page_overflow) {
                return std::nullopt;
            }
            // On an overflow page hf_offset is the length of the data it holds (OV_LEN).
            const std::size_t held = std::min<std::size_t>(u16(p, 22), page_size_ - kPageHeader);
            const std::size_t take = std::min<std::size_t>(held, length - out.size());
            out.insert(out.end(), p.begin() + kPageHeader, p.begin() + kPageHeader + take);
            next = u32(p, 16);
        }
        return out;
    }

private:
    std::span<const std::uint8_t> file_;
    bool big_endian_;
    std::size_t page_size_;
};

// Calls `pair(key, value)` for each key/value pair of a hash page. The item offsets (inp[])
// follow the header; items are packed down from the end of the page, so an item runs up to the
// start of the one before it (LEN_HITEM).
template <typename Pair>
void for_each_pair(const HashFile& db, std::span<const std::uint8_t> p, Pair&& pair) {
    const std::size_t entries = db.u16(p, 20);
    const std::size_t index_end = kPageHeader + 2 * entries;
    if (entries % 2 != 0 || index_end > db.page_size()) {
        return;
    }
    std::size_t previous = db.page_size();
    std::optional<std::span<const std::uint8_t>> key;
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t offset = db.u16(p, kPageHeader + 2 * i);
        if (offset < index_end || offset >= previous) {
            return;  // out of order or overlapping the index: the rest of the page is unreliable
        }
        const auto item = p.subspan(offset, previous - offset);
        previous = offset;
        if (i % 2 == 0) {
            key = item;
        } else {
            pair(*key, item);
        }
    }
}

}  // namespace

Result<std::vector<Package>> parse_rpm_bdb(std::span<const std::uint8_t> file) {
    if (file.size() < 512) {
        return bad("shorter than a metadata page");
    }
    const auto le32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(file[at]) | static_cast<std::uint32_t>(file[at + 1]) << 8 |
               static_cast<std::uint32_t>(file[at + 2]) << 16 |
               static_cast<std::uint32_t>(file[at + 3]) << 24;
    };
    const std::uint32_t magic = le32(12);
    if (magic != kHashMagic && magic != kHashMagicSwapped) {
        return bad("not a Berkeley DB hash database (magic)");
    }
    const bool big_endian = magic == kHashMagicSwapped;
    const HashFile meta(file, big_endian, 512);
    const std::size_t page_size = meta.u32(file, 20);
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
        return bad("page size " + std::to_string(page_size) + " is not a power of two in 512-64K");
    }
    if (file.size() < page_size) {
        return bad("shorter than its " + std::to_string(page_size) + "-byte metadata page");
    }
    if (file[24] != 0) {
        return bad("encrypted databases are not read");
    }
    if (file[25] != page_hash_meta) {
        return bad("page 0 is not hash metadata");
    }
    if ((file[26] & kMetaChecksum) != 0) {
        return bad("checksummed pages are not read (rpm never writes them)");
    }
    const HashFile db(file, big_endian, page_size);
    // A copy cut short still gives the packages on the pages it has.
    const std::size_t last = std::min<std::size_t>(meta.u32(file, 32), db.pages() - 1);

    std::map<std::uint32_t, std::vector<std::uint8_t>> blobs;  // by instance, as rpm -qa reads
    std::size_t budget = db.pages();  // overflow page visits, for all values together
    for (std::size_t n = 1; n <= last; ++n) {
        const auto p = db.page(n);
        if (p[25] != page_hash && p[25] != page_hash_unsorted) {
            continue;
        }
        for_each_pair(db, p, [&](std::span<const std::uint8_t> key,
                                 std::span<const std::uint8_t> value) {
            // Key: H_KEYDATA with the 4-byte instance; instance 0 holds rpm's next-instance
            // counter, not a header.
            if (key.size() != 5 || key[0] != item_keydata) {
                return;
            }
            const std::uint32_t instance = db.u32(key, 1);
            if (instance == 0 || blobs.contains(instance)) {
                return;
            }
            if (value[0] == item_keydata) {
                blobs.emplace(instance, std::vector<std::uint8_t>(value.begin() + 1, value.end()));
            } else if (value[0] == item_offpage && value.size() >= 12) {
                // HOFFPAGE: type, 3 bytes of padding, first overflow page, total length.
                if (auto bytes = db.gather(db.u32(value, 4), db.u32(value, 8), budget)) {
                    blobs.emplace(instance, std::move(*bytes));
                }
            }
        });
        if (blobs.size() >= detail::kMaxPackages) {
            break;
        }
    }
    return detail::RpmPackages::in_order(blobs);
}

}  // namespace wharf::scan
