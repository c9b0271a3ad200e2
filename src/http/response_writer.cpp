#include "http/response_writer.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <spdlog/spdlog.h>

namespace wharf::http::detail {
namespace {

namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kCopyChunk = 256 * 1024;
constexpr std::uint64_t kSendfileChunk = 16 * 1024 * 1024;

// Waits until the socket is writable, at most `limit`; false on timeout or error.
net::awaitable<bool> wait_writable(tcp::socket& socket, std::chrono::seconds limit) {
    net::steady_timer timer(socket.get_executor());
    timer.expires_after(limit);
    bool timed_out = false;
    timer.async_wait([&socket, &timed_out](const beast::error_code& ec) {
        if (!ec) {
            timed_out = true;
            beast::error_code ignored;
            socket.cancel(ignored);
        }
    });
    beast::error_code ec;
    co_await socket.async_wait(tcp::socket::wait_write, net::redirect_error(net::use_awaitable, ec));
    timer.cancel();
    co_return !ec && !timed_out;
}

// sendfile(2) straight from the page cache to the socket: no copy through user space.
net::awaitable<bool> send_file_region(beast::tcp_stream& stream, const FileRegion& region,
                                      std::chrono::seconds progress, std::uint64_t& sent) {
    auto& socket = stream.socket();
    beast::error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) {
        co_return false;
    }
    off_t offset = static_cast<off_t>(region.offset);
    std::uint64_t remaining = region.length;
    while (remaining > 0) {
        const auto want = static_cast<std::size_t>(std::min(remaining, kSendfileChunk));
        const ssize_t n = ::sendfile(socket.native_handle(), region.fd, &offset, want);
        if (n > 0) {
            remaining -= static_cast<std::uint64_t>(n);
            sent += static_cast<std::uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!co_await wait_writable(socket, progress)) {
                co_return false;
            }
            continue;
        }
        // n == 0: the file is shorter than promised; or a socket error. Either way the
        // response cannot be completed, so the connection must close.
        co_return false;
    }
    co_return true;
}

template <typename Stream>
net::awaitable<bool> write_bytes(Stream& stream, const void* data, std::size_t size,
                                 std::chrono::seconds progress) {
    beast::error_code ec;
    lowest(stream).expires_after(progress);
    co_await net::async_write(stream, net::buffer(data, size),
                              net::redirect_error(net::use_awaitable, ec));
    co_return !ec;
}

template <typename Stream>
net::awaitable<bool> write_body_source(Stream& stream, BodySource& source,
                                       std::chrono::seconds progress, std::uint64_t& sent) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        if (auto region = source.file_region()) {
            co_return co_await send_file_region(stream, *region, progress, sent);
        }
    }
    std::vector<std::byte> chunk(kCopyChunk);
    std::uint64_t remaining = source.length();
    while (remaining > 0) {
        auto n = source.read(chunk);
        if (!n || *n == 0) {
            if (!n) {
                spdlog::error("reading a response body failed: {}", n.error().message);
            }
            co_return false;  // the promised length can no longer be met
        }
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(*n, remaining));
        if (!co_await write_bytes(stream, chunk.data(), take, progress)) {
            co_return false;
        }
        remaining -= take;
        sent += take;
    }
    co_return true;
}

bool status_allows_body(http::status s) {
    const auto code = static_cast<unsigned>(s);
    return !(code < 200 || code == 204 || code == 304);
}

}  // namespace

template <typename Stream>
net::awaitable<bool> write_response(Stream& stream, Response& res, bool head_only, bool keep_alive,
                                    const ServerOptions& options, std::uint64_t& sent) {
    bhttp::response<bhttp::empty_body> msg{res.status, 11};
    msg.set(field::server, "wharf");
    for (const auto& [name, value] : res.headers) {
        msg.insert(name, value);
    }
    const bool body_allowed = status_allows_body(res.status);
    if (body_allowed) {
        msg.content_length(res.body_length());
    }
    msg.keep_alive(keep_alive);
    bhttp::response_serializer<bhttp::empty_body> serializer{msg};
    beast::error_code ec;
    lowest(stream).expires_after(options.timeouts.write_progress);
    co_await bhttp::async_write_header(stream, serializer,
                                       net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        co_return false;
    }
    if (head_only || !body_allowed) {
        co_return true;
    }
    if (auto* text = std::get_if<std::string>(&res.body)) {
        if (!text->empty()) {
            if (!co_await write_bytes(stream, text->data(), text->size(),
                                      options.timeouts.write_progress)) {
                co_return false;
            }
            sent += text->size();
        }
    } else if (auto* source = std::get_if<std::unique_ptr<BodySource>>(&res.body)) {
        if (*source) {
            const bool complete =
                co_await write_body_source(stream, **source, options.timeouts.write_progress, sent);
            if (!complete) {
                co_return false;
            }
        }
    }
    co_return true;
}


template net::awaitable<bool> write_response(beast::tcp_stream&, Response&, bool, bool,
                                             const ServerOptions&, std::uint64_t&);
template net::awaitable<bool> write_response(TlsStream&, Response&, bool, bool,
                                             const ServerOptions&, std::uint64_t&);

}  // namespace wharf::http::detail
