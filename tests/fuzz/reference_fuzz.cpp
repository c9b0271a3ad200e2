// The wire-string parsers: RepoName, Tag, Reference, Digest and UploadId on the same input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/names.hpp"
#include "fuzz_check.hpp"

namespace {

// A refusal must be printable as JSON and say something.
void check_error(const wharf::Error& e, wharf::Errc expected) {
    check(e.code == expected);
    check(!e.message.empty());
    check(e.message.size() < 1024);
    (void)nlohmann::json({{"message", e.message}, {"detail", e.detail}}).dump();
}

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wharf::model;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto name = RepoName::parse(text)) {
        check(name->str() == text);
        check(!text.empty() && text.size() <= RepoName::kMaxLength);
        check(is_lower_alnum(text.front()) && is_lower_alnum(text.back()));
        check(text.find("//") == std::string_view::npos);
    } else {
        check_error(name.error(), wharf::Errc::name_invalid);
    }

    if (auto tag = Tag::parse(text)) {
        check(tag->str() == text);
        check(!text.empty() && text.size() <= 128);
        check(text.find(':') == std::string_view::npos && text.find('/') == std::string_view::npos);
    } else {
        check_error(tag.error(), wharf::Errc::tag_invalid);
    }

    if (auto digest = Digest::parse(text)) {
        check(digest->str() == text);
        check(digest->hex().size() == wharf::hex_length(digest->algorithm()));
        check(Digest::parse(digest->str()).value() == *digest);
    } else {
        check_error(digest.error(), wharf::Errc::digest_invalid);
    }

    if (auto ref = Reference::parse(text)) {
        check(ref->str() == text);
        check(ref->is_digest() == (text.find(':') != std::string_view::npos));
    } else {
        check(ref.error().code == wharf::Errc::digest_invalid ||
              ref.error().code == wharf::Errc::tag_invalid);
        check_error(ref.error(), ref.error().code);
    }

    if (auto id = UploadId::parse(text)) {
        check(id->str() == text);
        check(text.find('.') == std::string_view::npos && text.find('/') == std::string_view::npos);
    } else {
        check_error(id.error(), wharf::Errc::blob_upload_unknown);
    }
    return 0;
}
