#include "http/router.hpp"

#include <stdexcept>

namespace wharf::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    if (!path.empty() && path.front() == '/') {
        start = 1;
    }
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(path.substr(start));
            break;
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }
bool is_greedy(std::string_view seg) { return is_param(seg) && seg[seg.size() - 2] == '*'; }
std::string param_name(std::string_view seg) {
    auto inner = seg.substr(1, seg.size() - 2);
    if (!inner.empty() && inner.back() == '*') {
        inner.remove_suffix(1);
    }
    return std::string(inner);
}

bool match_one(std::string_view pattern_seg, std::string_view seg,
               std::vector<std::pair<std::string, std::string>>& params) {
    if (is_param(pattern_seg)) {
        if (seg.empty()) {
            return false;
        }
        params.emplace_back(param_name(pattern_seg), std::string(seg));
        return true;
    }
    return pattern_seg == seg;
}

}  // namespace

void Router::add(Route route) {
    Compiled c;
    for (auto seg : split_path(route.pattern)) {
        c.segments.emplace_back(seg);
    }
    for (std::size_t i = 0; i < c.segments.size(); ++i) {
        if (is_greedy(c.segments[i])) {
            if (c.greedy >= 0) {
                throw std::invalid_argument("route has two greedy parameters: " + route.pattern);
            }
            c.greedy = static_cast<int>(i);
        }
    }
    c.route = std::move(route);
    routes_.push_back(std::move(c));
}

bool Router::bind(const Compiled& c, const std::vector<std::string_view>& path,
                  std::vector<std::pair<std::string, std::string>>& params) {
    params.clear();
    const auto& pat = c.segments;
    if (c.greedy < 0) {
        if (pat.size() != path.size()) {
            return false;
        }
        for (std::size_t i = 0; i < pat.size(); ++i) {
            if (!match_one(pat[i], path[i], params)) {
                return false;
            }
        }
        return true;
    }
    const auto g = static_cast<std::size_t>(c.greedy);
    const std::size_t suffix = pat.size() - g - 1;
    if (path.size() < pat.size()) {
        return false;
    }
    for (std::size_t i = 0; i < g; ++i) {
        if (!match_one(pat[i], path[i], params)) {
            return false;
        }
    }
    for (std::size_t i = 0; i < suffix; ++i) {
        if (!match_one(pat[pat.size() - 1 - i], path[path.size() - 1 - i], params)) {
            return false;
        }
    }
    // Empty segments ("a//b") stay in the value: the handler's grammar check then tells the
    // client the name is invalid, which is more useful than "no such endpoint".
    std::string joined;
    for (std::size_t i = g; i < path.size() - suffix; ++i) {
        if (i > g) {
            joined.push_back('/');
        }
        joined.append(path[i]);
    }
    params.emplace_back(param_name(pat[g]), std::move(joined));
    return true;
}

const Handler& Router::match(RequestContext& ctx) const {
    const auto path = split_path(ctx.path());
    std::vector<std::pair<std::string, std::string>> params;
    bool path_matched = false;
    for (const auto& c : routes_) {
        if (!bind(c, path, params)) {
            continue;
        }
        path_matched = true;
        if (c.route.method == ctx.method()) {
            ctx.set_path_params(std::move(params));
            ctx.set_route_name(c.route.name);
            return c.route.handler;
        }
    }
    ctx.set_route_name(path_matched ? "method_not_allowed" : "not_found");
    return path_matched ? method_not_allowed_ : not_found_;
}

}  // namespace wharf::http
