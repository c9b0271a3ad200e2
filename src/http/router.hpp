#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_context.hpp"
#include "http/response.hpp"

namespace wharf::http {

using Handler = std::function<net::awaitable<Response>(RequestContext&)>;

// Patterns are '/'-separated segments: literals, "{param}" (one non-empty segment) and at most one
// "{param*}" (one or more segments, joined by '/'), e.g. "/v2/{name*}/manifests/{reference}".
struct Route {
    Method method;
    std::string pattern;
    std::string name;  // for logs and metrics, e.g. "manifest.get"
    Handler handler;
};

class Router {
public:
    void add(Route route);
    void set_not_found(Handler handler) { not_found_ = std::move(handler); }
    void set_method_not_allowed(Handler handler) { method_not_allowed_ = std::move(handler); }

    // The handler for the request, with path parameters and route name bound into ctx.
    const Handler& match(RequestContext& ctx) const;

private:
    struct Compiled {
        Route route;
        std::vector<std::string> segments;
        int greedy = -1;  // index of the {param*} segment
    };
    static bool bind(const Compiled& c, const std::vector<std::string_view>& path,
                     std::vector<std::pair<std::string, std::string>>& params);

    std::vector<Compiled> routes_;
    Handler not_found_;
    Handler method_not_allowed_;
};

}  // namespace wharf::http
