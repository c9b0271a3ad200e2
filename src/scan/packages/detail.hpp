#pragma once

// Internal to the package extractors: the caps every parser shares, small text helpers, the
// owned-file collector with its byte budget, a bounds-checked ELF section lookup, and a JSON
// loader that refuses pathological nesting before the library sees the text.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/packages/packages.hpp"

namespace wharf::scan::detail {

// Caps against hostile files. A real dpkg status has ~1,000 packages and a large rpmdb ~3,000;
// the biggest real package owns ~100,000 files.
inline constexpr std::size_t kMaxPackages = 100'000;
inline constexpr std::size_t kMaxFiles = 1'000'000;
// Total bytes of file paths kept per parse: a file list is "directory + name" pairs, so a long
// directory repeated for every entry would otherwise multiply the input size.
inline constexpr std::size_t kMaxFileBytes = 128u << 20;
// JSON documents nested deeper than this are refused (real lockfiles stay under ~30).
inline constexpr std::size_t kMaxJsonDepth = 128;

std::string_view trim(std::string_view s);
// Calls `line` for each line (without "\n" or a trailing "\r"); stops when it returns false.
void for_each_line(std::string_view text, const std::function<bool(std::string_view)>& line);
// Layer-style path: no leading "/" or "./"; empty when nothing is left.
std::string normalise_path(std::string_view path);
bool iequals(std::string_view a, std::string_view b);

// What is left of one parse's allowance for owned files (shared by all its packages); extra
// files are dropped silently, the packages themselves are still reported.
struct FileBudget {
    std::size_t files_left = kMaxFiles;
    std::size_t bytes_left = kMaxFileBytes;
};
// Appends normalise_path(dir + "/" + name) (just `name` when dir is empty) within the budget.
void add_file(std::vector<std::string>& out, FileBudget& budget, std::string_view dir,
              std::string_view name);

// parse_rpm_header with the file budget of the whole database it came from.
Result<Package> parse_rpm_header(std::span<const std::uint8_t> blob, FileBudget& budget);

// The packages of one rpm database, whatever its backend (sqlite, Berkeley DB, NDB): one
// damaged header costs its package, not the whole database, and gpg-pubkey entries (the
// imported signing keys) are not software.
class RpmPackages {
public:
    // false once kMaxPackages are kept: the caller stops reading.
    bool add(std::span<const std::uint8_t> header_blob);
    std::vector<Package> take() { return std::move(packages_); }
    // The packages of header blobs keyed by their number in the database (instance, index), in
    // that order, as `rpm -qa` reads them.
    template <typename BlobsByNumber>
    static std::vector<Package> in_order(const BlobsByNumber& blobs) {
        RpmPackages out;
        for (const auto& [number, blob] : blobs) {
            if (!out.add(blob)) {
                break;
            }
        }
        return out.take();
    }

private:
    std::vector<Package> packages_;
    FileBudget budget_;  // shared: many headers must not each spend the whole allowance
};

// JSON from untrusted text: nullopt on syntax errors or nesting deeper than kMaxJsonDepth.
std::optional<nlohmann::json> parse_json(std::string_view text);

// The bytes of the named section of an ELF file (32/64-bit, either byte order), bounds-checked
// against the buffer; nullopt when the file is not ELF or has no such section.
std::optional<std::span<const std::uint8_t>> find_elf_section(std::span<const std::uint8_t> file,
                                                              std::string_view name);

}  // namespace wharf::scan::detail
