#pragma once
// Internal to src/http: writing a Response to a plain or TLS stream.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstdint>
#include <string>

#include "http/deadline.hpp"
#include "http/response.hpp"
#include "http/server.hpp"

namespace wharf::http::detail {

namespace beast = boost::beast;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
inline beast::tcp_stream& lowest(TlsStream& s) { return s.next_layer(); }

// The status line and header fields, with Content-Length and Connection.
std::string render_head(const Response& res, bool keep_alive);

// Writes the head and, unless head_only, the body: head and an in-memory body in one write;
// sendfile(2) for file-backed bodies on plain TCP; bounded copies otherwise. Every write must
// make progress within write_progress. `sent` counts body bytes. False: close the connection.
// Instantiated for beast::tcp_stream and TlsStream.
template <typename Stream>
net::awaitable<bool> write_response(Stream& stream, Deadline& deadline, Response& res,
                                    bool head_only, bool keep_alive, const ServerOptions& options,
                                    std::uint64_t& sent);

}  // namespace wharf::http::detail
