#pragma once

// An image's inventory from its layer blobs: each layer is taken from the cache, or streamed
// once from the blob store and analysed, then all are folded.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "model/digest.hpp"
#include "scan/inventory.hpp"
#include "storage/blob/blob_store.hpp"

namespace wharf::scan {

// Where analysed layers are kept between scans (the registry keeps them in the metadata store).
class LayerCache {
public:
    virtual ~LayerCache() = default;
    virtual Result<std::optional<LayerRecord>> get(const model::Digest& layer) = 0;
    virtual Result<void> put(const model::Digest& layer, const LayerRecord& record) = 0;
};

struct LayerRef {
    model::Digest digest;
    std::string media_type;
};

// Whether a layer media type is a filesystem changeset the scanner reads: OCI and Docker tar
// layers, plain, gzip or zstd (OCI's non-distributable variants too).
bool is_filesystem_layer(std::string_view media_type);

struct InventoryStats {
    std::size_t layers_read = 0;    // streamed from the blob store
    std::size_t layers_cached = 0;  // taken from the cache
    std::uint64_t bytes_read = 0;   // compressed bytes streamed
};

// Errc::unsupported when no layer is a filesystem layer (an artifact, not an image). A layer
// that cannot be read (not a tar, truncated, over a limit) fails the whole inventory with
// Errc::bad_request naming the layer: a partial inventory would under-report findings.
Result<Inventory> build_inventory(const std::vector<LayerRef>& layers, storage::BlobStore& blobs,
                                  LayerCache& cache, const layer::Limits& limits,
                                  InventoryStats* stats = nullptr);

}  // namespace wharf::scan
