#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <any>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "http/types.hpp"

namespace wharf::http {

namespace net = boost::asio;

// The request as a handler sees it: header fields, path and query parameters, a streamed body,
// and a way to run blocking work off the connection's thread. Owned by the connection; valid for
// the duration of the handler call.
class RequestContext {
public:
    virtual ~RequestContext() = default;

    virtual Method method() const noexcept = 0;
    virtual std::string_view path() const noexcept = 0;              // without the query
    virtual std::string_view header(field name) const noexcept = 0;  // "" when absent
    virtual std::string_view header(std::string_view name) const noexcept = 0;
    // Every value of a field that may repeat (Accept), joined with ", " as RFC 9110 allows.
    virtual std::string header_list(field name) const = 0;
    // Content-Length when declared; nullopt for chunked or no body.
    virtual std::optional<std::uint64_t> content_length() const noexcept = 0;
    virtual bool chunked() const noexcept = 0;
    virtual const std::string& request_id() const noexcept = 0;
    virtual std::string_view remote_address() const noexcept = 0;  // "ip:port"
    // The peer's address without the port (what aws:SourceIp conditions compare).
    std::string_view remote_ip() const noexcept {
        const auto full = remote_address();
        const auto colon = full.rfind(':');
        return colon == std::string_view::npos ? full : full.substr(0, colon);
    }
    // Base URL the client used ("http://host:port"), for absolute Location headers and links.
    virtual std::string base_url() const = 0;
    // Every header field as received, in order (for signature verification).
    virtual std::vector<std::pair<std::string_view, std::string_view>> header_fields() const {
        return {};
    }
    // Whether the request arrived over TLS.
    virtual bool secure() const noexcept { return false; }
    // The query string as received, without '?', not decoded.
    std::string_view query_string() const noexcept { return raw_query(); }

    // Reads the next part of the body into out; 0 when the body is complete. Answers
    // "Expect: 100-continue" on first use. Errc::bad_request for a malformed body,
    // Errc::unavailable on a timeout or a closed connection.
    virtual net::awaitable<Result<std::size_t>> read_body(std::span<std::byte> out) = 0;
    // Reads the whole body when it is at most max bytes; Errc::too_large otherwise.
    net::awaitable<Result<std::string>> read_body_all(std::size_t max);

    // Runs fn on the blocking pool and resumes here with its result.
    template <typename F>
    net::awaitable<std::invoke_result_t<F&>> offload(F fn) {
        std::optional<std::invoke_result_t<F&>> out;
        co_await run_blocking([&] { out.emplace(fn()); });
        co_return std::move(*out);
    }

    // Query parameter (percent-decoded), nullopt when absent.
    std::optional<std::string> query(std::string_view key) const;
    // Path parameter bound by the router.
    std::string_view path_param(std::string_view name) const noexcept;
    void set_path_params(std::vector<std::pair<std::string, std::string>> params) {
        params_ = std::move(params);
    }
    // Route name, for logs and metrics.
    std::string_view route_name() const noexcept { return route_name_; }
    void set_route_name(std::string_view name) noexcept { route_name_ = name; }

    // Per-request state of the layers above (the authenticated caller), owned by the request.
    template <typename T>
    void attach(T value) {
        attachment_ = std::move(value);
    }
    template <typename T>
    const T* attached() const noexcept {
        return std::any_cast<T>(&attachment_);
    }
    // Who made the request, for the access log ("" until authentication says).
    const std::string& log_principal() const noexcept { return log_principal_; }
    void set_log_principal(std::string principal) { log_principal_ = std::move(principal); }

protected:
    virtual std::string_view raw_query() const noexcept = 0;
    virtual net::awaitable<void> run_blocking(std::function<void()> fn) = 0;

private:
    std::vector<std::pair<std::string, std::string>> params_;
    std::string_view route_name_;
    std::any attachment_;
    std::string log_principal_;
};

}  // namespace wharf::http
