// compare_dpkg: a table of cases, then thousands of real Debian 12 version pairs checked against
// `dpkg --compare-versions` itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/version/version.hpp"
#include "support/temp_dir.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Dpkg, Table) {
    const Case cases[] = {
        // SCANNING-NOTES.md section 2
        {"1.0~rc1", "1.0", -1},
        {"1:1.0", "2.0", 1},
        {"1.0-1", "1.0-1+deb12u1", -1},
        {"2.36-9+deb12u14", "2.36-9+deb12u3", 1},
        {"3.0.19-1~deb12u2", "3.0.19-1", -1},
        // tilde below the end, the end below letters, letters below other bytes
        {"1.0~~", "1.0~", -1},
        {"1.0~", "1.0", -1},
        {"1.0", "1.0a", -1},
        {"1.0a", "1.0+", -1},
        {"1.0+", "1.0.", -1},
        {"1.0a", "1.0b", -1},
        {"1.0Z", "1.0a", -1},
        // numbers, leading zeros, numbers longer than 64 bits
        {"1.09", "1.9", 0},
        {"1.10", "1.9", 1},
        {"0001", "1", 0},
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"99999999999999999999999", "100000000000000000000000", -1},
        // epochs
        {"0:1.0", "1.0", 0},
        {"1:0.1", "0:9.9", 1},
        {"00:1.0", "1.0", 0},
        {"18446744073709551616:1", "18446744073709551615:2", 1},
        // revisions: split at the last hyphen; none equals "0"
        {"1.0", "1.0-0", 0},
        {"1.0-1", "1.0", 1},
        {"1.2-3-4", "1.2-3-5", -1},
        {"1.2-3-4", "1.2-4", 1},  // upstream "1.2-3" > "1.2"
        {"1.0-1ubuntu1", "1.0-1", 1},
        {"2:1.0-1", "1:9.9-9", 1},
        {"1.0+dfsg-1", "1.0-1", 1},
        {"1.0+dfsg-1", "1.0.1-1", -1},
        {"", "", 0},
        {"", "0", 0},
        {"a", "", 1},
        {"~", "", -1},
        // not dpkg-valid, still ordered
        {"abc:1.0", "1.0", 1},
        {":1", "1", 1},
    };
    testing::expect_table([](auto a, auto b) { return compare_dpkg(a, b); }, cases);
}

TEST(Dpkg, SchemeDispatch) {
    EXPECT_EQ(compare(Scheme::dpkg, "1.0", "1.1"), -1);
    EXPECT_EQ(compare(Scheme::dpkg, "\xff\x00", "\x80"), compare_dpkg("\xff\x00", "\x80"));
}

// Versions by source package: installed (dpkg status) and fixed/affected (OSV Debian:12).
struct RealVersions {
    std::map<std::string, std::set<std::string>> installed;
    std::map<std::string, std::set<std::string>> advisory;
    std::set<std::string> all;
};

RealVersions collect_real_versions() {
    RealVersions out;
    namespace fs = std::filesystem;
    const fs::path osv = testing::kVulnDb / "debian" / "osv-minimal-bookworm";
    for (const auto& entry : fs::recursive_directory_iterator(osv)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        const auto doc = nlohmann::json::parse(testing::read_text(entry.path()), nullptr, false);
        if (doc.is_discarded() || !doc.contains("affected")) {
            continue;
        }
        for (const auto& affected : doc["affected"]) {
            if (affected.value("/package/ecosystem"_json_pointer, std::string{}) != "Debian:12") {
                continue;
            }
            const auto name = affected.value("/package/name"_json_pointer, std::string{});
            auto& versions = out.advisory[name];
            for (const auto& range : affected.value("ranges", nlohmann::json::array())) {
                for (const auto& event : range.value("events", nlohmann::json::array())) {
                    if (event.contains("fixed") && event["fixed"].is_string()) {
                        versions.insert(event["fixed"].get<std::string>());
                    }
                }
            }
            for (const auto& v : affected.value("versions", nlohmann::json::array())) {
                if (v.is_string()) {
                    versions.insert(v.get<std::string>());
                }
            }
            out.all.insert(versions.begin(), versions.end());
        }
    }
    // dpkg status: stanzas of Package / Source / Version.
    std::string package;
    std::string source;
    std::string version;
    const auto flush = [&] {
        if (!version.empty()) {
            out.installed[source.empty() ? package : source].insert(version);
            out.all.insert(version);
        }
        package.clear();
        source.clear();
        version.clear();
    };
    for (const auto& line : testing::lines(
             testing::read_text(testing::kVulnDb / "fixtures" / "bookworm-dpkg-status"))) {
        if (line.empty()) {
            flush();
        } else if (line.starts_with("Package: ")) {
            package = line.substr(9);
        } else if (line.starts_with("Source: ")) {
            source = line.substr(8, line.find(' ', 8) - 8);  // "bash (5.2.15-2)" -> "bash"
        } else if (line.starts_with("Version: ")) {
            version = line.substr(9);
        }
    }
    flush();
    return out;
}

TEST(Dpkg, AgreesWithDpkgOnRealVersions) {
    if (!testing::have("dpkg")) {
        GTEST_SKIP() << "dpkg is not installed; cannot cross-check compare_dpkg";
    }
    const RealVersions real = collect_real_versions();
    ASSERT_GT(real.all.size(), 1000u) << "vulndb fixtures missing under " << testing::kVulnDb;

    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& [source, installed] : real.installed) {
        const auto it = real.advisory.find(source);
        if (it == real.advisory.end()) {
            continue;
        }
        for (const auto& a : installed) {
            for (const auto& b : it->second) {
                pairs.emplace(a, b);
            }
        }
    }
    const std::size_t matched = pairs.size();
    // Neighbours within each advisory's list, then random pairs across everything.
    for (const auto& [source, versions] : real.advisory) {
        for (auto it = versions.begin(); it != versions.end() && std::next(it) != versions.end();
             ++it) {
            pairs.emplace(*it, *std::next(it));
        }
    }
    const std::vector<std::string> all(real.all.begin(), real.all.end());
    std::mt19937 rng(20240612);
    std::uniform_int_distribution<std::size_t> pick(0, all.size() - 1);
    for (int k = 0; k < 2500; ++k) {
        pairs.emplace(all[pick(rng)], all[pick(rng)]);
    }
    for (std::size_t i = 0; i < 300; ++i) {
        pairs.emplace(all[i * (all.size() / 300)], all[i * (all.size() / 300)]);
    }

    wharf::testing::TempDir dir;
    std::string input;
    for (const auto& [a, b] : pairs) {
        input += a + " " + b + "\n";
    }
    testing::write_text(dir.path() / "pairs", input);
    // One shell for every pair; `lt` then `eq` decide each one.
    const auto out = testing::run(
        "while read -r a b; do "
        "if dpkg --compare-versions \"$a\" lt \"$b\"; then echo '<'; "
        "elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo '='; else echo '>'; fi; "
        "done < '" +
        (dir.path() / "pairs").string() + "' 2>/dev/null");
    ASSERT_TRUE(out.has_value());
    const auto verdicts = testing::lines(*out);
    ASSERT_EQ(verdicts.size(), pairs.size());

    std::size_t i = 0;
    std::size_t disagreements = 0;
    for (const auto& [a, b] : pairs) {
        const int expected = verdicts[i] == "<" ? -1 : verdicts[i] == "=" ? 0 : 1;
        ++i;
        const int got = sign(compare_dpkg(a, b));
        if (got != expected) {
            ++disagreements;
            ADD_FAILURE() << a << " vs " << b << ": dpkg says " << expected << ", we say " << got;
        }
    }
    EXPECT_EQ(disagreements, 0u);
    RecordProperty("pairs", static_cast<int>(pairs.size()));
    RecordProperty("installed_vs_fixed_pairs", static_cast<int>(matched));
    std::cout << "[ dpkg ] " << pairs.size() << " real pairs (" << matched
              << " installed vs advisory), " << disagreements << " disagreements\n";
}

}  // namespace
}  // namespace wharf::scan::version
