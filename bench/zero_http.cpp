// The ceiling for small HTTP requests on this machine: a single-threaded epoll
// server that answers every request with the same fixed 200 response and keeps
// the connection alive. It does no routing, no parsing beyond finding the end
// of each request head, and no work; whatever requests/s it reaches with wrk
// is the most any HTTP/1.1 server could reach on one core here.
//
//   zero_http <port>         (0: any) prints "listening on http://127.0.0.1:N" on stderr
//   zero_http <port> <file>  answers every request with the file instead, sent with
//                            sendfile(2): the ceiling for a blob pull (and a check
//                            that bench.py's pull client is not the bottleneck)
//
// Requests must have no body (GET/HEAD), which is all the benchmark sends it.
// Built by bench/run.sh with: g++ -O2 -std=c++20 zero_http.cpp
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
    unsigned pending = 0;  // file mode: requests not yet answered
    off_t file_off = 0;
    size_t file_left = 0;
};

int file_fd = -1;
size_t file_size = 0;
std::string file_head;

// Writes what the connection owes; false when the peer is gone.
bool flush(int fd, Conn& c) {
    for (;;) {
        if (!c.out.empty()) {
            ssize_t w = ::write(fd, c.out.data(), c.out.size());
            if (w < 0) return errno == EAGAIN || errno == EINTR;
            c.out.erase(0, static_cast<size_t>(w));
            if (!c.out.empty()) return true;
        } else if (c.file_left > 0) {
            ssize_t w = ::sendfile(fd, file_fd, &c.file_off, c.file_left);
            if (w < 0) return errno == EAGAIN || errno == EINTR;
            c.file_left -= static_cast<size_t>(w);
            if (c.file_left > 0) continue;
        } else if (c.pending > 0) {
            --c.pending;
            c.out = file_head;
            c.file_off = 0;
            c.file_left = file_size;
        } else {
            return true;
        }
    }
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "zero_http: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    if (argc > 2) {
        file_fd = ::open(argv[2], O_RDONLY | O_CLOEXEC);
        if (file_fd < 0) die("open");
        struct stat st{};
        ::fstat(file_fd, &st);
        file_size = static_cast<size_t>(st.st_size);
        file_head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                    std::to_string(file_size) + "\r\n\r\n";
    }
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
                    if (file_fd >= 0) ++c.pending;
                    else c.out.append(kResponse);
                }
            }
            if (!closed && !flush(fd, c)) closed = true;
            bool owe = !c.out.empty() || c.file_left > 0;
            if (!closed && c.want_out != owe) {
                c.want_out = owe;
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
