#include "http/response.hpp"

namespace wharf::http {

std::uint64_t Response::body_length() const noexcept {
    if (announced_length) {
        return *announced_length;
    }
    if (const auto* s = std::get_if<std::string>(&body)) {
        return s->size();
    }
    if (const auto* src = std::get_if<std::unique_ptr<BodySource>>(&body)) {
        return *src ? (*src)->length() : 0;
    }
    return 0;
}

bool Response::length_known() const noexcept {
    if (announced_length) {
        return true;
    }
    const auto* src = std::get_if<std::unique_ptr<BodySource>>(&body);
    return src == nullptr || !*src || (*src)->length_known();
}

Response make_response(http::status status) {
    Response r;
    r.status = status;
    return r;
}

Response make_text(http::status status, std::string text, std::string content_type) {
    Response r;
    r.status = status;
    r.header("Content-Type", std::move(content_type));
    r.body = std::move(text);
    return r;
}

Response make_json(http::status status, const nlohmann::json& body, std::string content_type) {
    return make_text(status, body.dump(), std::move(content_type));
}

}  // namespace wharf::http
