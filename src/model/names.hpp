#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.hpp"
#include "model/digest.hpp"

namespace wharf::model {

// Repository name per the distribution spec:
//   [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
// at most 256 characters (ECR's limit). Nested names such as team/app/api are allowed.
class RepoName {
public:
    static constexpr std::size_t kMaxLength = 256;
    static Result<RepoName> parse(std::string_view text);  // Errc::name_invalid, says why
    const std::string& str() const noexcept { return text_; }
    friend bool operator==(const RepoName&, const RepoName&) = default;
    friend auto operator<=>(const RepoName&, const RepoName&) = default;

private:
    explicit RepoName(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

// Tag: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
class Tag {
public:
    static Result<Tag> parse(std::string_view text);  // Errc::tag_invalid, says why
    const std::string& str() const noexcept { return text_; }
    friend bool operator==(const Tag&, const Tag&) = default;
    friend auto operator<=>(const Tag&, const Tag&) = default;

private:
    explicit Tag(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

// The <reference> of /v2/<name>/manifests/<reference>: a digest when it contains ':',
// otherwise a tag.
class Reference {
public:
    // Errc::digest_invalid or Errc::tag_invalid.
    static Result<Reference> parse(std::string_view text);
    explicit Reference(Tag tag) : value_(std::move(tag)) {}
    explicit Reference(Digest digest) : value_(std::move(digest)) {}

    bool is_digest() const noexcept { return std::holds_alternative<Digest>(value_); }
    bool is_tag() const noexcept { return std::holds_alternative<Tag>(value_); }
    const Digest& digest() const { return std::get<Digest>(value_); }
    const Tag& tag() const { return std::get<Tag>(value_); }
    const std::string& str() const noexcept;

private:
    std::variant<Tag, Digest> value_;
};

// Upload session id: what we hand out is a UUID; we accept 1-64 of [A-Za-z0-9_-] so a crafted id
// can never become a path component with meaning ('.', '/').
class UploadId {
public:
    static UploadId generate();
    static Result<UploadId> parse(std::string_view text);  // Errc::blob_upload_unknown
    const std::string& str() const noexcept { return text_; }
    friend bool operator==(const UploadId&, const UploadId&) = default;

private:
    explicit UploadId(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

}  // namespace wharf::model
