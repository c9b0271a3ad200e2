// The ceiling for a blob push on this machine, without HTTP: what a registry
// could reach if receiving a blob cost nothing but the socket reads, the
// SHA-256 and the file write + fsync that any correct registry must do.
//
//   ideal_push recv <port> <outfile> [--nohash] [--nowrite]
//       Listens on 127.0.0.1:<port> (0: any; the port is printed on stdout as
//       "port N"), accepts one connection, reads it to EOF in 1 MiB buffers,
//       hashes every byte with OpenSSL EVP SHA-256, writes it to <outfile> and
//       fsyncs at the end. Prints one JSON line: bytes, seconds (first accept to
//       fsync done), MB/s (10^6 bytes), the receiver's CPU seconds, digest.
//       --nohash --nowrite together measure plain loopback TCP throughput;
//       --nosync leaves out the fsync (the CPU-side limit, without the disk).
//   ideal_push send <host> <port> <file>
//       Connects and sends <file> whole with sendfile(2), then closes.
//
// Built by bench/run.sh with: g++ -O2 -std=c++20 ideal_push.cpp -lcrypto
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/sendfile.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "ideal_push: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

int recv_main(int port, const char* outfile, bool hash, bool write_file, bool sync) {
    int ls = ::socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0) die("socket");
    int one = 1;
    ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("bind");
    if (::listen(ls, 4) < 0) die("listen");
    socklen_t alen = sizeof addr;
    ::getsockname(ls, reinterpret_cast<sockaddr*>(&addr), &alen);
    std::printf("port %d\n", ntohs(addr.sin_port));
    std::fflush(stdout);

    int s = ::accept(ls, nullptr, nullptr);
    if (s < 0) die("accept");
    auto t0 = std::chrono::steady_clock::now();

    int fd = -1;
    if (write_file) {
        fd = ::open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) die("open");
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (hash) EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);

    constexpr size_t kBuf = 1 << 20;
    std::vector<unsigned char> buf(kBuf);
    unsigned long long total = 0;
    for (;;) {
        // Fill the whole 1 MiB buffer (or reach EOF) before hashing and writing,
        // as a registry reading a request body in 1 MiB pieces would.
        size_t have = 0;
        bool eof = false;
        while (have < kBuf) {
            ssize_t n = ::read(s, buf.data() + have, kBuf - have);
            if (n < 0) {
                if (errno == EINTR) continue;
                die("read");
            }
            if (n == 0) {
                eof = true;
                break;
            }
            have += static_cast<size_t>(n);
        }
        if (have > 0) {
            if (hash) EVP_DigestUpdate(ctx, buf.data(), have);
            if (write_file) {
                size_t off = 0;
                while (off < have) {
                    ssize_t w = ::write(fd, buf.data() + off, have - off);
                    if (w < 0) {
                        if (errno == EINTR) continue;
                        die("write");
                    }
                    off += static_cast<size_t>(w);
                }
            }
            total += have;
        }
        if (eof) break;
    }
    std::string hex = "none";
    if (hash) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        hex.clear();
        static const char* digits = "0123456789abcdef";
        for (unsigned i = 0; i < mdlen; ++i) {
            hex.push_back(digits[md[i] >> 4]);
            hex.push_back(digits[md[i] & 15]);
        }
        hex = "sha256:" + hex;
    }
    if (write_file) {
        if (sync && ::fsync(fd) < 0) die("fsync");
        ::close(fd);
    }
    auto t1 = std::chrono::steady_clock::now();
    EVP_MD_CTX_free(ctx);
    ::close(s);
    ::close(ls);
    double secs = std::chrono::duration<double>(t1 - t0).count();
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::printf("{\"bytes\": %llu, \"seconds\": %.6f, \"mbps\": %.1f, \"cpu_seconds\": %.3f, \"digest\": \"%s\"}\n",
                total, secs, static_cast<double>(total) / secs / 1e6, cpu, hex.c_str());
    return 0;
}

int send_main(const char* host, int port, const char* file) {
    int fd = ::open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("open");
    struct stat st{};
    if (::fstat(fd, &st) < 0) die("fstat");
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) die("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host, &addr.sin_addr) != 1) die("inet_pton");
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("connect");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = ::sendfile(s, fd, &off, static_cast<size_t>(st.st_size - off));
        if (n < 0) {
            if (errno == EINTR) continue;
            die("sendfile");
        }
        if (n == 0) break;
    }
    ::shutdown(s, SHUT_WR);
    char c;
    while (::read(s, &c, 1) > 0) {
    }
    ::close(s);
    ::close(fd);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::string_view(argv[1]) == "recv") {
        bool hash = true, write_file = true, sync = true;
        for (int i = 4; i < argc; ++i) {
            if (std::string_view(argv[i]) == "--nohash") hash = false;
            else if (std::string_view(argv[i]) == "--nowrite") write_file = false;
            else if (std::string_view(argv[i]) == "--nosync") sync = false;
        }
        return recv_main(std::atoi(argv[2]), argv[3], hash, write_file, sync);
    }
    if (argc == 5 && std::string_view(argv[1]) == "send") return send_main(argv[2], std::atoi(argv[3]), argv[4]);
    std::fprintf(stderr,
                 "usage: ideal_push recv <port> <outfile> [--nohash] [--nowrite] [--nosync]\n"
                 "       ideal_push send <host> <port> <file>\n");
    return 2;
}
