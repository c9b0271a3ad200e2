#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sched.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "http/connection.hpp"

namespace wharf::http {

namespace {
using tcp = net::ip::tcp;

// One I/O thread per CPU this process may run on (taskset, cgroup cpusets), not per CPU of
// the machine: more threads than CPUs only adds context switches.
unsigned resolve_io_threads(unsigned configured) {
    if (configured > 0) {
        return configured;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        return std::max(1, CPU_COUNT(&set));
    }
    return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

struct Server::Impl {
    Impl(ServerOptions opts, Router r)
        : options(std::move(opts)),
          router(std::move(r)),
          workers(resolve_io_threads(options.io_threads)),
          blocking(std::max(1u, options.blocking_threads)),
          acceptor(ioc),
          shared{options, router, blocking, options.tls ? "https" : "http", random_hex(4)} {}

    // Connections are spread round-robin over the workers; each worker's io_context is run by
    // exactly one thread, so a connection needs no strand and never wakes another thread.
    net::io_context& next_worker() {
        auto& worker = workers[next % workers.size()];
        ++next;
        return worker;
    }

    net::awaitable<void> accept_loop() {
        for (;;) {
            auto& worker = next_worker();
            auto [ec, socket] =
                co_await acceptor.async_accept(worker, net::as_tuple(net::use_awaitable));
            if (shared.stopping.load()) {
                co_return;
            }
            if (ec) {
                if (ec == net::error::operation_aborted) {
                    co_return;
                }
                // Out of file descriptors and the like: back off instead of spinning.
                spdlog::warn("accept failed: {}", ec.message());
                net::steady_timer pause(ioc, std::chrono::milliseconds(50));
                co_await pause.async_wait(net::as_tuple(net::use_awaitable));
                continue;
            }
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (shared.connections.load() >= options.limits.max_connections) {
                net::co_spawn(worker, detail::refuse_busy(std::move(socket)), net::detached);
            } else if (tls) {
                net::co_spawn(worker, detail::serve_tls(std::move(socket), *tls, shared),
                              net::detached);
            } else {
                net::co_spawn(worker, detail::serve_plain(std::move(socket), shared),
                              net::detached);
            }
        }
    }

    // After stop: wait for in-flight requests, at most the grace period, then end run().
    net::awaitable<void> drain_then_stop() {
        const auto deadline = std::chrono::steady_clock::now() + options.timeouts.shutdown_grace;
        net::steady_timer tick(ioc);
        while (shared.requests_in_flight.load() > 0 &&
               std::chrono::steady_clock::now() < deadline) {
            tick.expires_after(std::chrono::milliseconds(20));
            co_await tick.async_wait(net::as_tuple(net::use_awaitable));
        }
        if (shared.requests_in_flight.load() > 0) {
            spdlog::warn("shutdown grace period over; abandoning {} requests",
                         shared.requests_in_flight.load());
        }
        stop_all();
    }

    void stop_all() {
        ioc.stop();
        for (auto& w : workers) {
            w.stop();
        }
    }

    void begin_stop() {
        if (shared.stopping.exchange(true)) {
            return;
        }
        spdlog::info("shutting down: no new connections, finishing requests in flight");
        boost::system::error_code ignored;
        acceptor.close(ignored);
        net::co_spawn(ioc, drain_then_stop(), net::detached);
    }

    ServerOptions options;
    Router router;
    // Declared before ioc so they outlive it: an accept pending on ioc holds a socket of a
    // worker, and destroying ioc destroys that operation.
    std::vector<net::io_context> workers;  // connections, one thread each
    std::size_t next = 0;
    net::io_context ioc;  // accepting, signals, shutdown
    net::thread_pool blocking;
    tcp::acceptor acceptor;
    std::optional<net::ssl::context> tls;
    detail::ServerShared shared;
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() {
    impl_->blocking.join();
}

Result<void> Server::listen() {
    auto& o = impl_->options;
    if (o.tls) {
        try {
            net::ssl::context ctx(net::ssl::context::tls_server);
            ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                            net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                            net::ssl::context::no_tlsv1_1);
            ctx.use_certificate_chain_file(o.tls->certificate.string());
            ctx.use_private_key_file(o.tls->private_key.string(), net::ssl::context::pem);
            impl_->tls.emplace(std::move(ctx));
        } catch (const boost::system::system_error& e) {
            return Error{
                Errc::internal,
                fmt::format("cannot load TLS certificate {} and key {}: {}",
                            o.tls->certificate.string(), o.tls->private_key.string(), e.what())};
        }
    }
    boost::system::error_code ec;
    auto address = net::ip::make_address(o.host, ec);
    if (ec) {
        return Error{Errc::internal, fmt::format("listen address \"{}\" is not an IP address: {}",
                                                 o.host, ec.message())};
    }
    tcp::endpoint endpoint(address, o.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return Error{Errc::internal,
                     fmt::format("cannot listen on {}:{}: {}", o.host, o.port, ec.message())};
    }
    return ok();
}

std::uint16_t Server::port() const {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

std::string Server::url() const {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    const auto address = ep.address().to_string();
    return ep.address().is_v6()
               ? fmt::format("{}://[{}]:{}", impl_->shared.scheme, address, ep.port())
               : fmt::format("{}://{}:{}", impl_->shared.scheme, address, ep.port());
}

void Server::run() {
    auto& impl = *impl_;
    net::signal_set signals(impl.ioc, SIGINT, SIGTERM);
    signals.async_wait([&impl](const boost::system::error_code& ec, int) {
        if (!ec) {
            impl.begin_stop();
        }
    });
    net::co_spawn(impl.ioc, impl.accept_loop(), net::detached);
    std::vector<std::thread> threads;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
    for (auto& worker : impl.workers) {
        keep_running.push_back(net::make_work_guard(worker));
        threads.emplace_back([&worker] { worker.run(); });
    }
    impl.ioc.run();
    impl.stop_all();
    for (auto& t : threads) {
        t.join();
    }
}

void Server::stop() {
    net::post(impl_->ioc, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace wharf::http
