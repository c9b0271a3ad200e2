#pragma once

#include <span>
#include <string_view>

#include "http/router.hpp"
#include "oci/handlers.hpp"

namespace wharf::oci {

// One row per endpoint of the distribution spec: the IAM action AWS would check for it is
// recorded here so authorization (issue #3) and the generated docs read one table.
struct OciRoute {
    std::string_view name;
    http::Method method;
    std::string_view pattern;
    std::string_view iam_action;
    HandlerFn handler;
};

std::span<const OciRoute> routes();

// Adds every route to the router, wrapping each handler so that every response carries
// Docker-Distribution-API-Version; sets OCI-style 404/405 answers.
void add_routes(http::Router& router, OciServices& services);

}  // namespace wharf::oci
