#pragma once
// Internal to src/http: the timeout of a connection's I/O.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace wharf::http::detail {

// One timer per connection instead of one per I/O operation. Before each operation the
// connection moves the deadline (a clock read, no system call); the timer wakes only when the
// earliest deadline it knows of passes, re-arms if the deadline has moved on, and otherwise
// cancels the socket's pending operations, which then fail. Owned through shared_ptr because
// the timer's handler may run after the connection is gone.
class Deadline : public std::enable_shared_from_this<Deadline> {
public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(boost::asio::ip::tcp::socket& socket)
        : socket_(socket), timer_(socket.get_executor()) {}

    // Operations started from now on must complete within `limit`.
    void expires_after(Clock::duration limit) {
        deadline_ = Clock::now() + limit;
        if (!armed_ || deadline_ < armed_until_) {
            arm(deadline_);
        }
    }
    // Whether the deadline cancelled the socket's operations at least once.
    bool expired() const noexcept { return expired_; }
    // Ends the timer for good (the connection is closing).
    void stop() {
        stopped_ = true;
        ++generation_;
        timer_.cancel();
    }

private:
    void arm(Clock::time_point at) {
        armed_ = true;
        armed_until_ = at;
        const auto generation = ++generation_;
        timer_.expires_at(at);
        timer_.async_wait([self = shared_from_this(), generation](const auto& ec) {
            if (ec || self->stopped_ || generation != self->generation_) {
                return;  // cancelled, stopped, or superseded by a re-arm
            }
            self->armed_ = false;
            if (Clock::now() < self->deadline_) {
                self->arm(self->deadline_);  // moved on since: wait for the new one
                return;
            }
            self->expired_ = true;
            boost::system::error_code ignored;
            self->socket_.cancel(ignored);
        });
    }

    boost::asio::ip::tcp::socket& socket_;
    boost::asio::steady_timer timer_;
    Clock::time_point deadline_ = Clock::time_point::max();
    Clock::time_point armed_until_{};
    std::uint64_t generation_ = 0;
    bool armed_ = false;
    bool stopped_ = false;
    bool expired_ = false;
};

}  // namespace wharf::http::detail
