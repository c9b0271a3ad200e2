#include "oci/access.hpp"

#include <fmt/format.h>

#include "common/base64.hpp"
#include "oci/error_map.hpp"
#include "oci/request_params.hpp"

namespace wharf::oci {
namespace {

// ECR's challenge: Basic auth, no bearer-token dance.
Response challenge(RequestContext& ctx, const Error& error) {
    auto res = error_response(Error{Errc::unauthorized, error.message});
    res.header("WWW-Authenticate",
               fmt::format("Basic realm=\"{}/\",service=\"ecr\"", ctx.base_url()));
    return res;
}

// The credential of a request: the Authorization header, or the X-Wharf-Token of a download
// URL that GetDownloadUrlForLayer handed out (blob GETs only).
std::string credential(RequestContext& ctx, std::string_view route) {
    std::string header(ctx.header(http::field::authorization));
    if (header.empty() && route == "blob.get") {
        if (auto token = ctx.query("X-Wharf-Token")) {
            if (auto decoded = base64url_decode(*token)) {
                header = "Basic " + *decoded;
            }
        }
    }
    return header;
}

}  // namespace

net::awaitable<std::optional<Response>> admit(RequestContext& ctx, OciServices& svc,
                                              const OciRoute& route) {
    registry::Caller caller;
    caller.source_ip = std::string(ctx.remote_ip());
    caller.user_agent = std::string(ctx.header(http::field::user_agent));
    caller.request_id = ctx.request_id();
    caller.secure_transport = ctx.secure();
    const auto header = credential(ctx, route.name);
    if (!header.empty()) {
        auto who = co_await read_call(ctx, svc, [&] { return svc.authenticator.basic(header); });
        if (!who) {
            ctx.attach(caller);  // anonymous, with the address: for the audit record
            if (who.error().code == Errc::token_expired) {
                co_return error_response(
                    Error{Errc::denied,
                          "Your authorization token has expired. Reauthenticate and try again."});
            }
            co_return challenge(ctx, who.error());
        }
        caller.identity = who->identity;
        caller.access_key_id = who->access_key_id;
        ctx.set_log_principal(who->identity->arn);
    }
    ctx.attach(std::move(caller));
    const auto& attached = caller_of(ctx);
    // The base endpoint and the catalog need a known caller; the catalog then lists only what
    // the caller may describe.
    if (route.iam_action.empty() || route.name == "catalog") {
        if (attached.anonymous()) {
            co_return challenge(ctx, Error{Errc::unauthorized, "authentication required"});
        }
        co_return std::nullopt;
    }
    auto repo = repo_param(ctx);
    if (!repo) {
        co_return error_response(repo.error());
    }
    auto allowed = co_await read_call(ctx, svc, [&] {
        return svc.registry.access.authorize(attached, route.iam_action,
                                             registry::AccessTarget{*repo});
    });
    if (!allowed) {
        if (allowed.error().code == Errc::unauthorized) {
            co_return challenge(ctx, allowed.error());
        }
        co_return error_response(allowed.error());
    }
    co_return std::nullopt;
}

}  // namespace wharf::oci
