#include "http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <sys/sendfile.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/access_log.hpp"
#include "http/deadline.hpp"
#include "http/response_writer.hpp"

namespace wharf::http::detail {
namespace {

namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Parser = bhttp::request_parser<bhttp::buffer_body>;

constexpr std::size_t kChunkedReadBuffer = 64 * 1024;

std::string_view to_std(beast::string_view v) {
    return {v.data(), v.size()};
}

bool is_disconnect(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
           ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::operation_aborted || ec == net::error::broken_pipe ||
           ec == net::ssl::error::stream_truncated;
}

// The request a handler sees, backed by the connection's stream, buffer and parser.
template <typename Stream>
class ConnectionContext final : public RequestContext {
public:
    ConnectionContext(Stream& stream, Deadline& deadline, beast::flat_buffer& buffer,
                      Parser& parser, ServerShared& shared, std::string request_id,
                      std::string_view remote)
        : stream_(stream),
          deadline_(deadline),
          buffer_(buffer),
          parser_(parser),
          shared_(shared),
          request_id_(std::move(request_id)),
          remote_(remote) {
        const auto target = parser_.get().target();
        const auto q = target.find('?');
        path_ = std::string_view(target.data(), q == target.npos ? target.size() : q);
        if (q != target.npos) {
            query_ = std::string_view(target.data() + q + 1, target.size() - q - 1);
        }
        if (!parser_.chunked()) {
            identity_remaining_ = parser_.content_length().value_or(0);
        }
    }

    Method method() const noexcept override {
        return parse_method(to_std(parser_.get().method_string()));
    }
    std::string_view path() const noexcept override { return path_; }
    std::string_view header(field name) const noexcept override {
        auto it = parser_.get().find(name);
        return it == parser_.get().end() ? std::string_view{} : to_std(it->value());
    }
    std::string_view header(std::string_view name) const noexcept override {
        auto it = parser_.get().find(name);
        return it == parser_.get().end() ? std::string_view{} : to_std(it->value());
    }
    std::string header_list(field name) const override {
        std::string out;
        auto [first, last] = parser_.get().equal_range(name);
        for (auto it = first; it != last; ++it) {
            if (!out.empty()) {
                out += ", ";
            }
            out.append(it->value().data(), it->value().size());
        }
        return out;
    }
    std::optional<std::uint64_t> content_length() const noexcept override {
        auto n = parser_.content_length();
        return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
    }
    bool chunked() const noexcept override { return parser_.chunked(); }
    const std::string& request_id() const noexcept override { return request_id_; }
    std::string_view remote_address() const noexcept override { return remote_; }
    std::string base_url() const override {
        auto host = header(field::host);
        return fmt::format("{}://{}", shared_.scheme, host.empty() ? "localhost" : host);
    }

    std::vector<std::pair<std::string_view, std::string_view>> header_fields() const override {
        std::vector<std::pair<std::string_view, std::string_view>> out;
        for (const auto& f : parser_.get()) {
            out.emplace_back(to_std(f.name_string()), to_std(f.value()));
        }
        return out;
    }
    bool secure() const noexcept override { return shared_.scheme == "https"; }

    net::awaitable<Result<std::size_t>> read_body(std::span<std::byte> out) override {
        if (broken_) {
            co_return Error{Errc::unavailable, "the connection failed earlier in this request"};
        }
        if (body_done() || out.empty()) {
            co_return std::size_t{0};
        }
        if (!continue_sent_ && beast::iequals(header(field::expect), "100-continue")) {
            continue_sent_ = true;
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            beast::error_code ec;
            deadline_.expires_after(shared_.options.timeouts.write_progress);
            co_await net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                                      net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                broken_ = true;
                co_return Error{Errc::unavailable, "client went away: " + ec.message()};
            }
        }
        body_started_ = true;
        if (identity_remaining_) {
            co_return co_await read_identity(out);
        }
        // Beast sizes each socket read by the buffer's free space: give a chunked body room for
        // 64 KiB reads (only connections that upload this way pay for it).
        if (buffer_.capacity() < kChunkedReadBuffer) {
            buffer_.reserve(kChunkedReadBuffer);
        }
        std::size_t filled = 0;
        while (filled < out.size() && !parser_.is_done()) {
            auto& body = parser_.get().body();
            body.data = out.data() + filled;
            body.size = out.size() - filled;
            beast::error_code ec;
            deadline_.expires_after(shared_.options.timeouts.body_progress);
            co_await bhttp::async_read_some(stream_, buffer_, parser_,
                                            net::redirect_error(net::use_awaitable, ec));
            filled = out.size() - body.size;
            if (ec == bhttp::error::need_buffer) {
                continue;
            }
            if (ec) {
                broken_ = true;
                if (is_disconnect(ec) || ec == bhttp::error::partial_message) {
                    co_return Error{Errc::unavailable,
                                    "request body ended early or stalled: " + ec.message()};
                }
                co_return Error{Errc::bad_request, "malformed request body: " + ec.message()};
            }
        }
        bytes_in_ += filled;
        co_return filled;
    }

    bool broken() const noexcept { return broken_; }
    bool body_done() const noexcept {
        return identity_remaining_ ? *identity_remaining_ == 0 : parser_.is_done();
    }
    bool body_started() const noexcept { return body_started_; }
    std::uint64_t bytes_in() const noexcept { return bytes_in_; }

protected:
    std::string_view raw_query() const noexcept override { return query_; }
    net::awaitable<void> run_blocking(std::function<void()> fn) override {
        co_await net::co_spawn(
            shared_.blocking,
            [&fn]() -> net::awaitable<void> {
                fn();
                co_return;
            },
            net::use_awaitable);
    }

private:
    // A Content-Length body goes straight from the socket into the caller's buffer: no copy
    // through the parser, and never a byte past the body, so a pipelined request that follows
    // stays in the stream.
    net::awaitable<Result<std::size_t>> read_identity(std::span<std::byte> out) {
        auto& remaining = *identity_remaining_;
        std::size_t filled = 0;
        if (buffer_.size() > 0) {  // read ahead together with the header
            const auto n = static_cast<std::size_t>(
                std::min<std::uint64_t>({buffer_.size(), remaining, out.size()}));
            net::buffer_copy(net::buffer(out.data(), n), buffer_.data());
            buffer_.consume(n);
            remaining -= n;
            filled = n;
        }
        while (filled < out.size() && remaining > 0) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - filled, remaining));
            deadline_.expires_after(shared_.options.timeouts.body_progress);
            auto [ec, n] = co_await stream_.async_read_some(net::buffer(out.data() + filled, want),
                                                            net::as_tuple(net::use_awaitable));
            filled += n;
            remaining -= n;
            if (ec) {
                broken_ = true;
                bytes_in_ += filled;
                co_return Error{Errc::unavailable,
                                deadline_.expired() ? "request body stalled"
                                                    : "request body ended early: " + ec.message()};
            }
        }
        bytes_in_ += filled;
        co_return filled;
    }

    Stream& stream_;
    Deadline& deadline_;
    beast::flat_buffer& buffer_;
    Parser& parser_;
    ServerShared& shared_;
    std::string request_id_;
    std::string_view remote_;
    std::string_view path_;
    std::string_view query_;
    std::uint64_t bytes_in_ = 0;
    std::optional<std::uint64_t> identity_remaining_;  // unset for chunked bodies
    bool continue_sent_ = false;
    bool body_started_ = false;
    bool broken_ = false;
};

Response error_text(http::status status, std::string text) {
    Response r = make_text(status, std::move(text) + "\n");
    return r;
}

// Reads away an unread body so the connection can carry the next request. False: too much or
// broken, close instead.
template <typename Stream>
net::awaitable<bool> drain_body(ConnectionContext<Stream>& ctx, std::uint64_t limit) {
    std::array<std::byte, 64 * 1024> sink{};
    std::uint64_t drained = 0;
    for (;;) {
        auto n = co_await ctx.read_body(sink);
        if (!n) {
            co_return false;
        }
        if (*n == 0) {
            co_return true;
        }
        drained += *n;
        if (drained > limit) {
            co_return false;
        }
    }
}

template <typename Stream>
net::awaitable<void> serve_requests(Stream& stream, Deadline& deadline, ServerShared& shared,
                                    std::string remote) {
    const auto& options = shared.options;
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
        Parser parser;
        parser.header_limit(static_cast<std::uint32_t>(options.limits.max_header_bytes));
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        beast::error_code ec;
        deadline.expires_after(first ? options.timeouts.header : options.timeouts.idle);
        first = false;
        co_await bhttp::async_read_header(stream, buffer, parser,
                                          net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            if (is_disconnect(ec)) {
                co_return;
            }
            std::uint64_t ignored = 0;
            auto res =
                ec == bhttp::error::header_limit
                    ? error_text(http::status::request_header_fields_too_large,
                                 "request header is larger than " +
                                     std::to_string(options.limits.max_header_bytes) + " bytes")
                    : error_text(http::status::bad_request,
                                 "malformed HTTP request: " + ec.message());
            co_await write_response(stream, deadline, res, false, false, options, ignored);
            co_return;
        }

        const auto started = std::chrono::steady_clock::now();
        ++shared.requests_in_flight;
        const auto id = fmt::format("{}-{:x}", shared.request_id_prefix, ++shared.request_counter);
        ConnectionContext<Stream> ctx(stream, deadline, buffer, parser, shared, id, remote);
        Response res;
        try {
            // No co_await inside ?: or other full-expressions: GCC 12 miscompiles those.
            const Handler& handler = shared.router.match(ctx);
            if (handler) {
                res = co_await handler(ctx);
            } else {
                res = error_text(http::status::not_found, "not found");
            }
        } catch (const std::exception& e) {
            // Reaching this is a bug: handlers turn every expected failure into a response.
            spdlog::error("request {} {} {} failed with an exception: {}", id,
                          std::string(parser.get().method_string()),
                          std::string(parser.get().target()), e.what());
            res =
                error_text(http::status::internal_server_error, "internal error; request id " + id);
        }

        bool keep_alive = parser.get().keep_alive() && !shared.stopping.load() && !ctx.broken();
        if (keep_alive && !ctx.body_done()) {
            // A handler that answered without reading the body (an error, usually). With
            // 100-continue the client has not sent it; otherwise read it away if it is small.
            const bool awaiting_continue =
                !ctx.body_started() && beast::iequals(ctx.header(field::expect), "100-continue");
            if (awaiting_continue) {
                keep_alive = false;
            } else {
                const bool drained = co_await drain_body(ctx, options.limits.drain_bytes);
                keep_alive = drained && !ctx.broken();
            }
        }
        std::uint64_t sent = 0;
        const bool head_only = ctx.method() == Method::head;
        const bool written =
            co_await write_response(stream, deadline, res, head_only, keep_alive, options, sent);
        --shared.requests_in_flight;
        if (options.access_log) {
            write_access_log(AccessRecord{
                .method = to_std(parser.get().method_string()),
                .target = to_std(parser.get().target()),
                .route = ctx.route_name(),
                .status = static_cast<int>(res.status),
                .bytes_in = ctx.bytes_in(),
                .bytes_out = sent,
                .duration = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started),
                .remote = remote,
                .request_id = id,
                .principal = ctx.log_principal(),
            });
        }
        if (!written || !keep_alive) {
            co_return;
        }
    }
}

std::string remote_of(const tcp::socket& socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (ec) {
        return "unknown";
    }
    return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

struct ConnectionCount {
    explicit ConnectionCount(ServerShared& s) : shared(s) { ++shared.connections; }
    ~ConnectionCount() { --shared.connections; }
    ServerShared& shared;
};

}  // namespace

net::awaitable<void> serve_plain(tcp::socket socket, ServerShared& shared) {
    ConnectionCount count(shared);
    auto remote = remote_of(socket);
    beast::tcp_stream stream(std::move(socket));
    auto deadline = std::make_shared<Deadline>(stream.socket());
    co_await serve_requests(stream, *deadline, shared, remote);
    deadline->stop();
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> serve_tls(tcp::socket socket, net::ssl::context& tls, ServerShared& shared) {
    ConnectionCount count(shared);
    auto remote = remote_of(socket);
    TlsStream stream(std::move(socket), tls);
    auto deadline = std::make_shared<Deadline>(lowest(stream).socket());
    deadline->expires_after(shared.options.timeouts.header);
    auto [handshake_ec] = co_await stream.async_handshake(net::ssl::stream_base::server,
                                                          net::as_tuple(net::use_awaitable));
    if (!handshake_ec) {
        co_await serve_requests(stream, *deadline, shared, remote);
        deadline->expires_after(std::chrono::seconds(5));
        co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    }
    deadline->stop();
}

net::awaitable<void> refuse_busy(tcp::socket socket) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 33\r\n"
        "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections, retry later";
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5));
    beast::error_code ec;
    co_await net::async_write(stream, net::buffer(kBusy.data(), kBusy.size()),
                              net::redirect_error(net::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace wharf::http::detail
