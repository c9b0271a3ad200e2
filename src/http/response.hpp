#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "http/types.hpp"

namespace wharf::http {

// A local file region the connection may send with sendfile(2).
struct FileRegion {
    int fd = -1;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// A streamed response body. read() blocks (it is called on the connection's
// thread in bounded pieces; sources are local files or memory).
class BodySource {
public:
    virtual ~BodySource() = default;
    // Bytes the body will have; ignored when length_known() is false (the body is then sent
    // with Transfer-Encoding: chunked and ends when read() returns 0).
    virtual std::uint64_t length() const noexcept = 0;
    virtual bool length_known() const noexcept { return true; }
    virtual Result<std::size_t> read(std::span<std::byte> out) = 0;  // 0 at the end
    virtual std::optional<FileRegion> file_region() const { return std::nullopt; }
};

struct Response {
    http::status status = http::status::ok;
    std::vector<std::pair<std::string, std::string>> headers;
    // No body, an in-memory body, or a streamed one.
    std::variant<std::monostate, std::string, std::unique_ptr<BodySource>> body;
    // For HEAD: the Content-Length to announce while sending no body.
    std::optional<std::uint64_t> announced_length;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::uint64_t body_length() const noexcept;
    // False for a streamed body of unknown length (sent chunked).
    bool length_known() const noexcept;
};

Response make_response(http::status status);
Response make_text(http::status status, std::string text, std::string content_type = "text/plain");
Response make_json(http::status status, const nlohmann::json& body,
                   std::string content_type = "application/json");

}  // namespace wharf::http
