#pragma once
// Internal to src/http: one connection's life, shared by the plain and TLS listeners.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <string>

#include "http/router.hpp"
#include "http/server.hpp"

namespace wharf::http::detail {

// What every connection needs from the server; outlives all connections.
struct ServerShared {
    const ServerOptions& options;
    const Router& router;
    net::thread_pool& blocking;
    std::string scheme;             // "http" or "https"
    std::string request_id_prefix;  // random per process
    std::atomic<std::uint64_t> request_counter{0};
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> requests_in_flight{0};
    std::atomic<bool> stopping{false};
};

net::awaitable<void> serve_plain(net::ip::tcp::socket socket, ServerShared& shared);
net::awaitable<void> serve_tls(net::ip::tcp::socket socket, net::ssl::context& tls,
                               ServerShared& shared);
// Answers 503 and closes: the connection limit is reached.
net::awaitable<void> refuse_busy(net::ip::tcp::socket socket);

}  // namespace wharf::http::detail
