#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

private:
    struct Facts {
        std::optional<std::string> repository_policy;
        std::optional<std::string> registry_policy;
        storage::ResourceTags repository_tags;
    };
    Result<Facts> load_facts(const AccessTarget& target);
    Result<policy::Decision> decide(const Caller& caller, std::string_view action,
                                    const AccessTarget& target, std::string& resource);
    const policy::Policy* cached(const std::string& text, policy::PolicyKind kind);

    ServiceContext& ctx_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::optional<policy::Policy>> parsed_;
};

}  // namespace wharf::registry
