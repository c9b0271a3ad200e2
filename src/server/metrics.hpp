#pragma once

#include "gc/collector.hpp"
#include "http/router.hpp"
#include "registry/registry.hpp"

namespace wharf::server {

// GET /metrics: Prometheus text format counters of background work (lifecycle actions, garbage
// collection). Unauthenticated like /healthz: counts only, no names or digests.
void add_metrics_route(http::Router& router, const registry::Registry& registry,
                       const gc::Collector& collector);

}  // namespace wharf::server
