#pragma once

#include <string_view>

namespace wharf {

// Protocol-neutral failure codes. oci/error_map.cpp and (later) ecr/error_map.cpp turn each into
// its wire form with a switch that has no default, so adding a code here does not compile until
// every protocol maps it.
enum class Errc {
    // Content and references
    blob_unknown,           // the blob is not stored, or not linked to the repository
    blob_upload_invalid,    // the upload cannot accept this request (e.g. size mismatch)
    blob_upload_unknown,    // no open upload session with that id in that repository
    digest_invalid,         // malformed digest, or content that does not hash to it
    manifest_blob_unknown,  // a manifest names a blob the repository does not have
    manifest_invalid,       // malformed or inconsistent manifest
    manifest_unknown,       // no manifest under that tag or digest
    name_invalid,           // repository name outside the grammar
    name_unknown,           // repository does not exist
    tag_invalid,            // tag outside the grammar
    size_invalid,           // Content-Length or declared size does not match
    range_invalid,          // Content-Range / Range not satisfiable or out of order
    too_large,              // body over a configured bound (manifest 4 MiB, headers, ...)
    in_use,                 // still referenced (a blob by a manifest, a manifest by an index)
    upload_busy,            // another request is writing to the same upload session
    // Resources of the control plane (detail "kind" names which: repository, image, policy, ...)
    already_exists,  // creating something that exists (repository, image, template, key, ...)
    not_found,       // a named resource other than a repository/manifest/blob does not exist
    not_empty,       // deleting a repository that still holds images (without force)
    tag_immutable,   // moving (or re-pushing) a tag that the repository's settings freeze
    limit_exceeded,  // a count limit (tags per resource, scans per day, ...) would be exceeded
    // Access
    unauthorized,          // no credentials at all
    credentials_unknown,   // an access key id or token that Wharf does not know (or disabled)
    signature_invalid,     // SigV4 signature does not match, or the request is outside the skew
    signature_incomplete,  // SigV4 Authorization header or query is malformed or incomplete
    token_expired,         // an authorization token past its expiry
    denied,                // authenticated, but not allowed
    // Requests
    unsupported,        // the operation or media type is not supported (e.g. schema 1)
    bad_request,        // malformed request outside the above (bad query parameter, ...)
    too_many_requests,  // a rate or connection limit was hit
    // Server side
    unavailable,  // shutting down, or a dependency is temporarily unreachable
    internal,     // a bug or an I/O failure the client cannot fix
};

std::string_view to_string(Errc code) noexcept;

}  // namespace wharf
