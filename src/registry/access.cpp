#include "registry/access.hpp"

#include <algorithm>

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

std::shared_ptr<const policy::Policy> AccessControl::identity_policy(const std::string& text) {
    std::lock_guard lock(mutex_);
    auto it = identity_policies_.find(text);
    if (it == identity_policies_.end()) {
        if (identity_policies_.size() > 4096) {
            identity_policies_.clear();
        }
        auto parsed = policy::Policy::parse(text, policy::PolicyKind::identity);
        // Documents are validated on write; one that no longer parses grants nothing (null).
        it = identity_policies_
                 .emplace(text, parsed ? std::make_shared<const policy::Policy>(std::move(*parsed))
                                       : nullptr)
                 .first;
    }
    return it->second;
}

Result<std::shared_ptr<const AccessControl::Facts>> AccessControl::load_facts(
    const AccessTarget& target) {
    auto facts = std::make_shared<Facts>();
    facts->generation = generation_.load();
    facts->loaded_at = ctx_.clock.now();
    std::optional<std::string> repository_policy;
    std::optional<std::string> registry_policy;
    bool repository_exists = false;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto registry = tx.documents().get(std::string(kRegistryPolicyKey));
        if (!registry) {
            return registry.error();
        }
        registry_policy = std::move(*registry);
        if (!target.repository) {
            return ok();
        }
        auto repo = tx.repositories().find(*target.repository);
        if (!repo) {
            return repo.error();
        }
        if (*repo) {
            repository_exists = true;
            repository_policy = std::move((*repo)->policy_text);
            facts->repository_tags = std::move((*repo)->tags);
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    for (const auto* text : {&repository_policy, &registry_policy}) {
        if (!*text) {
            continue;
        }
        // Validated on write; a document that no longer parses grants nothing.
        if (auto parsed = policy::Policy::parse(**text, policy::PolicyKind::resource)) {
            facts->resource_policies.push_back(std::move(*parsed));
        }
    }
    std::shared_ptr<const Facts> out = std::move(facts);
    if (!target.repository || repository_exists) {
        std::lock_guard lock(mutex_);
        if (facts_.size() > 10000) {
            facts_.clear();
        }
        facts_[target.repository ? target.repository->str() : std::string()] = out;
    }
    return out;
}

Result<std::shared_ptr<const AccessControl::Facts>> AccessControl::facts(
    const AccessTarget& target) {
    {
        std::lock_guard lock(mutex_);
        static const std::string kRegistryWide;
        auto it = facts_.find(target.repository ? target.repository->str() : kRegistryWide);
        if (it != facts_.end() && it->second->generation == generation_.load() &&
            ctx_.clock.now() - it->second->loaded_at < kFactsLifetime) {
            return it->second;
        }
    }
    return load_facts(target);
}

Result<policy::Decision> AccessControl::decide(const Caller& caller, std::string_view action,
                                               const AccessTarget& target, std::string& resource) {
    resource = target.repository ? repository_arn(*target.repository) : registry_arn();
    static const Facts kNone{};
    std::shared_ptr<const Facts> loaded;
    if (!target.identity_only) {
        auto f = facts(target);
        if (!f) {
            return f.error();
        }
        loaded = std::move(*f);
    }
    const Facts& facts = loaded ? *loaded : kNone;
    std::vector<std::shared_ptr<const policy::Policy>> held;  // alive until evaluated
    std::vector<const policy::Policy*> identity;
    if (caller.identity) {
        held.reserve(caller.identity->policies.size());
        identity.reserve(caller.identity->policies.size());
        for (const auto& [name, text] : caller.identity->policies) {
            held.push_back(identity_policy(text));
            identity.push_back(held.back().get());
        }
    }
    std::vector<const policy::Policy*> resource_policies;
    resource_policies.reserve(facts.resource_policies.size());
    for (const auto& p : facts.resource_policies) {
        resource_policies.push_back(&p);
    }
    // Most requests meet only unconditional statements (an administrator's Allow *, a plain
    // repository policy): the request facts are then gathered only when a Condition reads them.
    const bool conditional =
        std::any_of(identity.begin(), identity.end(),
                    [](const policy::Policy* p) { return p && p->has_conditions(); }) ||
        std::any_of(resource_policies.begin(), resource_policies.end(),
                    [](const policy::Policy* p) { return p->has_conditions(); });
    std::optional<policy::ConditionContext> context;
    if (conditional) {
        context = conditions(caller, facts.repository_tags, target.request_tags, ctx_.clock.now());
    }
    const policy::AccessRequest request{
        .action = action,
        .resource = resource,
        .principal_arn = caller.identity ? std::string_view(caller.identity->arn) : "",
        .principal_account = caller.identity ? std::string_view(caller.identity->account) : "",
        .context = context ? &*context : nullptr,
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
