#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

namespace wharf::ecr {

Result<json> get_authorization_token(EcrCall& call) {
    if (auto known = only_members(call.input, {"registryIds"}); !known) {
        return known.error();
    }
    // registryIds is deprecated and ignored for scope: the token carries the caller's rights.
    if (auto ids = string_list(call.input, "registryIds", 0, 10); !ids) {
        return ids.error();
    }
    const auto token = call.svc.authenticator.issue_token(call.authenticated);
    const auto& opts = call.svc.registry.ctx.options;
    const auto endpoint =
        opts.public_host.empty() ? call.base_url : fmt::format("https://{}", opts.public_host);
    return json{
        {"authorizationData", json::array({{{"authorizationToken", token.authorization_token},
                                            {"expiresAt", to_unix_seconds(token.expires_at)},
                                            {"proxyEndpoint", endpoint}}})}};
}

Result<json> describe_registry(EcrCall& call) {
    if (auto known = only_members(call.input, {}); !known) {
        return known.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"replicationConfiguration", {{"rules", json::array()}}}};
}

namespace {

json registry_policy_shape(const EcrCall& call, const std::string& text) {
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"policyText", text}};
}

}  // namespace

Result<json> put_registry_policy(EcrCall& call) {
    if (auto known = only_members(call.input, {"policyText"}); !known) {
        return known.error();
    }
    auto text = required_string(call.input, "policyText");
    if (!text) {
        return text.error();
    }
    auto set = call.svc.registry.admin.set_registry_policy(*text);
    if (!set) {
        return set.error();
    }
    return registry_policy_shape(call, *set);
}

Result<json> get_registry_policy(EcrCall& call) {
    auto text = call.svc.registry.admin.get_registry_policy();
    if (!text) {
        return text.error();
    }
    return registry_policy_shape(call, *text);
}

Result<json> delete_registry_policy(EcrCall& call) {
    auto text = call.svc.registry.admin.delete_registry_policy();
    if (!text) {
        return text.error();
    }
    return registry_policy_shape(call, *text);
}

}  // namespace wharf::ecr
