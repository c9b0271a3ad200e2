// compare_pep440: a table of cases, then the PyPI advisory data and the installed-packages
// fixture checked against PyPA `packaging` (pip's vendored copy): which strings are versions,
// and how pairs of them order.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "scan/version/version.hpp"
#include "support/temp_dir.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Pep440, Table) {
    const Case cases[] = {
        // dev < pre < final < post; a dev of a pre/post sorts just before it
        {"1.0.dev0", "1.0a0", -1},
        {"1.0a1", "1.0b1", -1},
        {"1.0b1", "1.0rc1", -1},
        {"1.0rc1", "1.0", -1},
        {"1.0", "1.0.post1", -1},
        {"1.0a1.dev1", "1.0a1", -1},
        {"1.0a1", "1.0a1.post1", -1},
        {"1.0.post1.dev1", "1.0.post1", -1},
        {"1.0.post1.dev1", "1.0", 1},
        {"1.0.dev1", "1.0a1.dev1", -1},
        // normalised spellings
        {"1.0alpha1", "1.0a1", 0},
        {"1.0-beta.2", "1.0b2", 0},
        {"1.0c1", "1.0rc1", 0},
        {"1.0pre1", "1.0rc1", 0},
        {"1.0preview1", "1.0rc1", 0},
        {"1.0-1", "1.0.post1", 0},
        {"1.0rev1", "1.0.post1", 0},
        {"1.0-r1", "1.0.post1", 0},
        {"1.0.post", "1.0.post0", 0},
        {"1.0a", "1.0a0", 0},
        {"1.0.dev", "1.0.dev0", 0},
        {"v1.0", "1.0", 0},
        {"V1.0", "1.0", 0},
        {" 1.0\n", "1.0", 0},
        {"1.0RC1", "1.0rc1", 0},
        {"1.0_a_1", "1.0a1", 0},
        // release: trailing zeros ignored, numbers of any length
        {"1.0", "1.0.0", 0},
        {"1.0.0.0.1", "1.0", 1},
        {"1.10", "1.9", 1},
        {"1.01", "1.1", 0},
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        // epochs
        {"1!0.1", "2.0", 1},
        {"0!1.0", "1.0", 0},
        // local versions: after the public one; numbers after strings
        {"1.0", "1.0+local", -1},
        {"1.0+abc", "1.0+abd", -1},
        {"1.0+abc", "1.0+1", -1},
        {"1.0+1", "1.0+1.0", -1},
        {"1.0+ABC", "1.0+abc", 0},
        {"1.0+a-b_c", "1.0+a.b.c", 0},
        {"1.0+01", "1.0+1", 0},
    };
    testing::expect_table([](auto a, auto b) { return compare_pep440(a, b); }, cases);
}

TEST(Pep440, NotVersions) {
    for (const char* bad : {"", "v", "1.0+", "1.0+a..b", "1.0 +a", "1.0.", "1.0a1a2", "1!", "!1",
                            "1.0-", "1.0.post1.post2", "1.0.dev1.a1", "abc", "1.0beta1x", "1,0",
                            "6be1d081b49c97cfd7b3fbd934a193b668629109"}) {
        EXPECT_EQ(compare_pep440(bad, "1.0"), std::nullopt) << bad;
    }
}

std::string python_with_packaging() {
    for (const char* python : {"/usr/bin/python3", "python3"}) {
        const std::string cmd =
            std::string(python) + " -c 'import pip._vendor.packaging.version' >/dev/null 2>&1";
        if (testing::run(cmd)) {
            return python;
        }
    }
    return {};
}

std::set<std::string> collect_real_versions() {
    namespace fs = std::filesystem;
    std::set<std::string> out;
    // YAML list items and range events; quoted or not. GIT hashes come along and are refused.
    const std::regex item(
        R"(^\s*-\s+(?:(?:introduced|fixed|last_affected):\s+)?["']?([^"'\s:]+)["']?\s*$)");
    for (const auto& entry :
         fs::recursive_directory_iterator(testing::kVulnDb / "pypi" / "osv-yaml")) {
        if (entry.path().extension() != ".yaml") {
            continue;
        }
        for (const auto& line : testing::lines(testing::read_text(entry.path()))) {
            std::smatch m;
            if (std::regex_match(line, m, item)) {
                out.insert(m[1]);
            }
        }
    }
    for (const auto& line : testing::lines(
             testing::read_text(testing::kVulnDb / "fixtures" / "python311-site-packages.tsv"))) {
        if (line.empty() || line.front() == '#' || line.starts_with("name\t")) {
            continue;
        }
        const auto tab = line.find('\t');
        out.insert(line.substr(tab + 1, line.find('\t', tab + 1) - tab - 1));
    }
    return out;
}

// Spellings the advisories rarely use, to exercise the parser against packaging's regex.
const std::vector<std::string> kOddSpellings = {
    "1.0a.",
    "1.0a-",
    "1.0a..post1",
    "1.0.post",
    "1.0-post-2",
    "1.0_rev_3",
    "1.0-r",
    "1.0r5",
    "v1.0",
    "V2",
    " 1.0 ",
    "\t1.0\n",
    "1.0+local.1",
    "1.0+LOCAL-a_b",
    "1!1.0",
    "01!1.0",
    "1.0PREVIEW1",
    "1.0c1",
    "1.0.dev",
    "1.0-dev-1",
    "1.0a1.post2.dev3",
    "1.0_a_1",
    "1.0alpha..post1",
    "1.0-1",
    "1.0-1a",
    "1.0-",
    "1.0--1",
    "1.0.-1",
    "1.0a1-1",
    "1.0a1-r1",
    "1.0.dev1+abc",
    "1.0+abc.",
    "1.0+.abc",
    "1.0+a+b",
    "1.0 +a",
    "1 .0",
    "1..0",
    "1.0.",
    "1.0rc",
    "1.0RC-1",
    "1.0.a1",
    "1.0-a1",
    "1.0_a1",
    "1.0.alpha.1",
    "1.0.post.1.dev.1",
    "1.0prerelease",
    "1.0pre-view1",
    "1.0betapost",
    "1.0b.post",
    "1.0.devpost",
    "1.0dev",
    "1.0post",
    "1.0rev",
    "1.0.1.2.3.4.5.6.7.8.9",
    "0",
    "00",
    "1.0e",
    "1.0.x",
    "1.0.*",
    "1.0a1.1",
    "1.0dev1.post1",
    "999999999999999999999999.1",
    "1.0+1_2-3.4",
    "1.0+a1b2",
};

TEST(Pep440, AgreesWithPackagingOnRealVersions) {
    const std::string python = python_with_packaging();
    if (python.empty()) {
        GTEST_SKIP() << "no python3 with pip._vendor.packaging; cannot cross-check compare_pep440";
    }
    auto pool_set = collect_real_versions();
    ASSERT_GT(pool_set.size(), 500u) << "PyPI fixtures missing under " << testing::kVulnDb;
    const std::size_t real_count = pool_set.size();
    pool_set.insert(kOddSpellings.begin(), kOddSpellings.end());
    const std::vector<std::string> pool(pool_set.begin(), pool_set.end());

    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i + 1 < pool.size(); ++i) {
        pairs.emplace_back(pool[i], pool[i + 1]);  // neighbours share prefixes
        pairs.emplace_back(pool[i], pool[i]);
    }
    std::mt19937 rng(440);
    for (std::size_t k = 0; k < 4000; ++k) {
        pairs.emplace_back(pool[rng() % pool.size()], pool[rng() % pool.size()]);
    }

    wharf::testing::TempDir dir;
    std::string input;
    for (const auto& [a, b] : pairs) {
        input += a + "\x1f" + b + "\x1e";
    }
    testing::write_text(dir.path() / "pairs", input);
    const std::string script =
        "import sys\n"
        "from pip._vendor.packaging.version import Version, InvalidVersion\n"
        "def v(s):\n"
        "    try:\n"
        "        return Version(s)\n"
        "    except InvalidVersion:\n"
        "        return None\n"
        "out = []\n"
        "for rec in open(sys.argv[1], encoding='utf-8').read().split('\\x1e')[:-1]:\n"
        "    a, b = rec.split('\\x1f')\n"
        "    x, y = v(a), v(b)\n"
        "    out.append('!' if x is None or y is None else '<' if x < y else '=' if x == y else "
        "'>')\n"
        "print('\\n'.join(out))\n";
    testing::write_text(dir.path() / "oracle.py", script);
    const auto out = testing::run(python + " '" + (dir.path() / "oracle.py").string() + "' '" +
                                  (dir.path() / "pairs").string() + "'");
    ASSERT_TRUE(out.has_value());
    const auto verdicts = testing::lines(*out);
    ASSERT_EQ(verdicts.size(), pairs.size());

    std::size_t compared = 0;
    std::size_t disagreements = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto& [a, b] = pairs[i];
        const auto got = sign(compare_pep440(a, b));
        std::optional<int> expected;
        if (verdicts[i] != "!") {
            expected = verdicts[i] == "<" ? -1 : verdicts[i] == "=" ? 0 : 1;
            ++compared;
        }
        // Both "is it a version" and the order must agree.
        if (got != expected) {
            ++disagreements;
            ADD_FAILURE() << "'" << a << "' vs '" << b << "': packaging says " << verdicts[i]
                          << ", we say " << (got ? std::to_string(*got) : "not a version");
        }
    }
    EXPECT_EQ(disagreements, 0u);
    std::cout << "[ pep440 ] " << real_count << " real strings + " << kOddSpellings.size()
              << " odd spellings; " << pairs.size() << " pairs, " << compared
              << " with both valid; " << disagreements << " disagreements\n";
}

}  // namespace
}  // namespace wharf::scan::version
