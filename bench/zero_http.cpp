// The ceiling for small HTTP requests on this machine: a single-threaded epoll
// server that answers every request with the same fixed 200 response and keeps
// the connection alive. It does no routing, no parsing beyond finding the end
// of each request head, and no work; whatever requests/s it reaches with wrk
// is the most any HTTP/1.1 server could reach on one core here.
//
//   zero_http <port>      (0: any) prints "listening on http://127.0.0.1:N" on stderr
//
// Requests must have no body (GET/HEAD), which is all the benchmark sends it.
// Built by bench/run.sh with: g++ -O2 -std=c++20 zero_http.cpp
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 2\r\n"
    "\r\n"
    "{}";

struct Conn {
    std::string in;
    std::string out;
    bool want_out = false;
};

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "zero_http: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (ls < 0) die("socket");
    int one = 1;
    ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("bind");
    if (::listen(ls, 1024) < 0) die("listen");
    socklen_t alen = sizeof addr;
    ::getsockname(ls, reinterpret_cast<sockaddr*>(&addr), &alen);

    int ep = ::epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = ls;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    std::fprintf(stderr, "listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));

    std::unordered_map<int, Conn> conns;
    epoll_event events[256];
    char buf[16384];
    for (;;) {
        int n = ::epoll_wait(ep, events, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int c = ::accept4(ls, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = c;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    conns.emplace(c, Conn{});
                }
                continue;
            }
            Conn& c = conns[fd];
            bool closed = false;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    ssize_t r = ::read(fd, buf, sizeof buf);
                    if (r > 0) {
                        c.in.append(buf, static_cast<size_t>(r));
                        if (static_cast<size_t>(r) < sizeof buf) break;
                        continue;
                    }
                    if (r == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
                    break;
                }
                size_t pos;
                while ((pos = c.in.find("\r\n\r\n")) != std::string::npos) {
                    c.in.erase(0, pos + 4);
                    c.out.append(kResponse);
                }
            }
            if (!closed && !c.out.empty()) {
                ssize_t w = ::write(fd, c.out.data(), c.out.size());
                if (w > 0) c.out.erase(0, static_cast<size_t>(w));
                else if (w < 0 && errno != EAGAIN && errno != EINTR) closed = true;
            }
            if (!closed && c.want_out != !c.out.empty()) {
                c.want_out = !c.out.empty();
                epoll_event mev{};
                mev.events = EPOLLIN | (c.want_out ? static_cast<unsigned>(EPOLLOUT) : 0u);
                mev.data.fd = fd;
                ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &mev);
            }
            if (closed) {
                ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                ::close(fd);
                conns.erase(fd);
            }
        }
    }
}
