#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/names.hpp"
#include "policy/policy.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// Tags a request carries (CreateRepository, TagResource): aws:RequestTag/* and aws:TagKeys.
using RequestTags = storage::ResourceTags;

// Where an action is aimed: a repository (whose policy and tags then apply), or the registry.
struct AccessTarget {
    std::optional<model::RepoName> repository;
    const RequestTags* request_tags = nullptr;
    // Repository policies cannot grant some actions (ecr:GetAuthorizationToken): only identity
    // policies count for them.
    bool identity_only = false;
};

// The IAM decision for one call: identity policies of the caller, the repository's policy and
// the registry policy, evaluated with AWS's rules. Thread-safe; reads the metadata store.
class AccessControl {
public:
    explicit AccessControl(ServiceContext& ctx) : ctx_(ctx) {}

    // ok when allowed. Errc::denied "User: <arn> is not authorized to perform: <action> on
    // resource: <arn> because ..." (as ECR words it); Errc::unauthorized for an anonymous caller
    // (so clients learn to send credentials).
    Result<void> authorize(const Caller& caller, std::string_view action,
                           const AccessTarget& target);
    // The same decision without the message, for filtering lists.
    bool allowed(const Caller& caller, std::string_view action, const AccessTarget& target);

    std::string repository_arn(const model::RepoName& name) const;
    std::string registry_arn() const;  // resource of registry-wide actions ("*")

    // A repository's policy or tags, or the registry policy, changed: decisions made from now
    // on read them again. Changes made by another process are seen within kFactsLifetime.
    void invalidate() noexcept { ++generation_; }
    static constexpr std::chrono::seconds kFactsLifetime{5};

private:
    // What a decision needs besides the caller: parsed resource policies and repository tags.
    struct Facts {
        std::vector<policy::Policy> resource_policies;  // repository's, then the registry's
        storage::ResourceTags repository_tags;
        TimePoint loaded_at;
        std::uint64_t generation = 0;
    };
    Result<std::shared_ptr<const Facts>> facts(const AccessTarget& target);
    Result<std::shared_ptr<const Facts>> load_facts(const AccessTarget& target);
    Result<policy::Decision> decide(const Caller& caller, std::string_view action,
                                    const AccessTarget& target, std::string& resource);
    std::shared_ptr<const policy::Policy> identity_policy(const std::string& text);

    ServiceContext& ctx_;
    std::atomic<std::uint64_t> generation_{0};
    std::mutex mutex_;
    // Keyed by repository name ("" for registry-wide targets); only existing repositories are
    // kept, so a repository created by a push is seen at once.
    std::unordered_map<std::string, std::shared_ptr<const Facts>> facts_;
    // Shared so that a decision in flight keeps its policies when the cache is trimmed.
    std::unordered_map<std::string, std::shared_ptr<const policy::Policy>> identity_policies_;
};

}  // namespace wharf::registry
