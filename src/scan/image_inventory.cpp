#include "scan/image_inventory.hpp"

#include <fmt/format.h>

namespace wharf::scan {

bool is_filesystem_layer(std::string_view media_type) {
    static constexpr std::string_view kTypes[] = {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar",
    };
    for (std::string_view t : kTypes) {
        if (media_type == t) {
            return true;
        }
    }
    return false;
}

Result<Inventory> build_inventory(const std::vector<LayerRef>& layers, storage::BlobStore& blobs,
                                  LayerCache& cache, const layer::Limits& limits,
                                  InventoryStats* stats) {
    InventoryStats local;
    InventoryStats& counted = stats ? *stats : local;
    std::vector<LayerRecord> records;
    std::vector<std::string> digests;
    for (const LayerRef& ref : layers) {
        if (!is_filesystem_layer(ref.media_type)) {
            continue;
        }
        auto cached = cache.get(ref.digest);
        if (!cached) {
            return cached.error();
        }
        if (*cached) {
            ++counted.layers_cached;
            records.push_back(std::move(**cached));
            digests.push_back(ref.digest.str());
            continue;
        }
        auto reader = blobs.open(ref.digest);
        if (!reader) {
            return Error{reader.error().code,
                         fmt::format("layer {}: {}", ref.digest.str(), reader.error().message)};
        }
        storage::BlobReader& source = **reader;
        layer::ReadFn read = [&source](std::span<std::byte> out) { return source.read(out); };
        auto contents = layer::read_layer(read, limits);
        if (!contents) {
            return Error{contents.error().code,
                         fmt::format("layer {}: {}", ref.digest.str(), contents.error().message)};
        }
        ++counted.layers_read;
        counted.bytes_read += contents->bytes_read;
        LayerRecord record = analyze(*contents);
        if (auto kept = cache.put(ref.digest, record); !kept) {
            return kept.error();
        }
        records.push_back(std::move(record));
        digests.push_back(ref.digest.str());
    }
    if (records.empty()) {
        return Error{Errc::unsupported, "the image has no filesystem layers to scan"};
    }
    return squash(records, digests);
}

}  // namespace wharf::scan
