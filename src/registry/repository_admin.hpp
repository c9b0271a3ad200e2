#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/access.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// The control plane of repositories and of the registry: creation with settings, description,
// deletion, tag mutability, scanning flag, repository and registry policies, resource tags.
// Authorization happens before these calls (the adapters consult AccessControl per action).
class RepositoryAdmin {
public:
    RepositoryAdmin(ServiceContext& ctx, AccessControl& access) : ctx_(ctx), access_(access) {}

    // Errc::already_exists (kind "repository"); Errc::bad_request for invalid settings or tags;
    // Errc::limit_exceeded for more than 50 tags.
    Result<storage::RepositoryRecord> create(const model::RepoName& name,
                                             const storage::RepositorySettings& settings,
                                             const storage::ResourceTags& tags,
                                             std::optional<std::string> policy = std::nullopt);
    Result<storage::RepositoryRecord> get(const model::RepoName& name);  // Errc::name_unknown
    // Repositories in name order after `after`, at most `limit`, plus whether more follow.
    Result<std::pair<std::vector<storage::RepositoryRecord>, bool>> list(
        const std::optional<model::RepoName>& after, std::size_t limit);
    // Without force, Errc::not_empty while images remain. Returns the record as it was.
    Result<storage::RepositoryRecord> remove(const model::RepoName& name, bool force);
    Result<storage::RepositoryRecord> set_mutability(const model::RepoName& name,
                                                     const std::string& mutability,
                                                     const std::vector<std::string>& filters);
    Result<storage::RepositoryRecord> set_scan_on_push(const model::RepoName& name, bool on);
    // Beyond ECR: whether re-pushing the digest an immutable tag already names succeeds.
    Result<storage::RepositoryRecord> set_identical_repush(const model::RepoName& name, bool on);

    // Repository policy: validated as a resource policy, at most 10,240 characters.
    Result<std::string> set_policy(const model::RepoName& name, const std::string& text);
    // Errc::not_found (kind "repository_policy") when none is set.
    Result<std::string> get_policy(const model::RepoName& name);
    Result<std::string> delete_policy(const model::RepoName& name);

    // Resource tags: merge by key; at most 50 (Errc::limit_exceeded); key 1-128, value <= 256.
    Result<void> tag(const model::RepoName& name, const storage::ResourceTags& tags);
    Result<void> untag(const model::RepoName& name, const std::vector<std::string>& keys);

    // The registry policy (same validation); Errc::not_found (kind "registry_policy").
    Result<std::string> set_registry_policy(const std::string& text);
    Result<std::string> get_registry_policy();
    Result<std::string> delete_registry_policy();

private:
    // Loads, changes and stores one repository in a write transaction.
    Result<storage::RepositoryRecord> modify(
        const model::RepoName& name,
        const std::function<Result<void>(storage::RepositoryRecord&)>& change);

    ServiceContext& ctx_;
    AccessControl& access_;  // told when a policy or tag changes
};

// Shared validation of resource tags (InvalidTagParameter-style messages).
Result<void> validate_tags(const storage::ResourceTags& tags);
Result<void> validate_policy_text(const std::string& text, std::string_view what);

}  // namespace wharf::registry
