#include "model/byte_range.hpp"

#include <limits>

#include <fmt/format.h>

#include "model/text.hpp"

namespace wharf::model {
namespace {

Error range_invalid(std::string_view what, std::string_view header, std::string_view why) {
    return Error{Errc::range_invalid,
                 fmt::format("{} {} is invalid: {}", what, detail::quote(header), why),
                 {{"header", detail::printable(header)}}};
}

// A run of decimal digits as an integer; nullopt when empty, not all digits, or over 2^64-1.
std::optional<std::uint64_t> parse_u64(std::string_view text) noexcept {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    for (const char c : text) {
        if (!detail::is_digit(c)) {
            return std::nullopt;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (value > (kMax - d) / 10) {
            return std::nullopt;
        }
        value = value * 10 + d;
    }
    return value;
}

// Splits "<a>-<b>" at its only '-'; false when there is no '-'.
bool split_dash(std::string_view text, std::string_view& a, std::string_view& b) noexcept {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        return false;
    }
    a = detail::trim_ows(text.substr(0, dash));
    b = detail::trim_ows(text.substr(dash + 1));
    return true;
}

}  // namespace

Result<std::optional<ByteSpan>> parse_range_header(std::string_view header, std::uint64_t size) {
    constexpr std::string_view kWhat = "Range";
    const auto text = detail::trim_ows(header);
    if (text.empty()) {
        return std::optional<ByteSpan>{};
    }
    const auto eq = text.find('=');
    if (eq == std::string_view::npos ||
        !detail::iequals(detail::trim_ows(text.substr(0, eq)), "bytes")) {
        return std::optional<ByteSpan>{};  // another unit, or not a range at all: serve it whole
    }
    // range-set = 1#range-spec: a list, which may carry empty elements ("bytes=0-9,").
    std::string_view spec;
    std::size_t specs = 0;
    std::string_view rest = text.substr(eq + 1);
    while (true) {
        const auto comma = rest.find(',');
        const auto item = detail::trim_ows(rest.substr(0, comma));
        if (!item.empty()) {
            spec = item;
            ++specs;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    if (specs > 1) {
        return std::optional<ByteSpan>{};  // several ranges: we answer with the whole blob
    }
    std::string_view first_text;
    std::string_view last_text;
    if (specs == 0 || !split_dash(spec, first_text, last_text)) {
        return range_invalid(kWhat, header,
                             "expected \"bytes=<first>-<last>\", \"bytes=<first>-\" or "
                             "\"bytes=-<suffix length>\"");
    }
    if (first_text.empty()) {
        const auto suffix = parse_u64(last_text);
        if (!suffix) {
            return range_invalid(kWhat, header,
                                 "the suffix length after '-' must be a decimal number that "
                                 "fits in 64 bits");
        }
        if (*suffix == 0 || size == 0) {
            return range_invalid(kWhat, header,
                                 fmt::format("a suffix range needs at least one byte; the blob "
                                             "is {} bytes",
                                             size));
        }
        const auto length = *suffix < size ? *suffix : size;
        return std::optional<ByteSpan>{ByteSpan{size - length, length}};
    }
    const auto first = parse_u64(first_text);
    if (!first) {
        return range_invalid(kWhat, header,
                             "the first byte position must be a decimal number that fits in "
                             "64 bits");
    }
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        const auto parsed = parse_u64(last_text);
        if (!parsed) {
            return range_invalid(kWhat, header,
                                 "the last byte position must be a decimal number that fits in "
                                 "64 bits");
        }
        if (*parsed < *first) {
            return range_invalid(kWhat, header, "the last byte position is before the first");
        }
        last = *parsed < last ? *parsed : last;
    }
    if (*first >= size) {
        return range_invalid(
            kWhat, header,
            fmt::format("it starts at byte {} but the blob is {} bytes", *first, size));
    }
    return std::optional<ByteSpan>{ByteSpan{*first, last - *first + 1}};
}

Result<ChunkRange> parse_content_range(std::string_view header) {
    constexpr std::string_view kWhat = "Content-Range";
    constexpr std::string_view kExpected = "expected \"<first>-<last>\", e.g. \"0-1023\"";
    auto text = detail::trim_ows(header);
    if (text.size() >= 6 && detail::iequals(text.substr(0, 5), "bytes") &&
        (text[5] == ' ' || text[5] == '=')) {
        text = detail::trim_ows(text.substr(6));
    }
    std::optional<std::uint64_t> total;
    bool has_total = false;
    if (const auto slash = text.find('/'); slash != std::string_view::npos) {
        const auto total_text = detail::trim_ows(text.substr(slash + 1));
        text = detail::trim_ows(text.substr(0, slash));
        if (total_text != "*") {
            total = parse_u64(total_text);
            if (!total) {
                return range_invalid(kWhat, header,
                                     "the total after '/' must be '*' or a decimal number");
            }
        }
        has_total = true;
    }
    std::string_view first_text;
    std::string_view last_text;
    if (!split_dash(text, first_text, last_text)) {
        return range_invalid(kWhat, header, kExpected);
    }
    const auto first = parse_u64(first_text);
    const auto last = parse_u64(last_text);
    if (!first || !last) {
        return range_invalid(kWhat, header,
                             fmt::format("{}; both positions must be decimal numbers that fit in "
                                         "64 bits",
                                         kExpected));
    }
    if (*last < *first) {
        return range_invalid(
            kWhat, header,
            fmt::format("the last byte {} is before the first byte {}", *last, *first));
    }
    if (*last == std::numeric_limits<std::uint64_t>::max()) {
        return range_invalid(kWhat, header, "the last byte position is too large");
    }
    if (has_total && total && *last >= *total) {
        return range_invalid(
            kWhat, header,
            fmt::format("the last byte {} is not inside the total of {} bytes", *last, *total));
    }
    return ChunkRange{*first, *last};
}

}  // namespace wharf::model
