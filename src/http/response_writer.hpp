#pragma once
// Internal to src/http: writing a Response to a plain or TLS stream.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstdint>
#include <string_view>

#include "http/response.hpp"
#include "http/server.hpp"

namespace wharf::http::detail {

namespace beast = boost::beast;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
inline beast::tcp_stream& lowest(TlsStream& s) { return s.next_layer(); }

// Writes the head and, unless head_only, the body: sendfile(2) for file-backed bodies on plain
// TCP, bounded copies otherwise. `sent` counts body bytes. False: the connection must close.
// Instantiated for beast::tcp_stream and TlsStream.
template <typename Stream>
net::awaitable<bool> write_response(Stream& stream, Response& res, bool head_only, bool keep_alive,
                                    const ServerOptions& options, std::uint64_t& sent);

}  // namespace wharf::http::detail
