#include "http/request_context.hpp"

#include "common/percent.hpp"

#include <array>

namespace wharf::http {

net::awaitable<Result<std::string>> RequestContext::read_body_all(std::size_t max) {
    if (auto declared = content_length(); declared && *declared > max) {
        co_return Error{Errc::too_large,
                        "request body of " + std::to_string(*declared) +
                            " bytes is over the limit of " + std::to_string(max) + " bytes"};
    }
    std::string body;
    if (auto declared = content_length()) {
        body.reserve(*declared);
    }
    std::array<std::byte, 64 * 1024> chunk{};
    for (;;) {
        auto n = co_await read_body(chunk);
        if (!n) {
            co_return n.error();
        }
        if (*n == 0) {
            break;
        }
        if (body.size() + *n > max) {
            co_return Error{Errc::too_large,
                            "request body is over the limit of " + std::to_string(max) + " bytes"};
        }
        body.append(reinterpret_cast<const char*>(chunk.data()), *n);
    }
    co_return body;
}

std::optional<std::string> RequestContext::query(std::string_view key) const {
    std::string_view rest = raw_query();
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        auto eq = pair.find('=');
        std::string_view k = pair.substr(0, eq);
        std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        auto decoded_key = percent_decode(k);
        if (decoded_key && *decoded_key == key) {
            auto decoded = percent_decode(v);
            return decoded ? std::move(*decoded) : std::string(v);
        }
    }
    return std::nullopt;
}

std::string_view RequestContext::path_param(std::string_view name) const noexcept {
    for (const auto& [k, v] : params_) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

}  // namespace wharf::http
