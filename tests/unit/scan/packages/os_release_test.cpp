#include <gtest/gtest.h>

#include "scan/packages/packages.hpp"
#include "test_util.hpp"

namespace wharf::scan {
namespace {

TEST(OsRelease, BookwormFixture) {
    const auto release = parse_os_release(
        test_util::read_fixture(WHARF_VULNDB_DIR "/fixtures/bookworm-os-release"));
    ASSERT_TRUE(release);
    EXPECT_EQ(release->id, "debian");
    EXPECT_EQ(release->version_id, "12");
    EXPECT_EQ(release->version_codename, "bookworm");
    EXPECT_EQ(release->pretty_name, "Debian GNU/Linux 12 (bookworm)");
}

TEST(OsRelease, QuotingAndComments) {
    const auto release = parse_os_release(
        "# comment line\n"
        "NAME=\"Alpine Linux\"\n"
        "  ID=alpine  \n"
        "VERSION_ID='3.19.1'\n"
        "PRETTY_NAME=\"Alpine \\\"Linux\\\" v3.19\"\n"
        "VERSION_CODENAME=edge # trailing comment\n"
        "#ID=not-this\n"
        "garbage line without equals\n");
    ASSERT_TRUE(release);
    EXPECT_EQ(release->id, "alpine");
    EXPECT_EQ(release->version_id, "3.19.1");
    EXPECT_EQ(release->pretty_name, "Alpine \"Linux\" v3.19");
    EXPECT_EQ(release->version_codename, "edge");
}

TEST(OsRelease, DistrolessCodenameOnlyAndCrlf) {
    const auto release = parse_os_release("ID=debian\r\nVERSION_CODENAME=bookworm\r\n");
    ASSERT_TRUE(release);
    EXPECT_EQ(release->id, "debian");
    EXPECT_EQ(release->version_id, "");
    EXPECT_EQ(release->version_codename, "bookworm");
}

TEST(OsRelease, NoIdIsNothing) {
    EXPECT_FALSE(parse_os_release(""));
    EXPECT_FALSE(parse_os_release("NAME=x\nVERSION_ID=1\n"));
    EXPECT_FALSE(parse_os_release("ID=\"\n"));
    EXPECT_FALSE(parse_os_release("ID=\n"));
}

}  // namespace
}  // namespace wharf::scan
