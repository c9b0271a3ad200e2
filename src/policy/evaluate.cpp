// evaluate(): AWS's single-account evaluation over compiled documents, and the request context.
#include "policy/policy.hpp"

#include <fmt/format.h>

#include "policy/detail.hpp"

namespace wharf::policy {
namespace {

using detail::Effect;
using detail::Statement;

bool action_matches(const Statement& s, std::string_view action) noexcept {
    bool any = false;
    for (const auto& g : s.actions) {
        if (detail::matches(g, action)) {
            any = true;
            break;
        }
    }
    return any != s.not_action;
}

bool resource_matches(const Statement& s, std::string_view resource) noexcept {
    if (!s.has_resource) {
        return true;  // resource policy: the resource it is attached to
    }
    bool any = false;
    for (const auto& g : s.resources) {
        if (detail::matches(g, resource)) {
            any = true;
            break;
        }
    }
    return any != s.not_resource;
}

enum class Applies { no, yes, through_account };

Applies applies(const Statement& s, const AccessRequest& r) noexcept {
    if (!action_matches(s, r.action) || !resource_matches(s, r.resource)) {
        return Applies::no;
    }
    auto result = Applies::yes;
    if (s.has_principal) {
        if (s.not_principal) {
            if (detail::exempt_by_not_principal(s.principals, r.principal_arn,
                                                r.principal_account)) {
                return Applies::no;
            }
        } else {
            const auto m =
                detail::match_principal(s.principals, r.principal_arn, r.principal_account);
            if (m == detail::PrincipalMatch::none) {
                return Applies::no;
            }
            if (m == detail::PrincipalMatch::account) {
                result = Applies::through_account;
            }
        }
    }
    for (const auto& c : s.conditions) {
        if (!detail::holds(c, r.context)) {
            return Applies::no;
        }
    }
    return result;
}

struct Found {
    const Statement* statement = nullptr;
    Source source = Source::none;
};

// Scans one group of policies. Returns true (with `deny` set) at the first applicable Deny;
// records the first applicable Allow in `allow` and then only tests Deny statements.
bool scan(const AccessRequest& r, std::span<const Policy* const> policies, Source source,
          Found& deny, Found& allow) noexcept {
    for (const Policy* p : policies) {
        if (p == nullptr) {
            continue;
        }
        for (const auto& s : p->document().statements) {
            if (s.effect == Effect::allow && allow.statement != nullptr) {
                continue;
            }
            const Applies a = applies(s, r);
            if (a == Applies::no) {
                continue;
            }
            if (s.effect == Effect::deny) {
                deny = {&s, source};
                return true;
            }
            // An account principal delegates to the account's identity policies.
            if (a == Applies::yes) {
                allow = {&s, source};
            }
        }
    }
    return false;
}

}  // namespace

void ConditionContext::set(std::string_view key, std::string value) {
    std::vector<std::string> values;
    values.push_back(std::move(value));
    set(key, std::move(values));
}

void ConditionContext::set(std::string_view key, std::vector<std::string> values) {
    for (auto& [k, v] : entries_) {
        if (detail::iequals(k, key)) {
            v = std::move(values);
            return;
        }
    }
    entries_.emplace_back(std::string(key), std::move(values));
}

const std::vector<std::string>* ConditionContext::find(std::string_view key) const {
    for (const auto& [k, v] : entries_) {
        if (detail::iequals(k, key)) {
            return &v;
        }
    }
    return nullptr;
}

Decision evaluate(const AccessRequest& request, std::span<const Policy* const> identity_policies,
                  std::span<const Policy* const> resource_policies) {
    Found deny;
    Found allow;
    if (scan(request, identity_policies, Source::identity, deny, allow) ||
        scan(request, resource_policies, Source::resource, deny, allow)) {
        return {Outcome::explicit_deny, deny.source, deny.statement->label};
    }
    if (allow.statement != nullptr) {
        return {Outcome::allow, allow.source, allow.statement->label};
    }
    return {};
}

std::string explain(const Decision& d, std::string_view action) {
    const std::string_view kind =
        d.source == Source::resource ? "a resource-based" : "an identity-based";
    switch (d.outcome) {
        case Outcome::allow:
            return fmt::format("because {} policy allows the {} action", kind, action);
        case Outcome::explicit_deny:
            return fmt::format("with an explicit deny in {} policy", kind);
        case Outcome::implicit_deny:
            return fmt::format("because no identity-based policy allows the {} action", action);
    }
    return "";
}

std::string_view to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::allow:
            return "allow";
        case Outcome::explicit_deny:
            return "explicit_deny";
        case Outcome::implicit_deny:
            return "implicit_deny";
    }
    return "";
}

}  // namespace wharf::policy
