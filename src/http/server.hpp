#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "http/router.hpp"

namespace wharf::http {

struct ServerLimits {
    std::size_t max_header_bytes = 64 * 1024;  // request line + fields (bearer tokens are big)
    std::size_t max_connections = 4096;         // past this, new connections get 503 and close
    std::uint64_t drain_bytes = 4 * 1024 * 1024;  // unread body we read away to keep a connection
};

struct ServerTimeouts {
    std::chrono::seconds header{30};          // whole request head, from its first byte
    std::chrono::seconds idle{120};           // keep-alive wait for the next request
    std::chrono::seconds body_progress{60};   // longest pause inside a request body
    std::chrono::seconds write_progress{60};  // longest pause while sending a response
    std::chrono::seconds shutdown_grace{30};  // in-flight requests get this long on SIGTERM
};

struct TlsFiles {
    std::filesystem::path certificate;  // PEM chain
    std::filesystem::path private_key;  // PEM
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 5000;  // 0 picks a free port
    unsigned io_threads = 0;        // 0: one per core
    unsigned blocking_threads = 16;  // pool for storage calls (offload)
    ServerLimits limits;
    ServerTimeouts timeouts;
    std::optional<TlsFiles> tls;
    bool access_log = true;  // JSON lines on stdout
};

// Asynchronous HTTP/1.1 server: keep-alive, pipelining, streamed bodies both ways, sendfile for
// file-backed bodies on plain TCP, optional TLS, bounded waits everywhere, graceful shutdown.
class Server {
public:
    Server(ServerOptions options, Router router);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens. Errc::internal when the address cannot be bound or TLS files are bad.
    Result<void> listen();
    // The bound address as "http://host:port" (or https), after listen().
    std::string url() const;
    std::uint16_t port() const;
    // Serves until stop() or SIGTERM/SIGINT; returns after in-flight requests finished or the
    // grace period ran out.
    void run();
    // Thread-safe: begins a graceful shutdown.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::http
