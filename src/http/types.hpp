#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include <string_view>

namespace wharf::http {

using status = boost::beast::http::status;
using field = boost::beast::http::field;

enum class Method { get, head, put, post, patch, del, options, other };

Method parse_method(std::string_view text) noexcept;
std::string_view to_string(Method method) noexcept;

}  // namespace wharf::http
