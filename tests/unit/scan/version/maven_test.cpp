// compare_maven: a table of cases, then ~200 versions compared pairwise by Maven's own
// ComparableVersion (the maven-artifact jar of the installed Maven, run through java).
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "scan/version/version.hpp"
#include "support/temp_dir.hpp"
#include "unit/scan/version/oracle.hpp"

namespace wharf::scan::version {
namespace {

using testing::Case;
using testing::sign;


TEST(Maven, Table) {
    const Case cases[] = {
        // qualifier order: alpha < beta < milestone < rc = cr < snapshot < "" = final = ga < sp
        {"1.0-alpha", "1.0-beta", -1},
        {"1.0-beta", "1.0-milestone", -1},
        {"1.0-milestone", "1.0-rc", -1},
        {"1.0-rc", "1.0-cr", 0},
        {"1.0-rc", "1.0-snapshot", -1},
        {"1.0-snapshot", "1.0", -1},
        {"1.0", "1.0-final", 0},
        {"1.0", "1.0-ga", 0},
        {"1.0", "1.0-release", 0},
        {"1.0", "1.0-sp", -1},
        // unknown qualifiers after the known ones, alphabetically
        {"1.0-sp", "1.0-abc", -1},
        {"1.0-abc", "1.0-abd", -1},
        {"1.0-RC1", "1.0-rc1", 0},
        // a1/b1/m1 abbreviate alpha/beta/milestone only before a digit
        {"1.0-a1", "1.0-alpha1", 0},
        {"1.0-b2", "1.0-beta2", 0},
        {"1.0-m3", "1.0-milestone3", 0},
        {"1.0-a", "1.0-alpha", 1},
        // trailing zeros and nulls trimmed
        {"1", "1.0", 0},
        {"1", "1.0.0", 0},
        {"1.0", "1-0", 0},
        {"1-ga", "1", 0},
        {"1.0.0-final", "1", 0},
        // numbers beat qualifiers; lists sit between
        {"1.1", "1-sp", 1},
        {"1.0.1", "1.0-1", 1},
        {"1-1", "1", 1},
        {"1.0-alpha-1", "1.0-alpha", 1},
        {"2.0.0.RELEASE", "2.0.0", 0},  // ".release" is "-release", the release itself
        {"1.0.alpha", "1.0-alpha", 0},
        {"1-0.1", "1", 1},  // MNG-6964: every item of a list counts against nothing
        {"1.10", "1.9", 1},
        {"1.0.0.0.0.1", "1", 1},
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"1.01", "1.1", 0},
        {"", "0", 0},
        {"", "1", -1},
    };
    testing::expect_table([](auto a, auto b) { return compare_maven(a, b); }, cases);
}

// Real Maven Central spellings and the odd corners of the parser.
const std::vector<std::string> kVersions = {
    "1",
    "1.0",
    "1.0.0",
    "1.0.1",
    "1.1",
    "1.10",
    "1.9",
    "2",
    "2.0",
    "10.0",
    "1.0-SNAPSHOT",
    "1.0-alpha",
    "1.0-alpha-1",
    "1.0-alpha1",
    "1.0-alpha-2",
    "1.0-a1",
    "1.0-a",
    "1.0-beta",
    "1.0-beta-2",
    "1.0-b2",
    "1.0-m1",
    "1.0-milestone-1",
    "1.0-M1",
    "1.0-rc1",
    "1.0-RC1",
    "1.0-CR1",
    "1.0-cr-1",
    "1.0-rc-1",
    "1.0-final",
    "1.0.Final",
    "1.0.FINAL",
    "1.0-ga",
    "1.0.GA",
    "1.0-release",
    "1.0.RELEASE",
    "2.0.0.RELEASE",
    "1.0-sp",
    "1.0-sp1",
    "1.0-SP1",
    "1.0-sp-1",
    "1.0-abc",
    "1.0-xyz",
    "1.0-jre",
    "1.0-android",
    "31.1-jre",
    "31.1-android",
    "1.0-1",
    "1.0-2",
    "1.0.0-1",
    "1-1",
    "1-0",
    "1.0-0",
    "1.0.0.0",
    "1-ga-1",
    "1-final-1",
    "1.0-alpha.1",
    "1.0.alpha",
    "1.0alpha",
    "1.0alpha1",
    "1.0a1",
    "1.0.a1",
    "1a",
    "1a1",
    "1-a1",
    "1.0-1-1",
    "1.0-1.1",
    "1.0--1",
    "1.0..1",
    "1..0",
    ".1",
    "-1",
    "1.",
    "1-",
    "1.0-",
    "1.0-.",
    "1.-0",
    "1.0.0-beta.1",
    "1.0.0-beta.11",
    "1.0.0-beta.2",
    "1.0.0-rc.1",
    "1.0.0+build",
    "1.0.0-0",
    "1.0.0-0.3.7",
    "1.0.0-x.7.z.92",
    "2.3.4.v20230101",
    "3.0.0.v20210909-1234",
    "1.2.3.Beta1",
    "5.4.1.Final",
    "6.0.0.Alpha7",
    "2.13.4.2",
    "2.13.4.1",
    "2.13.4",
    "4.1.86.Final",
    "9.4.48.v20220622",
    "1.70",
    "1.7",
    "0.9.1",
    "0.10",
    "0.0.1",
    "0",
    "00",
    "0.0",
    "1.01",
    "1.001",
    "1.0.01",
    "123456789",
    "1234567890",
    "123456789012345678",
    "1234567890123456789",
    "123456789012345678901234567890",
    "1.123456789012345678901234567890",
    "1.0-20230101.123456-1",
    "1.0-20230101",
    "1-SNAPSHOT",
    "1.0.0-SNAPSHOT",
    "1.0-snapshot-1",
    "1.0-sp-snapshot",
    "1.0-ga-snapshot",
    "1.0.0-alpha-snapshot",
    "1.0-dev",
    "1.0-pre",
    "1.0-preview",
    "1.0-foo-bar",
    "1.0-foo.bar",
    "1.0.foo-bar",
    "foo",
    "bar",
    "foo1",
    "foo-1",
    "1foo",
    "1-foo",
    "1.foo",
    "1.0.0.0.0.0.1",
    "1.0.0.0.0.0",
    "2.0-alpha",
    "2.0-beta-1",
    "2.0-1-sp",
    "2-sp-1",
    "1.0-m",
    "1.0-m1-1",
    "1.0-b",
    "1.0-b1-b",
    "1.0-a1-a1",
    "1.0-alpha-alpha",
    "1.0-0.1",
    "1.0-0-1",
    "1.0-0.0",
    "1.0.0-ga.1",
    "1.0-final.1",
    "1.0-final-0",
    "1.0-0-final",
    "1.0-1-final",
    "1-1.0",
    "1-1-0",
    "1-0-1",
    "1--1",
    "1-.1",
    "1.0-x1-y2",
    "1.0-x1y2",
    "r09",
    "r10",
    "v1",
    "v1.0",
    "1.0v",
    "1.0.v2",
    "1.0-v2",
    "1.0_1",
    "1.0_beta",
    "1.0+1",
};

TEST(Maven, AgreesWithComparableVersion) {
    std::string jar;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/share/maven/lib", ec)) {
        if (entry.path().filename().string().starts_with("maven-artifact")) {
            jar = entry.path().string();
        }
    }
    if (jar.empty() || !testing::have("java")) {
        GTEST_SKIP() << "Maven's maven-artifact jar or java is missing; cannot cross-check";
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& a : kVersions) {
        for (const auto& b : kVersions) {
            pairs.emplace_back(a, b);  // every ordered pair: about 40,000
        }
    }
    wharf::testing::TempDir dir;
    std::string input;
    for (const auto& [a, b] : pairs) {
        input += a + "\t" + b + "\n";
    }
    testing::write_text(dir.path() / "pairs", input);
    // Java's single-file launcher compiles this in memory; one JVM for every pair.
    testing::write_text(dir.path() / "Oracle.java",
                        "import java.nio.file.*;\n"
                        "import org.apache.maven.artifact.versioning.ComparableVersion;\n"
                        "public class Oracle {\n"
                        "  public static void main(String[] args) throws Exception {\n"
                        "    StringBuilder out = new StringBuilder();\n"
                        "    for (String line : Files.readAllLines(Path.of(args[0]))) {\n"
                        "      String[] ab = line.split(\"\\t\", -1);\n"
                        "      int r = new ComparableVersion(ab[0]).compareTo(\n"
                        "          new ComparableVersion(ab[1]));\n"
                        "      out.append(Integer.signum(r)).append('\\n');\n"
                        "    }\n"
                        "    System.out.print(out);\n"
                        "  }\n"
                        "}\n");
    const auto out =
        testing::run("java -cp '" + jar + "' '" + (dir.path() / "Oracle.java").string() + "' '" +
                     (dir.path() / "pairs").string() + "' 2>/dev/null");
    ASSERT_TRUE(out.has_value()) << "java failed";
    const auto verdicts = testing::lines(*out);
    ASSERT_EQ(verdicts.size(), pairs.size());
    std::size_t disagreements = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const int expected = std::stoi(verdicts[i]);
        const auto got = sign(compare_maven(pairs[i].first, pairs[i].second));
        if (got != expected) {
            ++disagreements;
            ADD_FAILURE() << "'" << pairs[i].first << "' vs '" << pairs[i].second
                          << "': Maven says " << expected;
        }
    }
    EXPECT_EQ(disagreements, 0u);
    std::cout << "[ maven ] " << kVersions.size() << " versions, " << pairs.size() << " pairs, "
              << disagreements << " disagreements\n";
}

}  // namespace
}  // namespace wharf::scan::version
