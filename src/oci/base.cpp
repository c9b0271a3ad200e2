#include "oci/handlers.hpp"

namespace wharf::oci {

// GET /v2/: the version check every client makes first. Authentication will answer 401 with a
// challenge here (issue #3); today every caller is admitted.
net::awaitable<Response> get_base(RequestContext&, OciServices&) {
    co_return http::make_json(http::status::ok, nlohmann::json::object());
}

}  // namespace wharf::oci
