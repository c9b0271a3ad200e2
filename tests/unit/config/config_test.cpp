#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.hpp"

namespace wharf::config {
namespace {

TEST(Config, DefaultsNeedNoFile) {
    auto c = load_string("");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->server.listen.host, "127.0.0.1");
    EXPECT_EQ(c->server.listen.port, 5000);
    EXPECT_EQ(c->storage.data_dir, "./var");
    EXPECT_FALSE(c->registry.create_on_push);  // as ECR: pushes need an existing repository
    EXPECT_EQ(c->registry.account_id, "000000000000");
    EXPECT_EQ(c->registry.region, "us-east-1");
    EXPECT_EQ(c->auth.token_hours, 12u);
}

TEST(Config, EveryExampleConfigLoads) {
    const auto dir = std::filesystem::path(WHARF_SOURCE_DIR) / "examples" / "config";
    int loaded = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml") {
            continue;
        }
        auto c = load_file(entry.path());
        EXPECT_TRUE(c) << entry.path() << ": " << (c ? "" : c.error().message);
        ++loaded;
    }
    EXPECT_GT(loaded, 0);
}

TEST(Config, ReadsValues) {
    auto c = load_string(R"(
[server]
listen = "[::1]:6000"
io_threads = 2
[server.timeouts]
idle_seconds = 5
[storage]
data_dir = "/srv/wharf"
[registry]
create_on_push = true
account_id = "123456789012"
region = "eu-west-1"
[auth]
token_hours = 6
)");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->server.listen.host, "::1");
    EXPECT_EQ(c->server.listen.port, 6000);
    EXPECT_EQ(c->server.io_threads, 2u);
    EXPECT_EQ(c->server.timeouts.idle_seconds, 5u);
    EXPECT_EQ(c->storage.data_dir, "/srv/wharf");
    EXPECT_TRUE(c->registry.create_on_push);
    EXPECT_EQ(c->registry.account_id, "123456789012");
    EXPECT_EQ(c->registry.region, "eu-west-1");
    EXPECT_EQ(c->auth.token_hours, 6u);
}

TEST(Config, MistakesNameTheKeyAndLine) {
    struct Case {
        std::string toml;
        std::string expect;
    };
    const std::vector<Case> cases{
        {"[server]\nlisen = \"x\"\n", "config:2: unknown setting server.lisen"},
        {"[server]\nio_threads = \"two\"\n", "server.io_threads must be a whole number"},
        {"[server]\nmax_connections = -1\n", "out of range"},
        {"[registry]\ncreate_on_push = 1\n", "must be true or false"},
        {"[registry]\naccount_id = \"12345\"\n", "must be 12 digits"},
        {"[registry]\nregion = \"US East\"\n", "registry.region"},
        {"[auth]\ntoken_hours = 13\n", "auth.token_hours"},
        {"[auth]\nmaster_key = \"x\"\n", "auth.master_key"},
        {"[storage\n", "config:1"},
        {"[server]\nlisten = \"nohost\"\n", "must be HOST:PORT"},
        {"[server]\nlisten = \"a:70000\"\n", "port must be a number"},
        {"[log]\nlevel = \"loud\"\n", "log.level"},
        {"[nope]\n", "unknown setting nope"},
        {"[server.tls]\ncertificate = \"a.pem\"\n", "needs both"},
    };
    for (const auto& c : cases) {
        auto r = load_string(c.toml);
        ASSERT_FALSE(r) << c.toml;
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
            << c.toml << " -> " << r.error().message;
    }
}

}  // namespace
}  // namespace wharf::config
