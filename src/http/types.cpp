#include "http/types.hpp"

namespace wharf::http {

Method parse_method(std::string_view text) noexcept {
    if (text == "GET") return Method::get;
    if (text == "HEAD") return Method::head;
    if (text == "PUT") return Method::put;
    if (text == "POST") return Method::post;
    if (text == "PATCH") return Method::patch;
    if (text == "DELETE") return Method::del;
    if (text == "OPTIONS") return Method::options;
    return Method::other;
}

std::string_view to_string(Method method) noexcept {
    switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::put: return "PUT";
    case Method::post: return "POST";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: return "OTHER";
    }
    return "OTHER";
}

}  // namespace wharf::http
