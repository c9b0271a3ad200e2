#include "registry/context.hpp"

#include <fmt/format.h>

#include "registry/templates.hpp"

namespace wharf::registry {

Result<storage::RepositoryRecord> require_repository(storage::MetadataTx& tx,
                                                     const ServiceContext& ctx,
                                                     const model::RepoName& name) {
    auto found = tx.repositories().find(name);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return repository_not_found(name, ctx.options.account.account_id);
    }
    return std::move(**found);
}

Result<storage::RepositoryRecord> repository_for_push(storage::MetadataTx& tx,
                                                      const ServiceContext& ctx,
                                                      const model::RepoName& name) {
    auto found = tx.repositories().find(name);
    if (!found) {
        return found.error();
    }
    if (*found) {
        return std::move(**found);
    }
    auto tmpl = template_for(tx, name, "CREATE_ON_PUSH");
    if (!tmpl) {
        return tmpl.error();
    }
    if (!*tmpl && !ctx.options.create_on_push) {
        return repository_not_found(name, ctx.options.account.account_id);
    }
    storage::RepositorySettings settings;
    storage::ResourceTags tags;
    std::optional<std::string> policy;
    if (*tmpl) {
        apply_template(**tmpl, settings, tags, policy);
    }
    auto created = tx.repositories().create(name, settings, ctx.clock.now());
    if (!created || (tags.empty() && !policy)) {
        return created;
    }
    created->tags = std::move(tags);
    created->policy_text = std::move(policy);
    if (auto updated = tx.repositories().update(*created); !updated) {
        return updated.error();
    }
    return created;
}

Error repository_not_found(const model::RepoName& name, std::string_view registry_id) {
    return Error{Errc::name_unknown,
                 fmt::format("The repository with name '{}' does not exist in the registry with "
                             "id '{}'",
                             name.str(), registry_id),
                 {{"name", name.str()}}};
}

}  // namespace wharf::registry
