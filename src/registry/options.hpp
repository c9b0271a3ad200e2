#pragma once

#include <cstddef>
#include <cstdint>

namespace wharf::registry {

struct RegistryOptions {
    // A push to a repository that does not exist creates it (the embedded quick-start default).
    bool create_on_push = true;
    // Advertised as OCI-Chunk-Min-Length. Wharf accepts chunks of any size, so it is 1 unless an
    // operator wants clients to send larger chunks.
    std::uint64_t chunk_min_length = 1;
    // Page size bounds for tags/list and _catalog (a larger n is answered with this many and a
    // Link to the next page, as the spec allows).
    std::size_t max_tags_page = 10000;
    std::size_t max_catalog_page = 1000;
};

}  // namespace wharf::registry
