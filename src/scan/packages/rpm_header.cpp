// One rpm header blob as the rpmdb stores it (no lead, no magic): il (entry count) and dl (data
// size) as big-endian int32, il 16-byte index entries {tag, type, offset, count}, then dl bytes
// of data. The first entry may be a region tag (61-63) whose data is a trailer entry pointing
// back over the entries it covers. Every number comes from the image, so each entry is checked
// against dl before its data is touched.
#include "scan/packages/packages.hpp"

#include <algorithm>

#include <cstring>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

// rpm's own sanity limits (lib/header.c: hdrchkTags, hdrchkData).
constexpr std::uint32_t kMaxEntries = 0xffff;
constexpr std::uint32_t kMaxData = 0x0fffffff;

enum Type : std::uint32_t { t_int32 = 4, t_string = 6, t_bin = 7, t_string_array = 8, t_i18n = 9 };
constexpr std::uint32_t kMaxType = 9;

enum Tag : std::uint32_t {
    tag_image = 61,
    tag_signatures = 62,
    tag_immutable = 63,
    tag_name = 1000,
    tag_version = 1001,
    tag_release = 1002,
    tag_epoch = 1003,
    tag_vendor = 1011,
    tag_license = 1014,
    tag_arch = 1022,
    tag_oldfilenames = 1027,
    tag_sourcerpm = 1044,
    tag_dirindexes = 1116,
    tag_basenames = 1117,
    tag_dirnames = 1118,
};

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

struct Entry {
    std::uint32_t tag, type, offset, count;
};

Error bad(std::string message) {
    return Error{Errc::bad_request, "rpm header: " + std::move(message)};
}

class Header {
public:
    Header(std::vector<Entry> entries, std::span<const std::uint8_t> data)
        : entries_(std::move(entries)), data_(data) {}

    const Entry* find(std::uint32_t tag) const {
        for (const auto& e : entries_) {
            if (e.tag == tag) {
                return &e;
            }
        }
        return nullptr;
    }

    // Up to `limit` NUL-terminated strings of a STRING, I18NSTRING or STRING_ARRAY entry; empty
    // when the entry is missing, of another type or runs past the data.
    std::vector<std::string_view> strings(std::uint32_t tag, std::size_t limit) const {
        const Entry* e = find(tag);
        if (!e || (e->type != t_string && e->type != t_string_array && e->type != t_i18n)) {
            return {};
        }
        // Each string takes at least one byte, so a count beyond the data is a lie.
        if (e->count > data_.size() - e->offset) {
            return {};
        }
        const std::size_t wanted = std::min<std::size_t>(e->type == t_string ? 1 : e->count, limit);
        std::vector<std::string_view> out;
        out.reserve(wanted);
        std::size_t at = e->offset;
        while (out.size() < wanted) {
            const void* nul = std::memchr(data_.data() + at, 0, data_.size() - at);
            if (!nul) {
                return {};
            }
            const auto len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) -
                                                      (data_.data() + at));
            out.emplace_back(reinterpret_cast<const char*>(data_.data() + at), len);
            at += len + 1;
            if (at >= data_.size() && out.size() < wanted) {
                return {};
            }
        }
        return out;
    }

    std::string string(std::uint32_t tag) const {
        const auto all = strings(tag, 1);
        return all.empty() ? std::string{} : std::string(all.front());
    }

    std::vector<std::uint32_t> int32s(std::uint32_t tag, std::size_t limit) const {
        const Entry* e = find(tag);
        if (!e || e->type != t_int32 || std::uint64_t{e->count} * 4 > data_.size() - e->offset) {
            return {};
        }
        std::vector<std::uint32_t> out(std::min<std::size_t>(e->count, limit));
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = be32(data_.data() + e->offset + 4 * i);
        }
        return out;
    }

private:
    std::vector<Entry> entries_;
    std::span<const std::uint8_t> data_;
};

Result<Header> load(std::span<const std::uint8_t> blob) {
    if (blob.size() < 8) {
        return bad("shorter than its 8-byte preamble");
    }
    const std::uint32_t il = be32(blob.data());
    const std::uint32_t dl = be32(blob.data() + 4);
    if (il == 0 || il > kMaxEntries || dl > kMaxData) {
        return bad("implausible entry count " + std::to_string(il) + " or data size " +
                   std::to_string(dl));
    }
    const std::uint64_t need = 8 + std::uint64_t{il} * 16 + dl;
    if (blob.size() < need) {
        return bad("needs " + std::to_string(need) + " bytes, has " + std::to_string(blob.size()));
    }
    const auto data = blob.subspan(8 + std::size_t{il} * 16, dl);
    std::vector<Entry> entries(il);
    for (std::uint32_t i = 0; i < il; ++i) {
        const std::uint8_t* p = blob.data() + 8 + std::size_t{i} * 16;
        Entry e{be32(p), be32(p + 4), be32(p + 8), be32(p + 12)};
        if (e.type > kMaxType || e.count == 0 || e.offset >= dl) {
            return bad("entry " + std::to_string(i) + " (tag " + std::to_string(e.tag) +
                       ") has type " + std::to_string(e.type) + ", offset " +
                       std::to_string(e.offset) + ", count " + std::to_string(e.count));
        }
        entries[i] = e;
    }
    // A region tag first: its 16-byte trailer in the data must be an entry for the same tag
    // whose (negative) offset covers no more entries than there are.
    const Entry& first = entries.front();
    if (first.tag == tag_image || first.tag == tag_signatures || first.tag == tag_immutable) {
        if (first.type != t_bin || first.count != 16 || dl - first.offset < 16) {
            return bad("region tag " + std::to_string(first.tag) + " is malformed");
        }
        const std::uint8_t* t = data.data() + first.offset;
        const std::uint32_t covered = (0u - be32(t + 8)) / 16;  // offset is -(entries * 16)
        if (be32(t) != first.tag || be32(t + 4) != t_bin || be32(t + 12) != 16 ||
            (0u - be32(t + 8)) % 16 != 0 || covered == 0 || covered > il) {
            return bad("region trailer of tag " + std::to_string(first.tag) + " is malformed");
        }
    }
    return Header(std::move(entries), data);
}

// "glibc-2.28-225.el8.src.rpm" -> name "glibc", version-release "2.28-225.el8".
void parse_source_rpm(std::string_view srpm, Package& pkg, std::string_view epoch_prefix) {
    if (srpm.ends_with(".rpm")) {
        srpm.remove_suffix(4);
    }
    if (const auto dot = srpm.rfind('.'); dot != std::string_view::npos) {
        srpm = srpm.substr(0, dot);  // ".src", ".nosrc"
    }
    const auto release_dash = srpm.rfind('-');
    if (release_dash == std::string_view::npos || release_dash == 0) {
        return;
    }
    const auto version_dash = srpm.rfind('-', release_dash - 1);
    if (version_dash == std::string_view::npos || version_dash == 0) {
        return;
    }
    pkg.source_name = srpm.substr(0, version_dash);
    // Sources carry no epoch of their own in the file name; rpm builds every binary with its
    // source's epoch, so the binary's epoch applies.
    pkg.source_version = std::string(epoch_prefix) + std::string(srpm.substr(version_dash + 1));
}

void read_files(const Header& h, Package& pkg, detail::FileBudget& budget) {
    const auto base = h.strings(tag_basenames, detail::kMaxFiles);
    if (base.empty()) {
        for (const auto& path : h.strings(tag_oldfilenames, detail::kMaxFiles)) {
            detail::add_file(pkg.files, budget, {}, path);
        }
        return;
    }
    const auto dirs = h.strings(tag_dirnames, detail::kMaxFiles);
    const auto index = h.int32s(tag_dirindexes, detail::kMaxFiles);
    for (std::size_t i = 0; i < base.size() && i < index.size(); ++i) {
        if (index[i] < dirs.size()) {
            detail::add_file(pkg.files, budget, dirs[index[i]], base[i]);
        }
    }
}

}  // namespace

Result<Package> parse_rpm_header(std::span<const std::uint8_t> blob) {
    detail::FileBudget budget;
    return detail::parse_rpm_header(blob, budget);
}

Result<Package> detail::parse_rpm_header(std::span<const std::uint8_t> blob, FileBudget& budget) {
    auto header = load(blob);
    if (!header) {
        return header.error();
    }
    const Header& h = *header;
    Package pkg;
    pkg.type = PackageType::rpm;
    pkg.name = h.string(tag_name);
    const std::string version = h.string(tag_version);
    if (pkg.name.empty() || version.empty()) {
        return bad("no NAME or VERSION tag");
    }
    std::string epoch;
    if (const auto e = h.int32s(tag_epoch, 1); !e.empty()) {
        epoch = std::to_string(e.front()) + ":";
    }
    const std::string release = h.string(tag_release);
    pkg.version = epoch + version + (release.empty() ? "" : "-" + release);
    pkg.arch = h.string(tag_arch);
    pkg.maintainer = h.string(tag_vendor);
    pkg.license = h.string(tag_license);
    parse_source_rpm(h.string(tag_sourcerpm), pkg, epoch);
    read_files(h, pkg, budget);
    return pkg;
}

bool detail::RpmPackages::add(std::span<const std::uint8_t> header_blob) {
    auto pkg = parse_rpm_header(header_blob, budget_);
    if (pkg && pkg->name != "gpg-pubkey") {
        packages_.push_back(std::move(*pkg));
    }
    return packages_.size() < kMaxPackages;
}

}  // namespace wharf::scan
