#include "model/names.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace wharf::model {
namespace {

struct Case {
    std::string text;
    bool valid;
    std::string message_part = {};
};

std::string name_of_length(std::size_t n) {
    // "aaaa/aaaa/..." keeps the grammar and reaches any length.
    std::string out;
    while (out.size() < n) {
        out += (out.size() % 10 == 9 && out.size() + 1 < n) ? '/' : 'a';
    }
    return out;
}

TEST(RepoName, ParseTable) {
    const std::vector<Case> cases = {
        {"a", true},
        {"0", true},
        {"library/ubuntu", true},
        {"team/app/api", true},
        {"a/b/c/d/e/f", true},
        {"my.app", true},
        {"my_app", true},
        {"my__app", true},
        {"my-app", true},
        {"my--app", true},
        {"my----app", true},
        {"a.b_c__d-e--f", true},
        {"123/456", true},
        {"x.y.z/a-b/c__d", true},
        {name_of_length(256), true},
        {"", false, "it is empty"},
        {name_of_length(257), false, "it is 257 characters long; the limit is 256"},
        {"My-App", false, "upper-case 'M' at position 1"},
        {"app/Api", false, "upper-case 'A' at position 5"},
        {"my___app", false, "separator \"___\" at position 3"},
        {"my..app", false, "separator \"..\""},
        {"my._app", false, "separator \"._\""},
        {"my-.app", false, "separator \"-.\""},
        {"my_-app", false, "separator \"_-\""},
        {"app-", false, "separator \"-\" at position 4 ends a path component"},
        {"app.", false, "ends a path component"},
        {"app__", false, "separator \"__\" at position 4 ends"},
        {"app-/x", false, "ends a path component"},
        {"-app", false, "starts with '-' at position 1"},
        {"_app", false, "starts with '_'"},
        {".app", false, "starts with '.'"},
        {"team/-app", false, "starts with '-' at position 6"},
        {"/app", false, "it starts with '/'"},
        {"app/", false, "it ends with '/'"},
        {"team//app", false, "empty path component at position 6"},
        {"my app", false, "' ' at position 3 is not allowed"},
        {"my:app", false, "':' at position 3"},
        {"my@app", false, "'@'"},
        {"ns/app:tag", false, "':'"},
        {"caf\xc3\xa9", false, "\\xc3 at position 4"},
        {std::string("a\0b", 3), false, "\\x00 at position 2"},
        {"..", false, "starts with '.'"},
        {"a/../b", false, "starts with '.' at position 3"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto name = RepoName::parse(c.text);
        EXPECT_EQ(name.has_value(), c.valid);
        if (c.valid && name) {
            EXPECT_EQ(name->str(), c.text);
        } else if (!name) {
            EXPECT_EQ(name.error().code, Errc::name_invalid);
            EXPECT_NE(name.error().message.find(c.message_part), std::string::npos)
                << name.error().message;
        }
    }
}

TEST(RepoName, MessageNamesTheInput) {
    auto name = RepoName::parse("My-App");
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error().message,
              "repository name \"My-App\" is invalid: upper-case 'M' at position 1; repository "
              "names are lower case");
}

TEST(RepoName, LengthsAroundTheLimit) {
    EXPECT_EQ(name_of_length(256).size(), 256u);
    EXPECT_EQ(name_of_length(257).size(), 257u);
    EXPECT_TRUE(RepoName::parse(std::string(256, 'a')));
    EXPECT_FALSE(RepoName::parse(std::string(257, 'a')));
    EXPECT_FALSE(RepoName::parse(std::string(100000, 'a')));
}

TEST(RepoName, Ordering) {
    std::set<RepoName> names{RepoName::parse("b").value(), RepoName::parse("a").value()};
    EXPECT_EQ(names.begin()->str(), "a");
}

TEST(Tag, ParseTable) {
    const std::vector<Case> cases = {
        {"latest", true},
        {"v1.2.3", true},
        {"1.0-rc.1", true},
        {"_private", true},
        {"UPPER_case-Mixed.1", true},
        {"a", true},
        {"0", true},
        {"sha256-abc.sig", true},
        {std::string(128, 'a'), true},
        {"_" + std::string(127, '-'), true},
        {"", false, "it is empty"},
        {std::string(129, 'a'), false, "it is 129 characters long; the limit is 128"},
        {".hidden", false, "it starts with '.'"},
        {"-dash", false, "it starts with '-'"},
        {"v1+build", false, "'+' at position 3 is not allowed"},
        {"a/b", false, "'/' at position 2"},
        {"a b", false, "' ' at position 2"},
        {"a:b", false, "':'"},
        {"a@b", false, "'@'"},
        {"t\xc3\xa4g", false, "\\xc3 at position 2"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto tag = Tag::parse(c.text);
        EXPECT_EQ(tag.has_value(), c.valid);
        if (c.valid && tag) {
            EXPECT_EQ(tag->str(), c.text);
        } else if (!tag) {
            EXPECT_EQ(tag.error().code, Errc::tag_invalid);
            EXPECT_NE(tag.error().message.find(c.message_part), std::string::npos)
                << tag.error().message;
        }
    }
}

TEST(Reference, DigestWhenItHasAColon) {
    const std::string digest = Digest::of("x").str();
    auto r = Reference::parse(digest);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->is_digest());
    EXPECT_FALSE(r->is_tag());
    EXPECT_EQ(r->digest(), Digest::of("x"));
    EXPECT_EQ(r->str(), digest);
}

TEST(Reference, TagOtherwise) {
    auto r = Reference::parse("v1.0");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->is_tag());
    EXPECT_EQ(r->tag().str(), "v1.0");
    EXPECT_EQ(r->str(), "v1.0");
}

TEST(Reference, ErrorsComeFromTheRightGrammar) {
    const std::vector<std::pair<std::string, Errc>> cases = {
        {"sha256:abc", Errc::digest_invalid}, {"latest:", Errc::digest_invalid},
        {":", Errc::digest_invalid},          {"", Errc::tag_invalid},
        {".bad", Errc::tag_invalid},          {std::string(129, 't'), Errc::tag_invalid},
    };
    for (const auto& [text, code] : cases) {
        SCOPED_TRACE(text);
        auto r = Reference::parse(text);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, code);
    }
}

TEST(Reference, Constructors) {
    Reference by_tag(Tag::parse("x").value());
    EXPECT_TRUE(by_tag.is_tag());
    Reference by_digest(Digest::of("x"));
    EXPECT_TRUE(by_digest.is_digest());
}

TEST(UploadId, GeneratedIdsParseAndDiffer) {
    const auto a = UploadId::generate();
    const auto b = UploadId::generate();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.str().size(), 36u);
    auto parsed = UploadId::parse(a.str());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, a);
}

TEST(UploadId, ParseTable) {
    const std::vector<Case> cases = {
        {"0b6b5c3e-1f2a-4c1d-9a7e-3c2b1a0f9e8d", true},
        {"abc_DEF-123", true},
        {"x", true},
        {std::string(64, 'a'), true},
        {"", false, "it is empty"},
        {std::string(65, 'a'), false, "the limit is 64"},
        {"..", false, "'.' at position 1"},
        {"a/b", false, "'/' at position 2"},
        {"a.b", false, "'.'"},
        {"a%2Fb", false, "'%'"},
        {std::string("a\0", 2), false, "\\x00"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto id = UploadId::parse(c.text);
        EXPECT_EQ(id.has_value(), c.valid);
        if (c.valid && id) {
            EXPECT_EQ(id->str(), c.text);
        } else if (!id) {
            EXPECT_EQ(id.error().code, Errc::blob_upload_unknown);
            EXPECT_NE(id.error().message.find(c.message_part), std::string::npos)
                << id.error().message;
        }
    }
}

}  // namespace
}  // namespace wharf::model
