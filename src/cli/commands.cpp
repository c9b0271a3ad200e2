#include "cli/commands.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/version.hpp"
#include "config/config.hpp"
#include "server/app.hpp"

namespace wharf::cli {
namespace {

struct ServeFlags {
    std::string config_file;
    std::string listen;
    std::string data_dir;
};

// File first, then flags: a flag always wins over the file.
Result<config::Config> resolve_config(const ServeFlags& flags) {
    config::Config c;
    if (!flags.config_file.empty()) {
        auto loaded = config::load_file(flags.config_file);
        if (!loaded) {
            return loaded.error();
        }
        c = std::move(*loaded);
    }
    if (!flags.listen.empty()) {
        auto listen = config::parse_listen(flags.listen);
        if (!listen) {
            return listen.error();
        }
        c.server.listen = *listen;
    }
    if (!flags.data_dir.empty()) {
        c.storage.data_dir = flags.data_dir;
    }
    if (auto valid = config::validate(c); !valid) {
        return valid.error();
    }
    return c;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"Wharf: a container image registry compatible with OCI Distribution and ECR"};
    app.require_subcommand(1);

    ServeFlags serve_flags;
    auto* serve = app.add_subcommand("serve", "Run the registry server");
    serve->add_option("--config", serve_flags.config_file, "TOML configuration file");
    serve->add_option("--listen", serve_flags.listen,
                      "Address to listen on, HOST:PORT (default 127.0.0.1:5000; port 0 picks one)");
    serve->add_option("--data", serve_flags.data_dir, "Data directory (default ./var)");

    auto* version = app.add_subcommand("version", "Print the version");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (version->parsed()) {
        std::printf("wharf %s\n", kVersion);
        return 0;
    }
    if (serve->parsed()) {
        auto config = resolve_config(serve_flags);
        if (!config) {
            std::fprintf(stderr, "wharf serve: %s\n", config.error().message.c_str());
            return 2;
        }
        return server::serve(*config);
    }
    return 2;
}

}  // namespace wharf::cli
