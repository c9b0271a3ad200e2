#include "server/app.hpp"

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/version.hpp"
#include "http/server.hpp"
#include "oci/routes.hpp"
#include "registry/registry.hpp"
#include "server/health.hpp"
#include "storage/blob/fs/fs_blob_store.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

namespace wharf::server {
namespace {

void setup_logging(const config::Config& config) {
    // Server logs go to stderr; stdout carries only the access log, one JSON object per line.
    auto logger = spdlog::stderr_color_mt("wharf");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(config.log.level));
    spdlog::set_default_logger(logger);
    // One write per access-log line even when stdout is a pipe or a file.
    std::setvbuf(stdout, nullptr, _IOLBF, 1 << 16);
}

http::ServerOptions server_options(const config::Config& c) {
    http::ServerOptions o;
    o.host = c.server.listen.host;
    o.port = c.server.listen.port;
    o.io_threads = c.server.io_threads;
    o.blocking_threads = c.server.blocking_threads;
    o.limits.max_connections = c.server.max_connections;
    o.limits.max_header_bytes = static_cast<std::size_t>(c.server.max_header_kib) * 1024;
    o.timeouts.header = std::chrono::seconds(c.server.timeouts.header_seconds);
    o.timeouts.idle = std::chrono::seconds(c.server.timeouts.idle_seconds);
    o.timeouts.body_progress = std::chrono::seconds(c.server.timeouts.body_seconds);
    o.timeouts.write_progress = std::chrono::seconds(c.server.timeouts.write_seconds);
    o.timeouts.shutdown_grace = std::chrono::seconds(c.server.timeouts.shutdown_grace_seconds);
    if (c.server.tls) {
        o.tls = http::TlsFiles{c.server.tls->certificate, c.server.tls->private_key};
    }
    o.access_log = c.server.access_log;
    return o;
}

}  // namespace

int serve(const config::Config& config) {
    setup_logging(config);
    const auto& data = config.storage.data_dir;
    std::error_code ec;
    std::filesystem::create_directories(data, ec);
    if (ec) {
        spdlog::error("cannot create data directory {}: {}", data.string(), ec.message());
        return 1;
    }
    auto blobs = storage::open_fs_blob_store(data / "blobs");
    if (!blobs) {
        spdlog::error("blob storage: {}", blobs.error().message);
        return 1;
    }
    auto meta = storage::open_sqlite_metadata_store(
        data / "metadata.db", storage::SqliteOptions{.full_sync = config.storage.sqlite_full_sync});
    if (!meta) {
        spdlog::error("metadata store: {}", meta.error().message);
        return 1;
    }
    SystemClock clock;
    registry::Registry registry(registry::ServiceContext{
        **blobs, **meta, clock,
        registry::RegistryOptions{.create_on_push = config.registry.create_on_push,
                                  .chunk_min_length = config.registry.chunk_min_length}});
    // SQLite and the filesystem driver answer reads from the page cache: serve them inline.
    oci::OciServices oci_services{.registry = registry, .inline_reads = true};
    http::Router router;
    add_health_routes(router, **meta);
    oci::add_routes(router, oci_services);

    http::Server server(server_options(config), std::move(router));
    if (auto listening = server.listen(); !listening) {
        spdlog::error("{}", listening.error().message);
        return 1;
    }
    spdlog::info("wharf {} listening on {} (data in {})", kVersion, server.url(), data.string());
    server.run();
    spdlog::info("stopped");
    return 0;
}

}  // namespace wharf::server
