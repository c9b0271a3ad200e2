// The HTTP server end to end over loopback: framing, pipelining, bodies both ways, shutdown.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstring>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace wharf::http {
namespace {

namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// Yields its pieces one read at a time, without announcing a length.
class Pieces final : public BodySource {
public:
    explicit Pieces(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
    std::uint64_t length() const noexcept override { return 0; }
    bool length_known() const noexcept override { return false; }
    Result<std::size_t> read(std::span<std::byte> out) override {
        if (next_ == pieces_.size()) {
            return std::size_t{0};
        }
        const auto& p = pieces_[next_++];
        std::memcpy(out.data(), p.data(), p.size());
        return p.size();
    }

private:
    std::vector<std::string> pieces_;
    std::size_t next_ = 0;
};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        Router router;
        router.add(
            {Method::get, "/chunked", "chunked", [](RequestContext&) -> net::awaitable<Response> {
                 auto r = make_response(status::ok);
                 r.body = std::make_unique<Pieces>(
                     std::vector<std::string>{"hello ", "chunked ", "world"});
                 co_return r;
             }});
        router.add({Method::get, "/fixed/{n}", "fixed",
                    [](RequestContext& ctx) -> net::awaitable<Response> {
                        co_return make_text(status::ok, std::string(ctx.path_param("n")));
                    }});
        router.add({Method::head, "/fixed/{n}", "fixed.head",
                    [](RequestContext& ctx) -> net::awaitable<Response> {
                        co_return make_text(status::ok, std::string(ctx.path_param("n")));
                    }});
        router.add(
            {Method::put, "/echo", "echo", [](RequestContext& ctx) -> net::awaitable<Response> {
                 auto body = co_await ctx.read_body_all(1 << 20);
                 if (!body) {
                     co_return make_text(status::bad_request, body.error().message);
                 }
                 auto blocking = co_await ctx.offload([&] { return body->size(); });
                 co_return make_text(status::ok, *body + "/" + std::to_string(blocking));
             }});
        ServerOptions options;
        options.port = 0;
        options.io_threads = 1;
        options.blocking_threads = 1;
        options.access_log = false;
        server_ = std::make_unique<Server>(options, std::move(router));
        ASSERT_TRUE(server_->listen());
        thread_ = std::thread([this] { server_->run(); });
    }
    void TearDown() override {
        server_->stop();
        thread_.join();
    }

    tcp::socket connect() {
        tcp::socket s(io_);
        s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server_->port()));
        return s;
    }

    boost::asio::io_context io_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

TEST_F(ServerTest, BodyOfUnknownLengthIsSentChunked) {
    auto s = connect();
    boost::asio::write(
        s, boost::asio::buffer(std::string("GET /chunked HTTP/1.1\r\nHost: t\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buffer, res);
    EXPECT_EQ(res.result(), status::ok);
    EXPECT_TRUE(res.chunked());
    EXPECT_EQ(res.body(), "hello chunked world");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    auto s = connect();
    boost::asio::write(s, boost::asio::buffer(std::string(
                              "GET /fixed/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                              "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                              "GET /fixed/3 HTTP/1.1\r\nHost: t\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    for (const std::string expected : {"1", "abc/3", "3"}) {
        bhttp::response<bhttp::string_body> res;
        bhttp::read(s, buffer, res);
        EXPECT_EQ(res.body(), expected);
        EXPECT_TRUE(res.keep_alive());
    }
}

TEST_F(ServerTest, ChunkedRequestBodyIsDecoded) {
    auto s = connect();
    boost::asio::write(s, boost::asio::buffer(std::string(
                              "PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "4\r\nwhar\r\n1\r\nf\r\n0\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buffer, res);
    EXPECT_EQ(res.body(), "wharf/5");
}

TEST_F(ServerTest, HeadGetsTheLengthButNoBody) {
    auto s = connect();
    boost::asio::write(
        s, boost::asio::buffer(std::string("HEAD /fixed/12345 HTTP/1.1\r\nHost: t\r\n\r\n"
                                           "GET /fixed/2 HTTP/1.1\r\nHost: t\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> head;
    head.skip(true);  // a HEAD response has no body whatever its Content-Length
    bhttp::read(s, buffer, head);
    EXPECT_EQ(head.get()[bhttp::field::content_length], "5");
    bhttp::response<bhttp::string_body> next;
    bhttp::read(s, buffer, next);
    EXPECT_EQ(next.body(), "2");
}

TEST_F(ServerTest, MalformedRequestGets400AndTheServerGoesOn) {
    {
        auto s = connect();
        boost::asio::write(s, boost::asio::buffer(std::string("\x01\x02 nonsense\r\n\r\n")));
        boost::beast::flat_buffer buffer;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(s, buffer, res);
        EXPECT_EQ(res.result(), status::bad_request);
    }
    auto s = connect();
    boost::asio::write(
        s, boost::asio::buffer(std::string("GET /fixed/ok HTTP/1.1\r\nHost: t\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buffer, res);
    EXPECT_EQ(res.body(), "ok");
}

}  // namespace
}  // namespace wharf::http
