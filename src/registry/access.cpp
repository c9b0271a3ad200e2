#include "registry/access.hpp"

#include <fmt/format.h>

#include "registry/documents.hpp"

namespace wharf::registry {
namespace {

policy::ConditionContext conditions(const Caller& caller, const storage::ResourceTags& repo_tags,
                                    const RequestTags* request_tags, TimePoint now) {
    policy::ConditionContext c;
    c.set("aws:CurrentTime", to_rfc3339(now));
    c.set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
    c.set("aws:SecureTransport", caller.secure_transport ? "true" : "false");
    if (!caller.source_ip.empty()) {
        c.set("aws:SourceIp", caller.source_ip);
    }
    if (!caller.user_agent.empty()) {
        c.set("aws:UserAgent", caller.user_agent);
    }
    if (const auto* id = caller.identity.get()) {
        c.set("aws:PrincipalArn", id->arn);
        c.set("aws:PrincipalAccount", id->account);
        c.set("aws:userid", id->unique_id);
        if (id->kind == storage::PrincipalKind::user) {
            c.set("aws:username", id->name);
            c.set("aws:PrincipalType", "User");
        } else {
            c.set("aws:PrincipalType", "AssumedRole");
        }
        for (const auto& [k, v] : id->tags) {
            c.set("aws:PrincipalTag/" + k, v);
        }
    }
    for (const auto& [k, v] : repo_tags) {
        c.set("ecr:ResourceTag/" + k, v);
        c.set("aws:ResourceTag/" + k, v);
    }
    if (request_tags) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : *request_tags) {
            c.set("aws:RequestTag/" + k, v);
            keys.push_back(k);
        }
        c.set("aws:TagKeys", std::move(keys));
    }
    return c;
}

}  // namespace

std::string AccessControl::repository_arn(const model::RepoName& name) const {
    return fmt::format("arn:aws:ecr:{}:{}:repository/{}", ctx_.options.account.region,
                       ctx_.options.account.account_id, name.str());
}

std::string AccessControl::registry_arn() const {
    return "*";
}

const policy::Policy* AccessControl::cached(const std::string& text, policy::PolicyKind kind) {
    // Keyed by kind and text: the same document parses once however many principals share it.
    std::string key = (kind == policy::PolicyKind::identity ? "i:" : "r:") + text;
    std::lock_guard lock(mutex_);
    auto it = parsed_.find(key);
    if (it == parsed_.end()) {
        if (parsed_.size() > 4096) {
            parsed_.clear();
        }
        auto parsed = policy::Policy::parse(text, kind);
        // Documents are validated on write; one that no longer parses grants nothing.
        it = parsed_
                 .emplace(std::move(key), parsed ? std::optional(std::move(*parsed)) : std::nullopt)
                 .first;
    }
    return it->second ? &*it->second : nullptr;
}

Result<AccessControl::Facts> AccessControl::load_facts(const AccessTarget& target) {
    Facts facts;
    if (target.identity_only) {
        return facts;
    }
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto registry_policy = tx.documents().get(std::string(kRegistryPolicyKey));
        if (!registry_policy) {
            return registry_policy.error();
        }
        facts.registry_policy = std::move(*registry_policy);
        if (!target.repository) {
            return ok();
        }
        auto repo = tx.repositories().find(*target.repository);
        if (!repo) {
            return repo.error();
        }
        if (*repo) {
            facts.repository_policy = std::move((*repo)->policy_text);
            facts.repository_tags = std::move((*repo)->tags);
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return facts;
}

Result<policy::Decision> AccessControl::decide(const Caller& caller, std::string_view action,
                                               const AccessTarget& target, std::string& resource) {
    auto facts = load_facts(target);
    if (!facts) {
        return facts.error();
    }
    resource = target.repository ? repository_arn(*target.repository) : registry_arn();
    std::vector<const policy::Policy*> identity;
    if (caller.identity) {
        identity.reserve(caller.identity->policies.size());
        for (const auto& [name, text] : caller.identity->policies) {
            identity.push_back(cached(text, policy::PolicyKind::identity));
        }
    }
    std::vector<const policy::Policy*> resource_policies;
    if (facts->repository_policy) {
        resource_policies.push_back(
            cached(*facts->repository_policy, policy::PolicyKind::resource));
    }
    if (facts->registry_policy) {
        resource_policies.push_back(cached(*facts->registry_policy, policy::PolicyKind::resource));
    }
    const auto context =
        conditions(caller, facts->repository_tags, target.request_tags, ctx_.clock.now());
    const policy::AccessRequest request{
        .action = action,
        .resource = resource,
        .principal_arn = caller.identity ? std::string_view(caller.identity->arn) : "",
        .principal_account = caller.identity ? std::string_view(caller.identity->account) : "",
        .context = &context,
    };
    return policy::evaluate(request, identity, resource_policies);
}

bool AccessControl::allowed(const Caller& caller, std::string_view action,
                            const AccessTarget& target) {
    std::string resource;
    auto decision = decide(caller, action, target, resource);
    return decision && decision->outcome == policy::Outcome::allow;
}

Result<void> AccessControl::authorize(const Caller& caller, std::string_view action,
                                      const AccessTarget& target) {
    std::string resource;
    auto decision = decide(caller, action, target, resource);
    if (!decision) {
        return decision.error();
    }
    if (decision->outcome == policy::Outcome::allow) {
        return ok();
    }
    if (caller.anonymous()) {
        return Error{Errc::unauthorized,
                     fmt::format("authentication required to perform {} on {}", action, resource)};
    }
    return Error{Errc::denied,
                 fmt::format("User: {} is not authorized to perform: {} on resource: {} {}",
                             caller.arn(), action, resource, policy::explain(*decision, action)),
                 {{"action", std::string(action)},
                  {"resource", resource},
                  {"principal", std::string(caller.arn())}}};
}

}  // namespace wharf::registry
