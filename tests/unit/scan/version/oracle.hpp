#pragma once

// Helpers for the tests that check the version orders against the ecosystems' own tools: run a
// command once over a file of pairs and read what it printed.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace wharf::scan::version::testing {

// One row of a comparison table: a vs b should order as `expected` (-1, 0, 1).
struct Case {
    const char* a;
    const char* b;
    int expected;
};


inline const std::filesystem::path kVulnDb = WHARF_VULNDB_DIR "";

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// stdout of `sh -c command`, or nullopt when it could not run or exited non-zero.
inline std::optional<std::string> run(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return std::nullopt;
    }
    std::string out;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
        out.append(buf.data(), n);
    }
    if (::pclose(pipe) != 0) {
        return std::nullopt;
    }
    return out;
}

inline bool have(const std::string& program) {
    return run("command -v " + program + " >/dev/null 2>&1").has_value();
}

inline std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

inline int sign(int v) {
    return (v > 0) - (v < 0);
}
inline std::optional<int> sign(std::optional<int> v) {
    return v ? std::optional<int>(sign(*v)) : std::nullopt;
}

// Checks each row both ways: cmp(a, b) has the expected sign and cmp(b, a) the opposite one.
template <typename Compare, typename Rows>
void expect_table(Compare cmp, const Rows& cases) {
    for (const auto& c : cases) {
        EXPECT_EQ(sign(cmp(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
        EXPECT_EQ(sign(cmp(c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
    }
}

}  // namespace wharf::scan::version::testing
