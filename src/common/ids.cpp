#include "common/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace wharf {
namespace {

void fill_random(unsigned char* out, std::size_t n) {
    if (RAND_bytes(out, static_cast<int>(n)) != 1) {
        // No entropy is a broken machine, not a client error.
        throw std::runtime_error("RAND_bytes failed");
    }
}

}  // namespace

std::string random_uuid() {
    std::array<unsigned char, 16> b{};
    fill_random(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

std::string random_hex(std::size_t n_bytes) {
    std::vector<unsigned char> b(n_bytes);
    fill_random(b.data(), b.size());
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n_bytes * 2);
    for (auto c : b) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

}  // namespace wharf
