#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "http/response.hpp"

namespace wharf::ecr {

struct EcrError {
    http::status status;
    std::string_view type;  // the exception name, e.g. "RepositoryNotFoundException"
};

// Errc -> ECR exception. Some codes name different exceptions per operation or resource kind
// (Error::detail "kind"): already_exists is RepositoryAlreadyExistsException for
// CreateRepository, ImageAlreadyExistsException for PutImage, and so on.
EcrError to_ecr(const Error& error, std::string_view operation) noexcept;

// {"__type": ..., "message": ...} with the mapped status.
http::Response error_response(const Error& error, std::string_view operation);
// For errors raised before an operation is known (protocol and authentication failures).
http::Response exception_response(http::status status, std::string_view type,
                                  std::string_view message);

}  // namespace wharf::ecr
