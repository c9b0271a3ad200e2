#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// Repository creation templates (ECR's CreateRepositoryCreationTemplate and friends). A template
// is kept as ECR's RepositoryCreationTemplate JSON object, validated on write.
class TemplateService {
public:
    explicit TemplateService(ServiceContext& ctx) : ctx_(ctx) {}

    // `fields`: the request's template members (prefix, description, encryptionConfiguration,
    // resourceTags, imageTagMutability, imageTagMutabilityExclusionFilters, repositoryPolicy,
    // lifecyclePolicy, appliedFor, customRoleArn). Errc::already_exists, Errc::bad_request.
    Result<nlohmann::json> create(const nlohmann::json& fields);
    // Merges the given members into the stored template. Errc::not_found (kind "template").
    Result<nlohmann::json> update(const nlohmann::json& fields);
    Result<nlohmann::json> remove(const std::string& prefix);
    // All templates, or those named, in prefix order. Errc::not_found for a missing name.
    Result<std::vector<nlohmann::json>> describe(const std::vector<std::string>& prefixes);

private:
    ServiceContext& ctx_;
};

// The template that applies to a new repository `name` for `applied_for` (e.g. CREATE_ON_PUSH):
// the longest matching prefix ("team" matches "team/..."), else ROOT; nullopt when none.
Result<std::optional<nlohmann::json>> template_for(storage::MetadataTx& tx,
                                                   const model::RepoName& name,
                                                   std::string_view applied_for);
// The settings, tags and policy a template gives a repository.
void apply_template(const nlohmann::json& tmpl, storage::RepositorySettings& settings,
                    storage::ResourceTags& tags, std::optional<std::string>& policy);

}  // namespace wharf::registry
