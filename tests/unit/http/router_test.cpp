#include <gtest/gtest.h>

#include "http/request_context.hpp"
#include "http/router.hpp"
#include "common/percent.hpp"

namespace wharf::http {
namespace {

// A request with only a method and a path, for routing.
class PathOnly final : public RequestContext {
public:
    PathOnly(Method m, std::string path) : method_(m), path_(std::move(path)) {}
    Method method() const noexcept override { return method_; }
    std::string_view path() const noexcept override { return path_; }
    std::string_view header(field) const noexcept override { return {}; }
    std::string_view header(std::string_view) const noexcept override { return {}; }
    std::string header_list(field) const override { return {}; }
    std::optional<std::uint64_t> content_length() const noexcept override { return {}; }
    bool chunked() const noexcept override { return false; }
    const std::string& request_id() const noexcept override { return id_; }
    std::string_view remote_address() const noexcept override { return {}; }
    std::string base_url() const override { return {}; }
    net::awaitable<Result<std::size_t>> read_body(std::span<std::byte>) override {
        co_return std::size_t{0};
    }
    std::string query_text;

protected:
    std::string_view raw_query() const noexcept override { return query_text; }
    net::awaitable<void> run_blocking(std::function<void()> fn) override {
        fn();
        co_return;
    }

private:
    Method method_;
    std::string path_;
    std::string id_ = "test";
};

Handler named(std::string) {
    return [](RequestContext&) -> net::awaitable<Response> { co_return make_response(status::ok); };
}

Router oci_like() {
    Router r;
    r.add({Method::get, "/v2/", "base", named("base")});
    r.add({Method::get, "/v2/{name*}/manifests/{reference}", "manifest.get", named("")});
    r.add({Method::put, "/v2/{name*}/manifests/{reference}", "manifest.put", named("")});
    r.add({Method::get, "/v2/{name*}/blobs/{digest}", "blob.get", named("")});
    r.add({Method::post, "/v2/{name*}/blobs/uploads/", "upload.start", named("")});
    r.add({Method::patch, "/v2/{name*}/blobs/uploads/{uuid}", "upload.patch", named("")});
    r.add({Method::get, "/v2/{name*}/tags/list", "tags.list", named("")});
    r.set_not_found(named("404"));
    r.set_method_not_allowed(named("405"));
    return r;
}

struct Case {
    Method method;
    std::string path;
    std::string route;
    std::string name;
    std::string second_param;  // reference / digest / uuid
};

TEST(Router, MatchesGreedyNamesAndParams) {
    const Router r = oci_like();
    const std::vector<Case> cases{
        {Method::get, "/v2/", "base", "", ""},
        {Method::get, "/v2/app/manifests/latest", "manifest.get", "app", "latest"},
        {Method::get, "/v2/team/app/api/manifests/v1", "manifest.get", "team/app/api", "v1"},
        {Method::put, "/v2/a/manifests/sha256:abc", "manifest.put", "a", "sha256:abc"},
        {Method::get, "/v2/a/b/blobs/sha256:x", "blob.get", "a/b", "sha256:x"},
        {Method::post, "/v2/a/b/blobs/uploads/", "upload.start", "a/b", ""},
        {Method::patch, "/v2/a/blobs/uploads/123", "upload.patch", "a", "123"},
        {Method::get, "/v2/x/blobs/tags/list", "tags.list", "x/blobs", ""},
        {Method::get, "/v2/manifests/x", "not_found", "", ""},
        {Method::del, "/v2/a/manifests/x",
         "method_not_allowed", "", ""},
        {Method::get, "/v2//manifests/x", "manifest.get", "", "x"},
        {Method::get, "/v2/a//b/manifests/x", "manifest.get", "a//b", "x"},
        {Method::get, "/v3/a/manifests/x", "not_found", "", ""},
    };
    for (const auto& c : cases) {
        PathOnly ctx(c.method, c.path);
        r.match(ctx);
        EXPECT_EQ(ctx.route_name(), c.route) << c.path;
        EXPECT_EQ(ctx.path_param("name"), c.name) << c.path;
        if (!c.second_param.empty()) {
            auto p = ctx.path_param("reference");
            if (p.empty()) p = ctx.path_param("digest");
            if (p.empty()) p = ctx.path_param("uuid");
            EXPECT_EQ(p, c.second_param) << c.path;
        }
    }
}

TEST(Router, QueryParametersArePercentDecoded) {
    PathOnly ctx(Method::get, "/v2/a/tags/list");
    ctx.query_text = "n=10&last=v%2B1&from=team%2Fapp&flag";
    EXPECT_EQ(ctx.query("n"), "10");
    EXPECT_EQ(ctx.query("last"), "v+1");
    EXPECT_EQ(ctx.query("from"), "team/app");
    EXPECT_EQ(ctx.query("flag"), "");
    EXPECT_EQ(ctx.query("missing"), std::nullopt);
}

TEST(PercentDecode, RejectsBrokenEscapes) {
    EXPECT_EQ(wharf::percent_decode("a%20b"), "a b");
    EXPECT_EQ(wharf::percent_decode("%"), std::nullopt);
    EXPECT_EQ(wharf::percent_decode("%2"), std::nullopt);
    EXPECT_EQ(wharf::percent_decode("%zz"), std::nullopt);
}

}  // namespace
}  // namespace wharf::http
