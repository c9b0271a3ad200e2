#include "server/metrics.hpp"

#include <fmt/format.h>

namespace wharf::server {
namespace {

void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value,
             std::string_view type = "counter") {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace

void add_metrics_route(http::Router& router, const registry::Registry& registry,
                       const gc::Collector& collector) {
    router.add(http::Route{
        http::Method::get, "/metrics", "metrics",
        [&registry, &collector](http::RequestContext&) -> http::net::awaitable<http::Response> {
            std::string out;
            const auto& gc = collector.totals();
            counter(out, "wharf_lifecycle_images_expired_total",
                    "Images expired by lifecycle policies", registry.lifecycle.expired_total());
            counter(out, "wharf_lifecycle_images_archived_total",
                    "Images moved to the archive storage class by lifecycle policies",
                    registry.lifecycle.transitioned_total());
            counter(out, "wharf_gc_runs_total", "Garbage collections completed", gc.runs.load());
            counter(out, "wharf_gc_blobs_deleted_total", "Blobs deleted by garbage collection",
                    gc.blobs_deleted.load());
            counter(out, "wharf_gc_bytes_freed_total", "Bytes freed by garbage collection",
                    gc.bytes_freed.load());
            counter(out, "wharf_gc_links_dropped_total",
                    "Repository links to blobs no manifest referenced, dropped after the grace",
                    gc.links_dropped.load());
            counter(out, "wharf_gc_uploads_removed_total", "Abandoned upload sessions removed",
                    gc.uploads_removed.load());
            counter(out, "wharf_gc_pending_reviews", "Blobs queued for review after the last run",
                    gc.pending.load(), "gauge");
            auto res = http::make_text(http::status::ok, std::move(out),
                                       "text/plain; version=0.0.4; charset=utf-8");
            co_return res;
        }});
}

}  // namespace wharf::server
