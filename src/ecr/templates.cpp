#include <array>

#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

namespace wharf::ecr {
namespace {

constexpr std::array<std::string_view, 10> kTemplateMembers{
    "prefix",           "description",        "encryptionConfiguration",
    "resourceTags",     "imageTagMutability", "imageTagMutabilityExclusionFilters",
    "repositoryPolicy", "lifecyclePolicy",    "appliedFor",
    "customRoleArn"};

json with_registry(const EcrCall& call, json body) {
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryCreationTemplate", std::move(body)}};
}

Result<std::string> prefix_of(const json& in) {
    return required_string(in, "prefix");
}

}  // namespace

Result<json> create_repository_creation_template(EcrCall& call) {
    if (auto known = only_members(call.input, kTemplateMembers); !known) {
        return known.error();
    }
    if (auto p = prefix_of(call.input); !p) {
        return p.error();
    }
    auto made = call.svc.registry.templates.create(call.input);
    if (!made) {
        return made.error();
    }
    return with_registry(call, std::move(*made));
}

Result<json> update_repository_creation_template(EcrCall& call) {
    if (auto known = only_members(call.input, kTemplateMembers); !known) {
        return known.error();
    }
    if (auto p = prefix_of(call.input); !p) {
        return p.error();
    }
    auto updated = call.svc.registry.templates.update(call.input);
    if (!updated) {
        return updated.error();
    }
    return with_registry(call, std::move(*updated));
}

Result<json> delete_repository_creation_template(EcrCall& call) {
    if (auto known = only_members(call.input, {"prefix"}); !known) {
        return known.error();
    }
    auto prefix = prefix_of(call.input);
    if (!prefix) {
        return prefix.error();
    }
    auto removed = call.svc.registry.templates.remove(*prefix);
    if (!removed) {
        return removed.error();
    }
    return with_registry(call, std::move(*removed));
}

Result<json> describe_repository_creation_templates(EcrCall& call) {
    if (auto known = only_members(call.input, {"prefixes", "nextToken", "maxResults"}); !known) {
        return known.error();
    }
    auto prefixes = string_list(call.input, "prefixes", 0, 100);
    if (!prefixes) {
        return prefixes.error();
    }
    auto found = call.svc.registry.templates.describe(*prefixes);
    if (!found) {
        return found.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryCreationTemplates", *found}};
}

}  // namespace wharf::ecr
