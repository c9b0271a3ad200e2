#include "http/response_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>

#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace wharf::http::detail {
namespace {

using tcp = net::ip::tcp;

constexpr std::size_t kCopyChunk = 256 * 1024;
constexpr std::uint64_t kSendfileChunk = 16 * 1024 * 1024;

bool status_allows_body(http::status s) {
    const auto code = static_cast<unsigned>(s);
    return !(code < 200 || code == 204 || code == 304);
}

template <typename Stream, typename Buffers>
net::awaitable<bool> write_all(Stream& stream, Deadline& deadline, const Buffers& buffers,
                               std::chrono::seconds progress) {
    deadline.expires_after(progress);
    auto [ec, n] = co_await net::async_write(stream, buffers, net::as_tuple(net::use_awaitable));
    co_return !ec;
}

// sendfile(2) straight from the page cache to the socket: no copy through user space.
net::awaitable<bool> send_file_region(beast::tcp_stream& stream, Deadline& deadline,
                                      const FileRegion& region, std::chrono::seconds progress,
                                      std::uint64_t& sent) {
    auto& socket = stream.socket();
    boost::system::error_code ec;
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
            deadline.expires_after(progress);
            auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write,
                                                        net::as_tuple(net::use_awaitable));
            if (wait_ec) {
                co_return false;  // the client stopped reading (deadline) or went away
            }
            continue;
        }
        // n == 0: the file is shorter than promised; or a socket error. Either way the
        // response cannot be completed, so the connection must close.
        co_return false;
    }
    co_return true;
}

// Transfer-Encoding: chunked, one chunk per read; "0\r\n\r\n" ends the body.
template <typename Stream>
net::awaitable<bool> write_chunked(Stream& stream, Deadline& deadline, BodySource& source,
                                   std::chrono::seconds progress, std::uint64_t& sent) {
    std::vector<std::byte> chunk(kCopyChunk);
    for (;;) {
        auto n = source.read(chunk);
        if (!n) {
            spdlog::error("reading a response body failed: {}", n.error().message);
            co_return false;  // no terminating chunk: the client sees the body as incomplete
        }
        if (*n == 0) {
            co_return co_await write_all(stream, deadline, net::buffer("0\r\n\r\n", 5), progress);
        }
        const auto size_line = fmt::format("{:x}\r\n", *n);
        const std::array<net::const_buffer, 3> framed{
            net::buffer(size_line), net::buffer(chunk.data(), *n), net::buffer("\r\n", 2)};
        const bool written = co_await write_all(stream, deadline, framed, progress);
        if (!written) {
            co_return false;
        }
        sent += *n;
    }
}

template <typename Stream>
net::awaitable<bool> write_body_source(Stream& stream, Deadline& deadline, BodySource& source,
                                       std::chrono::seconds progress, std::uint64_t& sent) {
    if (!source.length_known()) {
        co_return co_await write_chunked(stream, deadline, source, progress, sent);
    }
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        if (auto region = source.file_region()) {
            co_return co_await send_file_region(stream, deadline, *region, progress, sent);
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
        const bool written =
            co_await write_all(stream, deadline, net::buffer(chunk.data(), take), progress);
        if (!written) {
            co_return false;
        }
        remaining -= take;
        sent += take;
    }
    co_return true;
}

}  // namespace

std::string render_head(const Response& res, bool keep_alive) {
    const auto code = static_cast<unsigned>(res.status);
    const auto reason = boost::beast::http::obsolete_reason(res.status);
    std::string head;
    head.reserve(256);
    fmt::format_to(std::back_inserter(head), "HTTP/1.1 {} {}\r\nServer: wharf\r\n", code,
                   std::string_view(reason.data(), reason.size()));
    for (const auto& [name, value] : res.headers) {
        head.append(name).append(": ").append(value).append("\r\n");
    }
    if (status_allows_body(res.status)) {
        if (res.length_known()) {
            fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n", res.body_length());
        } else {
            head.append("Transfer-Encoding: chunked\r\n");
        }
    }
    head.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    return head;
}

template <typename Stream>
net::awaitable<bool> write_response(Stream& stream, Deadline& deadline, Response& res,
                                    bool head_only, bool keep_alive, const ServerOptions& options,
                                    std::uint64_t& sent) {
    const auto progress = options.timeouts.write_progress;
    const std::string head = render_head(res, keep_alive);
    const bool with_body = !head_only && status_allows_body(res.status);
    if (auto* text = std::get_if<std::string>(&res.body); text && with_body) {
        const std::array<net::const_buffer, 2> buffers{net::buffer(head), net::buffer(*text)};
        const bool written = co_await write_all(stream, deadline, buffers, progress);
        sent += written ? text->size() : 0;
        co_return written;
    }
    const bool head_written = co_await write_all(stream, deadline, net::buffer(head), progress);
    if (!head_written) {
        co_return false;
    }
    auto* source = std::get_if<std::unique_ptr<BodySource>>(&res.body);
    if (!with_body || source == nullptr || !*source) {
        co_return true;
    }
    co_return co_await write_body_source(stream, deadline, **source, progress, sent);
}

template net::awaitable<bool> write_response(beast::tcp_stream&, Deadline&, Response&, bool, bool,
                                             const ServerOptions&, std::uint64_t&);
template net::awaitable<bool> write_response(TlsStream&, Deadline&, Response&, bool, bool,
                                             const ServerOptions&, std::uint64_t&);

}  // namespace wharf::http::detail
