#pragma once

#include <string_view>

#include "common/result.hpp"
#include "http/response.hpp"

namespace wharf::oci {

struct OciError {
    http::status status;
    std::string_view code;  // the distribution spec's error code
};

// Total over Errc: the switch has no default, so a new code does not compile until mapped.
OciError to_oci(Errc code) noexcept;

// {"errors":[{"code","message","detail"}]} with the mapped status. HEAD responses carry no body
// but keep the status, as the spec requires.
http::Response error_response(const Error& error);

}  // namespace wharf::oci
