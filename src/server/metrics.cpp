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
            const auto& scans = registry.scans.counters();
            counter(out, "wharf_scans_completed_total", "Image scans that completed",
                    scans.completed.load());
            counter(out, "wharf_scans_failed_total", "Image scans that failed",
                    scans.failed.load());
            counter(out, "wharf_scans_unsupported_total",
                    "Image scans that found nothing scannable", scans.unsupported.load());
            counter(out, "wharf_scan_layers_read_total", "Layers streamed and analysed by scans",
                    scans.layers_read.load());
            counter(out, "wharf_scan_layers_cached_total",
                    "Layers whose cached analysis a scan reused", scans.layers_cached.load());
            counter(out, "wharf_scan_rematched_total",
                    "Stored inventories re-matched after the vulnerability database changed",
                    scans.rematched.load());
            counter(out, "wharf_scan_new_findings_total",
                    "Findings that appeared when inventories were re-matched",
                    scans.new_findings.load());
            counter(out, "wharf_scan_gate_denied_total",
                    "Pulls the vulnerability gate denied", scans.gate_denied.load());
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
            counter(out, "wharf_gc_referrers_removed_total",
                    "Referrers whose subject was deleted, removed after the grace",
                    gc.referrers_removed.load());
            counter(out, "wharf_gc_scans_removed_total",
                    "Vulnerability scans of images no repository holds, removed",
                    gc.scans_removed.load());
            counter(out, "wharf_gc_pending_reviews", "Blobs queued for review after the last run",
                    gc.pending.load(), "gauge");
            auto res = http::make_text(http::status::ok, std::move(out),
                                       "text/plain; version=0.0.4; charset=utf-8");
            co_return res;
        }});
}

}  // namespace wharf::server
