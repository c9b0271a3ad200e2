#pragma once

#include <optional>

#include "oci/routes.hpp"

namespace wharf::oci {

// Authenticates the request (Basic: an ECR authorization token as user AWS, or an access key
// id and secret) and authorizes the route's IAM action on the repository it names. nullopt:
// go on (the caller is attached to ctx); otherwise the answer to send: 401 with ECR's Basic
// challenge, 403 DENIED naming principal and action, or 403 for an expired token.
net::awaitable<std::optional<Response>> admit(RequestContext& ctx, OciServices& svc,
                                              const OciRoute& route);

}  // namespace wharf::oci
