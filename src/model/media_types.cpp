#include "model/media_types.hpp"

namespace wharf::model::media_type {

bool is_non_distributable_layer(std::string_view media_type) noexcept {
    // Deprecated in image-spec 1.1 but still pushed (Windows base layers); never required here.
    return media_type == "application/vnd.oci.image.layer.nondistributable.v1.tar" ||
           media_type == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
           media_type == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd" ||
           media_type == kDockerForeignLayer;
}

}  // namespace wharf::model::media_type
