#pragma once

#include <memory>

#include "http/response.hpp"
#include "storage/blob/blob_store.hpp"

namespace wharf::oci {

// Serves a BlobReader as a response body, exposing its file region for sendfile.
std::unique_ptr<http::BodySource> make_blob_body(std::unique_ptr<storage::BlobReader> reader);

}  // namespace wharf::oci
