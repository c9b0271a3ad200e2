// A minimal closed-loop HTTP/1.1 load generator, used where wrk cannot go:
// Debian's wrk 4.1 does not know that a response to HEAD has no body, so it
// waits for Content-Length bytes that never come and completes no request.
// This one parses responses with HEAD semantics (and chunked bodies), keeps
// every connection alive, and reports what bench/bench.py reads from wrk:
// requests/s, latency percentiles and status-class counts. It is calibrated
// against wrk on bench/zero_http at the start of every run (see the ceilings).
//
//   loadgen -c CONNS -d SECONDS [-m METHOD] [-t TIMEOUT_S] [-H 'Name: value']... http://127.0.0.1:PORT/path
//
// A response slower than TIMEOUT_S (default 5, as bench.py passes to wrk) counts as a timeout.
//
// Prints one JSON line. Single-threaded epoll; pin it with taskset.
// Built by bench/run.sh with: g++ -O2 -std=c++20 loadgen.cpp
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

enum class Phase { Head, Body, ChunkSize, ChunkData, ChunkCrlf, Trailer, UntilClose };

struct Conn {
    int fd = -1;
    bool connected = false;
    size_t sent = 0;          // bytes of the request written
    uint64_t t_start = 0;     // when the request's first byte was written
    bool in_flight = false;
    std::string buf;          // unparsed input
    Phase phase = Phase::Head;
    uint64_t remaining = 0;   // body or chunk bytes still to skip
    int status = 0;
};

struct Stats {
    std::vector<uint32_t> lat_us10;  // latency in units of 0.1 us
    uint64_t cls[6] = {0, 0, 0, 0, 0, 0};
    uint64_t err_connect = 0, err_read = 0, err_write = 0, timeouts = 0, reconnects = 0;
};

struct Options {
    int conns = 1;
    double seconds = 5;
    std::string method = "GET";
    std::vector<std::string> headers;
    std::string host = "127.0.0.1";
    int port = 80;
    std::string path = "/";
};

Options opt;
std::string request;
bool head_request = false;
uint64_t timeout_ns = 5000000000ull;  // a response slower than this counts as a timeout, as with wrk --timeout 5s
int ep = -1;
Stats st;
bool stopping = false;

bool start_connect(Conn& c) {
    c = Conn{};
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return false;
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(opt.port));
    ::inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr);
    int r = ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (r < 0 && errno != EINPROGRESS) {
        ::close(c.fd);
        c.fd = -1;
        ++st.err_connect;
        return false;
    }
    return true;
}

void arm(Conn& c, size_t idx, bool want_write) {
    epoll_event ev{};
    ev.events = EPOLLIN | (want_write ? static_cast<uint32_t>(EPOLLOUT) : 0u);
    ev.data.u64 = idx;
    if (::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) < 0) ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
}

// Writes as much of the request as the socket takes; true when all of it is out.
bool write_request(Conn& c) {
    if (c.sent == 0) {
        c.t_start = now_ns();
        c.in_flight = true;
    }
    while (c.sent < request.size()) {
        ssize_t w = ::write(c.fd, request.data() + c.sent, request.size() - c.sent);
        if (w < 0) {
            if (errno == EAGAIN) return false;
            if (errno == EINTR) continue;
            return false;
        }
        c.sent += static_cast<size_t>(w);
    }
    return true;
}

void complete(Conn& c) {
    uint64_t dt = now_ns() - c.t_start;
    if (!stopping) {
        st.lat_us10.push_back(static_cast<uint32_t>(std::min<uint64_t>(dt / 100, UINT32_MAX)));
        int k = c.status / 100;
        st.cls[(k >= 1 && k <= 5) ? k : 0]++;
        if (dt > timeout_ns) ++st.timeouts;
    }
    c.in_flight = false;
    c.sent = 0;
    c.phase = Phase::Head;
    c.status = 0;
}

// Consumes c.buf; returns the number of responses completed, or -1 on a protocol error.
int parse(Conn& c) {
    int done = 0;
    for (;;) {
        switch (c.phase) {
        case Phase::Head: {
            size_t end = c.buf.find("\r\n\r\n");
            if (end == std::string::npos) return done;
            std::string_view head(c.buf.data(), end + 2);
            if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return -1;
            c.status = std::atoi(std::string(head.substr(9, 3)).c_str());
            bool chunked = false, has_len = false;
            uint64_t len = 0;
            size_t pos = head.find("\r\n") + 2;
            while (pos < head.size()) {
                size_t eol = head.find("\r\n", pos);
                std::string_view line = head.substr(pos, eol - pos);
                pos = eol + 2;
                size_t colon = line.find(':');
                if (colon == std::string_view::npos) continue;
                std::string name(line.substr(0, colon));
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
                std::string_view val = line.substr(colon + 1);
                while (!val.empty() && val.front() == ' ') val.remove_prefix(1);
                if (name == "content-length") {
                    has_len = true;
                    len = std::strtoull(std::string(val).c_str(), nullptr, 10);
                } else if (name == "transfer-encoding" && val.find("chunked") != std::string_view::npos) {
                    chunked = true;
                }
            }
            c.buf.erase(0, end + 4);
            bool no_body = head_request || c.status == 204 || c.status == 304 || c.status / 100 == 1;
            if (no_body) {
                complete(c);
                ++done;
            } else if (chunked) {
                c.phase = Phase::ChunkSize;
            } else if (has_len) {
                c.phase = Phase::Body;
                c.remaining = len;
            } else {
                c.phase = Phase::UntilClose;
            }
            break;
        }
        case Phase::Body: {
            uint64_t take = std::min<uint64_t>(c.remaining, c.buf.size());
            c.buf.erase(0, take);
            c.remaining -= take;
            if (c.remaining > 0) return done;
            complete(c);
            ++done;
            break;
        }
        case Phase::ChunkSize: {
            size_t eol = c.buf.find("\r\n");
            if (eol == std::string::npos) return done;
            uint64_t n = std::strtoull(c.buf.substr(0, eol).c_str(), nullptr, 16);
            c.buf.erase(0, eol + 2);
            if (n == 0) {
                c.phase = Phase::Trailer;
            } else {
                c.remaining = n;
                c.phase = Phase::ChunkData;
            }
            break;
        }
        case Phase::ChunkData: {
            uint64_t take = std::min<uint64_t>(c.remaining, c.buf.size());
            c.buf.erase(0, take);
            c.remaining -= take;
            if (c.remaining > 0) return done;
            c.phase = Phase::ChunkCrlf;
            break;
        }
        case Phase::ChunkCrlf:
            if (c.buf.size() < 2) return done;
            c.buf.erase(0, 2);
            c.phase = Phase::ChunkSize;
            break;
        case Phase::Trailer: {
            size_t eol = c.buf.find("\r\n");
            if (eol == std::string::npos) return done;
            c.buf.erase(0, eol + 2);
            if (eol == 0) {
                complete(c);
                ++done;
            }
            break;
        }
        case Phase::UntilClose:
            c.buf.clear();
            return done;
        }
    }
}

bool parse_url(const std::string& url) {
    const std::string prefix = "http://";
    if (url.rfind(prefix, 0) != 0) return false;
    std::string rest = url.substr(prefix.size());
    size_t slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    opt.path = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = hostport.find(':');
    opt.host = hostport.substr(0, colon);
    if (colon != std::string::npos) opt.port = std::atoi(hostport.substr(colon + 1).c_str());
    return true;
}

double pct(std::vector<uint32_t>& v, double p) {
    if (v.empty()) return 0;
    size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k] / 10.0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string url;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-c" && i + 1 < argc) opt.conns = std::atoi(argv[++i]);
        else if (a == "-d" && i + 1 < argc) opt.seconds = std::atof(argv[++i]);
        else if (a == "-m" && i + 1 < argc) opt.method = argv[++i];
        else if (a == "-t" && i + 1 < argc) timeout_ns = static_cast<uint64_t>(std::atof(argv[++i]) * 1e9);
        else if (a == "-H" && i + 1 < argc) opt.headers.emplace_back(argv[++i]);
        else url = argv[i];
    }
    if (url.empty() || !parse_url(url) || opt.conns < 1) {
        std::fprintf(stderr, "usage: loadgen -c CONNS -d SECONDS [-m METHOD] [-t TIMEOUT_S] [-H 'Name: value']... http://HOST:PORT/path\n");
        return 2;
    }
    head_request = opt.method == "HEAD";
    request = opt.method + " " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" + std::to_string(opt.port) + "\r\n";
    for (auto& h : opt.headers) request += h + "\r\n";
    request += "\r\n";
    st.lat_us10.reserve(1 << 20);

    ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Conn> conns(static_cast<size_t>(opt.conns));
    for (size_t i = 0; i < conns.size(); ++i) {
        if (start_connect(conns[i])) arm(conns[i], i, true);
    }
    const uint64_t t0 = now_ns();
    const uint64_t t_end = t0 + static_cast<uint64_t>(opt.seconds * 1e9);
    std::vector<epoll_event> events(static_cast<size_t>(opt.conns) + 1);
    char rbuf[65536];
    uint64_t t_now = t0;
    while (t_now < t_end) {
        int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
        t_now = now_ns();
        for (int e = 0; e < n; ++e) {
            size_t idx = events[e].data.u64;
            Conn& c = conns[idx];
            bool broken = false;
            if (!c.connected && (events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    ++st.err_connect;
                    broken = true;
                } else {
                    c.connected = true;
                    if (write_request(c)) arm(c, idx, false);
                }
            } else if (c.connected && (events[e].events & EPOLLOUT) && c.sent < request.size()) {
                if (write_request(c)) arm(c, idx, false);
            }
            if (!broken && c.connected && (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                for (;;) {
                    ssize_t r = ::read(c.fd, rbuf, sizeof rbuf);
                    if (r > 0) {
                        c.buf.append(rbuf, static_cast<size_t>(r));
                        if (static_cast<size_t>(r) < sizeof rbuf) break;
                        continue;
                    }
                    if (r == 0) {
                        if (c.phase == Phase::UntilClose) complete(c);
                        else if (c.in_flight) ++st.err_read;
                        broken = true;
                    } else if (errno != EAGAIN && errno != EINTR) {
                        ++st.err_read;
                        broken = true;
                    }
                    break;
                }
                int done = broken ? 0 : parse(c);
                if (done < 0) {
                    ++st.err_read;
                    broken = true;
                } else if (done > 0 && !c.in_flight) {
                    if (!write_request(c)) arm(c, idx, true);
                }
            }
            if (broken) {
                ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
                ::close(c.fd);
                ++st.reconnects;
                if (t_now < t_end && start_connect(c)) arm(c, idx, true);
            }
        }
    }
    stopping = true;
    const double elapsed = static_cast<double>(t_now - t0) / 1e9;
    const uint64_t reqs = st.lat_us10.size();
    double sum = 0;
    for (uint32_t v : st.lat_us10) sum += v / 10.0;
    double mean = reqs ? sum / static_cast<double>(reqs) : 0;
    double p50 = pct(st.lat_us10, 50), p90 = pct(st.lat_us10, 90), p99 = pct(st.lat_us10, 99),
           p999 = pct(st.lat_us10, 99.9);
    double mx = st.lat_us10.empty() ? 0 : *std::max_element(st.lat_us10.begin(), st.lat_us10.end()) / 10.0;
    std::printf(
        "{\"tool\": \"loadgen\", \"requests\": %llu, \"seconds\": %.3f, \"rps\": %.1f, \"mean_us\": %.1f, \"p50_us\": %.1f, "
        "\"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f, \"s1xx\": %llu, \"s2xx\": %llu, "
        "\"s3xx\": %llu, \"s4xx\": %llu, \"s5xx\": %llu, \"sother\": %llu, \"err_connect\": %llu, \"err_read\": %llu, "
        "\"err_write\": %llu, \"timeouts\": %llu, \"reconnects\": %llu}\n",
        static_cast<unsigned long long>(reqs), elapsed, static_cast<double>(reqs) / elapsed, mean, p50, p90, p99, p999,
        mx, static_cast<unsigned long long>(st.cls[1]), static_cast<unsigned long long>(st.cls[2]),
        static_cast<unsigned long long>(st.cls[3]), static_cast<unsigned long long>(st.cls[4]),
        static_cast<unsigned long long>(st.cls[5]), static_cast<unsigned long long>(st.cls[0]),
        static_cast<unsigned long long>(st.err_connect), static_cast<unsigned long long>(st.err_read),
        static_cast<unsigned long long>(st.err_write), static_cast<unsigned long long>(st.timeouts),
        static_cast<unsigned long long>(st.reconnects));
    for (auto& c : conns)
        if (c.fd >= 0) ::close(c.fd);
    return 0;
}
