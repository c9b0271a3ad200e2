#pragma once

#include <memory>

#include "http/response.hpp"
#include "registry/blobs.hpp"

namespace wharf::oci {

// Serves a BlobReader as a response body, exposing its file region for sendfile.
std::unique_ptr<http::BodySource> make_blob_body(std::unique_ptr<registry::BlobReader> reader);

}  // namespace wharf::oci
