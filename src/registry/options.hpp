#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/identity.hpp"

namespace wharf::registry {

struct RegistryOptions {
    // The account (registry id) and region that ARNs and URIs name.
    auth::AccountInfo account;
    // Host (and port) clients use for the data plane, for repositoryUri; "" = the account's
    // ECR-style host name.
    std::string public_host;
    // A push to a repository that does not exist creates it with default settings even when
    // no creation template applies (ECR refuses; the embedded quick-start allows).
    bool create_on_push = false;
    // Advertised as OCI-Chunk-Min-Length. Wharf accepts chunks of any size, so it is 1 unless an
    // operator wants clients to send larger chunks.
    std::uint64_t chunk_min_length = 1;
    // Page size bounds for tags/list and _catalog (a larger n is answered with this many and a
    // Link to the next page, as the spec allows).
    std::size_t max_tags_page = 10000;
    std::size_t max_catalog_page = 1000;
};

}  // namespace wharf::registry
