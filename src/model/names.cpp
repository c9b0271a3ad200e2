#include "model/names.hpp"

#include <fmt/format.h>

#include "common/ids.hpp"
#include "model/text.hpp"

namespace wharf::model {
namespace {

constexpr std::size_t kMaxTagLength = 128;
constexpr std::size_t kMaxUploadIdLength = 64;

Error name_invalid(std::string_view text, std::string_view why) {
    return Error{Errc::name_invalid,
                 fmt::format("repository name {} is invalid: {}", detail::quote(text), why),
                 {{"name", detail::printable(text)}}};
}

bool is_separator(char c) noexcept {
    return c == '.' || c == '_' || c == '-';
}

// Why byte `i` of a repository name cannot be there; `i` is known not to fit the grammar.
std::string bad_char(std::string_view text, std::size_t i) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') {
        return fmt::format("upper-case {} at position {}; repository names are lower case",
                           detail::describe_char(c), i + 1);
    }
    return fmt::format("{} at position {} is not allowed; use a-z, 0-9, '.', '_', '-' and '/'",
                       detail::describe_char(c), i + 1);
}

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, starting at text[begin], ending before
// the next '/' or the end. Returns the end of the component, or an error message.
Result<std::size_t> check_component(std::string_view text, std::size_t begin) {
    std::size_t i = begin;
    const auto at_end = [&] { return i == text.size() || text[i] == '/'; };
    if (at_end()) {
        return name_invalid(text,
                            begin == 0 ? "it starts with '/'"
                            : i == text.size()
                                ? "it ends with '/'"
                                : fmt::format("empty path component at position {} ('//')", i + 1));
    }
    if (is_separator(text[i])) {
        return name_invalid(text, fmt::format("path component starts with {} at position {}; "
                                              "each component must start with a-z or 0-9",
                                              detail::describe_char(text[i]), i + 1));
    }
    while (true) {
        if (!detail::is_lower_alnum(text[i])) {
            return name_invalid(text, bad_char(text, i));
        }
        while (i < text.size() && detail::is_lower_alnum(text[i])) {
            ++i;
        }
        if (at_end()) {
            return i;
        }
        const std::size_t sep = i;
        if (text[i] == '.') {
            ++i;
        } else if (text[i] == '_') {
            ++i;
            if (i < text.size() && text[i] == '_') {
                ++i;
            }
        } else if (text[i] == '-') {
            while (i < text.size() && text[i] == '-') {
                ++i;
            }
        } else {
            return name_invalid(text, bad_char(text, i));
        }
        if (at_end()) {
            return name_invalid(text,
                                fmt::format("separator {} at position {} ends a path "
                                            "component; each component must end with a-z "
                                            "or 0-9",
                                            detail::quote(text.substr(sep, i - sep), 8), sep + 1));
        }
        if (is_separator(text[i])) {
            std::size_t end = i;
            while (end < text.size() && is_separator(text[end])) {
                ++end;
            }
            return name_invalid(
                text, fmt::format("separator {} at position {} is not allowed; between letters "
                                  "and digits use one '.', one '_', '__', or one or more '-'",
                                  detail::quote(text.substr(sep, end - sep), 16), sep + 1));
        }
    }
}

Error tag_invalid(std::string_view text, std::string_view why) {
    return Error{Errc::tag_invalid,
                 fmt::format("tag {} is invalid: {}", detail::quote(text), why),
                 {{"tag", detail::printable(text)}}};
}

bool is_tag_char(char c) noexcept {
    return detail::is_alnum(c) || is_separator(c);
}

bool is_upload_id_char(char c) noexcept {
    return detail::is_alnum(c) || c == '_' || c == '-';
}

}  // namespace

Result<RepoName> RepoName::parse(std::string_view text) {
    if (text.empty()) {
        return name_invalid(text, "it is empty");
    }
    if (text.size() > kMaxLength) {
        return name_invalid(text, fmt::format("it is {} characters long; the limit is {}",
                                              text.size(), kMaxLength));
    }
    std::size_t i = 0;
    while (true) {
        auto end = check_component(text, i);
        if (!end) {
            return std::move(end).error();
        }
        if (*end == text.size()) {
            break;
        }
        i = *end + 1;  // past the '/'
    }
    return RepoName(std::string(text));
}

Result<Tag> Tag::parse(std::string_view text) {
    if (text.empty()) {
        return tag_invalid(text, "it is empty");
    }
    if (text.size() > kMaxTagLength) {
        return tag_invalid(text, fmt::format("it is {} characters long; the limit is {}",
                                             text.size(), kMaxTagLength));
    }
    if (text[0] == '.' || text[0] == '-') {
        return tag_invalid(text, fmt::format("it starts with {}; the first character must be "
                                             "a letter, a digit or '_'",
                                             detail::describe_char(text[0])));
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_tag_char(text[i])) {
            return tag_invalid(text, fmt::format("{} at position {} is not allowed; use letters, "
                                                 "digits, '_', '.' and '-'",
                                                 detail::describe_char(text[i]), i + 1));
        }
    }
    return Tag(std::string(text));
}

Result<Reference> Reference::parse(std::string_view text) {
    if (text.find(':') != std::string_view::npos) {
        auto digest = Digest::parse(text);
        if (!digest) {
            return std::move(digest).error();
        }
        return Reference(std::move(*digest));
    }
    auto tag = Tag::parse(text);
    if (!tag) {
        return std::move(tag).error();
    }
    return Reference(std::move(*tag));
}

const std::string& Reference::str() const noexcept {
    return is_digest() ? std::get<Digest>(value_).str() : std::get<Tag>(value_).str();
}

UploadId UploadId::generate() {
    return UploadId(random_uuid());
}

Result<UploadId> UploadId::parse(std::string_view text) {
    const auto unknown = [&](std::string_view why) {
        return Error{Errc::blob_upload_unknown,
                     fmt::format("upload id {} is invalid: {}; use the Location the registry "
                                 "returned when the upload started",
                                 detail::quote(text), why),
                     {{"upload_id", detail::printable(text)}}};
    };
    if (text.empty()) {
        return unknown("it is empty");
    }
    if (text.size() > kMaxUploadIdLength) {
        return unknown(fmt::format("it is {} characters long; the limit is {}", text.size(),
                                   kMaxUploadIdLength));
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_upload_id_char(text[i])) {
            return unknown(fmt::format("{} at position {} is not allowed",
                                       detail::describe_char(text[i]), i + 1));
        }
    }
    return UploadId(std::string(text));
}

}  // namespace wharf::model
