#include "server/app.hpp"

#include <cstdio>
#include <random>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/version.hpp"
#include "ecr/operations.hpp"
#include "events/audit.hpp"
#include "http/server.hpp"
#include "gc/collector.hpp"
#include "jobs/periodic.hpp"
#include "jobs/work_queue.hpp"
#include "oci/routes.hpp"
#include "registry/registry.hpp"
#include "server/credentials.hpp"
#include "server/health.hpp"
#include "server/metrics.hpp"
#include "server/runtime.hpp"

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
    auto rt = open_runtime(config);
    if (!rt) {
        spdlog::error("{}", rt.error().message);
        return 1;
    }
    auto& registry = *(*rt)->registry;
    // First start: an administrator and a key for it, written once to a 0600 file.
    auto admin = (*rt)->accounts->bootstrap_admin("admin");
    if (!admin) {
        spdlog::error("cannot create the administrator: {}", admin.error().message);
        return 1;
    }
    if (*admin) {
        const auto file = data / "admin-credentials.json";
        if (auto written = write_admin_credentials(file, **admin); !written) {
            spdlog::error("{}", written.error().message);
            return 1;
        }
        spdlog::info(
            "created administrator user 'admin' with access key {}; its secret is in {} "
            "(mode 0600)",
            (*admin)->key.access_key_id, file.string());
    }
    auto audit = events::AuditLog::open(data / "audit", {});
    if (!audit) {
        spdlog::error("{}", audit.error().message);
        return 1;
    }
    registry.audit.attach(audit->get());
    auth::Authenticator authenticator(
        *(*rt)->meta, *(*rt)->secrets, token_signing_key((*rt)->master_key), (*rt)->clock,
        auth::AuthOptions{.account = registry.ctx.options.account,
                          .token_lifetime = std::chrono::hours(config.auth.token_hours)});
    // SQLite and the filesystem driver answer reads from the page cache: serve them inline.
    oci::OciServices oci_services{
        .registry = registry, .authenticator = authenticator, .inline_reads = true};
    ecr::EcrServices ecr_services{registry, authenticator};
    gc::Collector collector(*(*rt)->blobs, *(*rt)->meta, (*rt)->clock, gc_options(config));
    http::Router router;
    add_health_routes(router, *(*rt)->meta);
    add_metrics_route(router, registry, collector);
    oci::add_routes(router, oci_services);
    ecr::add_routes(router, ecr_services);

    http::Server server(server_options(config), std::move(router));
    if (auto listening = server.listen(); !listening) {
        spdlog::error("{}", listening.error().message);
        return 1;
    }
    spdlog::info("wharf {} listening on {} (data in {})", kVersion, server.url(), data.string());
    {
        // Previews run off the request path, one at a time; a full queue computes inline.
        jobs::WorkQueue previews("lifecycle previews", 64);
        registry.lifecycle.set_preview_runner(
            [&previews](std::function<void()> job) { return previews.post(std::move(job)); });
        const auto lifecycle_every = std::chrono::hours(config.lifecycle.interval_hours);
        std::mt19937_64 jitter{std::random_device{}()};
        const auto first_run = std::chrono::milliseconds(
            std::uniform_int_distribution<std::int64_t>(
                60'000, std::chrono::duration_cast<std::chrono::milliseconds>(lifecycle_every)
                            .count())(jitter));
        jobs::Periodic lifecycle_runs(
            "lifecycle", lifecycle_every,
            [&] {
                auto all = registry.lifecycle.run_all(false);
                if (!all) {
                    spdlog::warn("lifecycle: {}", all.error().message);
                    return;
                }
                for (const auto& run : all->runs) {
                    if (run.expired + run.transitioned > 0) {
                        spdlog::info("lifecycle: {} expired {} and archived {} images", run.repo.str(),
                                     run.expired, run.transitioned);
                    }
                }
            },
            {.first_delay = first_run, .run_at_stop = false});
        jobs::Periodic collection(
            "gc", std::chrono::seconds(config.gc.interval_seconds),
            [&] {
                auto report = collector.collect(false);
                if (!report) {
                    spdlog::warn("gc: {}", report.error().message);
                } else if (report->blobs_deleted + report->uploads_removed +
                               report->scans_removed + report->referrers_removed > 0) {
                    spdlog::info(
                        "gc: deleted {} blobs ({} bytes), {} abandoned uploads, {} referrers of "
                        "deleted images, {} orphaned scans",
                        report->blobs_deleted, report->bytes_freed, report->uploads_removed,
                        report->referrers_removed, report->scans_removed);
                }
            },
            {.first_delay = std::nullopt, .run_at_stop = false});
        // Scans run off the push path on one worker: a push only queues a row (in its own
        // transaction) and posts a wake-up; the queue holds at most one pending wake-up since
        // each run drains every queued scan. The sweep catches scans queued before a restart or
        // by another process, and re-matches stored inventories when a new database appears.
        jobs::WorkQueue scan_worker("scans", 1);
        auto drain_scans = [&registry] {
            if (auto ran = registry.scans.run_queued(1000); !ran) {
                spdlog::warn("scans: {}", ran.error().message);
            }
        };
        registry.scans.set_waker([&] { scan_worker.post(drain_scans); });
        jobs::Periodic scan_sweep(
            "scan sweep", std::chrono::seconds(config.scan.sweep_seconds),
            [&] {
                scan_worker.post([&registry, drain_scans] {
                    drain_scans();
                    auto rematched = registry.scans.rematch_all();
                    if (!rematched) {
                        spdlog::warn("scans: re-matching: {}", rematched.error().message);
                    } else if (*rematched > 0) {
                        spdlog::info("scans: re-matched {} images against the new vulnerability "
                                     "database",
                                     *rematched);
                    }
                });
            },
            {.first_delay = std::chrono::seconds(1), .run_at_stop = false});
        jobs::Periodic pull_times(
            "pull times", std::chrono::seconds(config.registry.pull_time_flush_seconds), [&] {
                if (auto flushed = registry.pulls.flush(); !flushed) {
                    spdlog::warn("recording pull times: {}", flushed.error().message);
                }
            });
        server.run();
        registry.lifecycle.set_preview_runner(nullptr);
        registry.scans.set_waker(nullptr);
    }  // the last flush of pull times runs here, after the last request
    registry.audit.attach(nullptr);
    (*audit)->flush();
    spdlog::info("stopped");
    return 0;
}

}  // namespace wharf::server
