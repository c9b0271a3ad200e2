#include <fmt/format.h>

#include "common/hash.hpp"
#include "ecr/error_map.hpp"
#include "ecr/operations.hpp"

// POST / : the ECR JSON 1.1 protocol. Authenticates (SigV4), finds the operation, authorizes
// its IAM action against the repository or registry it names, runs it on the blocking pool.
namespace wharf::ecr {
namespace {

namespace net = boost::asio;
using http::Response;

constexpr std::string_view kTargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
// UploadLayerPart carries up to 20 MiB of layer as base64 inside JSON.
constexpr std::size_t kMaxBody = 32 * 1024 * 1024;

Response ok_response(const json& body) {
    return http::make_text(http::status::ok, body.dump(), "application/x-amz-json-1.1");
}

registry::Caller caller_for(const http::RequestContext& ctx, const auth::Authenticated& who) {
    registry::Caller c;
    c.identity = who.identity;
    c.access_key_id = who.access_key_id;
    c.source_ip = std::string(ctx.remote_ip());
    c.user_agent = std::string(ctx.header(http::field::user_agent));
    c.request_id = ctx.request_id();
    c.secure_transport = ctx.secure();
    return c;
}

// The repository an operation names, for authorization.
Result<registry::AccessTarget> target_of(const Operation& op, const json& input,
                                         const registry::Registry& reg) {
    registry::AccessTarget target;
    target.identity_only = op.target == Target::identity_only;
    if (op.target == Target::repository) {
        auto name = repository_name(input);
        if (!name) {
            return name.error();
        }
        target.repository = std::move(*name);
    } else if (op.target == Target::resource_arn) {
        auto arn = required_string(input, "resourceArn");
        if (!arn) {
            return arn.error();
        }
        const auto prefix =
            fmt::format("arn:aws:ecr:{}:{}:repository/", reg.ctx.options.account.region,
                        reg.ctx.options.account.account_id);
        auto name = arn->rfind(prefix, 0) == 0 ? model::RepoName::parse(arn->substr(prefix.size()))
                                               : Result<model::RepoName>(Error{});
        if (!name) {
            return Error{Errc::bad_request,
                         fmt::format("Invalid parameter at 'resourceArn': '{}' is not the ARN of "
                                     "a repository in this registry ({}<name>)",
                                     *arn, prefix)};
        }
        target.repository = std::move(*name);
    }
    return target;
}

// What the audit record of a call says, filled in as the call proceeds.
struct CallTrace {
    registry::Caller caller;
    std::string action;  // "ecr:<Action>"
    std::string resource = "*";
};

std::string error_type(const Response& res) {
    for (const auto& [name, value] : res.headers) {
        if (name == "x-amzn-ErrorType") {
            return value;
        }
    }
    return {};
}

net::awaitable<Response> dispatch(http::RequestContext& ctx, EcrServices& svc, CallTrace& trace) {
    const auto target_header = ctx.header("X-Amz-Target");
    if (target_header.rfind(kTargetPrefix, 0) != 0) {
        co_return exception_response(http::status::bad_request, "UnknownOperationException",
                                     target_header.empty()
                                         ? "Missing X-Amz-Target header: send "
                                           "AmazonEC2ContainerRegistry_V20150921.<Action>"
                                         : "Unknown service in X-Amz-Target");
    }
    const auto action = target_header.substr(kTargetPrefix.size());
    trace.action = fmt::format("ecr:{}", action);
    auto body = co_await ctx.read_body_all(kMaxBody);
    if (!body) {
        co_return exception_response(http::status::bad_request, "SerializationException",
                                     body.error().message);
    }
    // Authentication first: an unsigned request learns nothing, not even which actions exist.
    const auto fields = ctx.header_fields();
    std::vector<auth::sigv4::Header> headers;
    headers.reserve(fields.size());
    for (const auto& [name, value] : fields) {
        headers.push_back({std::string(name), std::string(value)});
    }
    const auto payload_hash = hex_digest(HashAlgorithm::sha256, *body);
    const auth::sigv4::RequestView request{
        .method = http::to_string(ctx.method()),
        .path = ctx.path(),
        .query = ctx.query_string(),
        .headers = headers,
        .payload_sha256 = payload_hash,
    };
    auto who = co_await ctx.offload([&] { return svc.authenticator.sigv4(request, "ecr"); });
    if (!who) {
        // The audit record names the key that tried, when the signature says one.
        if (auto claimed = auth::sigv4::parse(request)) {
            trace.caller.access_key_id = claimed->access_key_id.substr(0, 128);
        }
        co_return error_response(who.error(), action);
    }
    ctx.set_log_principal(who->identity->arn);
    trace.caller = caller_for(ctx, *who);
    const Operation* op = find_operation(action);
    if (!op) {
        co_return exception_response(
            http::status::bad_request, "UnknownOperationException",
            fmt::format("The action {} is not valid for this web service", action));
    }
    json input = body->empty() ? json::object() : json::parse(*body, nullptr, false);
    if (!input.is_object()) {
        co_return exception_response(http::status::bad_request, "SerializationException",
                                     "the request body is not a JSON object");
    }
    if (auto id = check_registry_id(input, svc.registry); !id) {
        co_return error_response(id.error(), action);
    }
    auto target = target_of(*op, input, svc.registry);
    if (!target) {
        co_return error_response(target.error(), action);
    }
    if (target->repository) {
        trace.resource = svc.registry.access.repository_arn(*target->repository);
    }
    EcrCall call{svc, trace.caller, *who, input, ctx.base_url()};
    auto result = co_await ctx.offload([&]() -> Result<json> {
        if (auto allowed = svc.registry.access.authorize(call.caller, op->iam_action, *target);
            !allowed) {
            return allowed.error();
        }
        return op->handler(call);
    });
    if (!result) {
        co_return error_response(result.error(), action);
    }
    co_return ok_response(*result);
}

}  // namespace

void add_routes(http::Router& router, EcrServices& services) {
    router.add(http::Route{
        http::Method::post, "/", "ecr.api",
        [&services](http::RequestContext& ctx) -> net::awaitable<Response> {
            CallTrace trace;
            trace.caller.source_ip = std::string(ctx.remote_ip());
            trace.caller.user_agent = std::string(ctx.header(http::field::user_agent));
            trace.caller.request_id = ctx.request_id();
            auto res = co_await dispatch(ctx, services, trace);
            services.registry.audit.record(trace.caller, trace.action, trace.resource,
                                           static_cast<int>(res.status), error_type(res));
            co_return res;
        }});
}

}  // namespace wharf::ecr
