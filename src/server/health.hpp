#pragma once

#include "http/router.hpp"
#include "storage/meta/metadata_store.hpp"

namespace wharf::server {

// /healthz: the process answers. /readyz: the metadata store answers a read.
void add_health_routes(http::Router& router, storage::MetadataStore& meta);

}  // namespace wharf::server
