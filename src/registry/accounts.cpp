#include "registry/accounts.hpp"

#include <fmt/format.h>

#include "auth/identity.hpp"
#include "policy/policy.hpp"

namespace wharf::registry {
namespace {

Result<void> validate_name(std::string_view what, const std::string& name) {
    bool valid = !name.empty() && name.size() <= 64;
    for (char c : name) {
        valid = valid && (std::isalnum(static_cast<unsigned char>(c)) ||
                          std::string_view("+=,.@_-").find(c) != std::string_view::npos);
    }
    if (!valid) {
        return Error{Errc::bad_request,
                     fmt::format("{} name '{}' must be 1-64 characters of letters, digits and "
                                 "+=,.@_-",
                                 what, name)};
    }
    return ok();
}

}  // namespace

Result<storage::PrincipalRecord> AccountAdmin::require(storage::MetadataTx& tx,
                                                       storage::PrincipalKind kind,
                                                       const std::string& name) {
    auto found = tx.principals().find(kind, name);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return Error{Errc::not_found,
                     fmt::format("no {} named '{}'", auth::kind_name(kind), name),
                     {{"kind", std::string(auth::kind_name(kind))}}};
    }
    return std::move(**found);
}

Result<storage::PrincipalRecord> AccountAdmin::create(storage::PrincipalKind kind,
                                                      const std::string& name) {
    if (auto valid = validate_name(auth::kind_name(kind), name); !valid) {
        return valid.error();
    }
    storage::PrincipalRecord out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto made = tx.principals().create(kind, name, auth::new_unique_id(kind), ctx_.clock.now());
        if (!made) {
            return made.error();
        }
        out = std::move(*made);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<std::vector<storage::PrincipalRecord>> AccountAdmin::list(storage::PrincipalKind kind) {
    std::vector<storage::PrincipalRecord> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto all = tx.principals().list(kind);
        if (!all) {
            return all.error();
        }
        out = std::move(*all);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<void> AccountAdmin::remove(storage::PrincipalKind kind, const std::string& name) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto p = require(tx, kind, name);
        if (!p) {
            return p.error();
        }
        auto removed = tx.principals().remove(p->id);
        return removed ? ok() : Result<void>(removed.error());
    });
}

Result<void> AccountAdmin::put_policy(storage::PrincipalKind kind, const std::string& name,
                                      const std::string& policy_name, const std::string& document) {
    if (auto valid = validate_name("policy", policy_name); !valid) {
        return valid;
    }
    auto parsed = policy::Policy::parse(document, policy::PolicyKind::identity);
    if (!parsed) {
        return Error{Errc::bad_request,
                     fmt::format("policy {} is invalid: {}", policy_name, parsed.error().message)};
    }
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto p = require(tx, kind, name);
        if (!p) {
            return p.error();
        }
        return tx.principals().put_policy(p->id, policy_name, document);
    });
}

Result<void> AccountAdmin::delete_policy(storage::PrincipalKind kind, const std::string& name,
                                         const std::string& policy_name) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto p = require(tx, kind, name);
        if (!p) {
            return p.error();
        }
        auto removed = tx.principals().remove_policy(p->id, policy_name);
        if (!removed) {
            return removed.error();
        }
        if (!*removed) {
            return Error{Errc::not_found,
                         fmt::format("{} {} has no policy named '{}'", auth::kind_name(kind), name,
                                     policy_name),
                         {{"kind", "policy"}}};
        }
        return ok();
    });
}

Result<std::vector<std::pair<std::string, std::string>>> AccountAdmin::policies(
    storage::PrincipalKind kind, const std::string& name) {
    std::vector<std::pair<std::string, std::string>> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto p = require(tx, kind, name);
        if (!p) {
            return p.error();
        }
        auto all = tx.principals().policies(p->id);
        if (!all) {
            return all.error();
        }
        out = std::move(*all);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<NewAccessKey> AccountAdmin::create_key(storage::PrincipalKind kind,
                                              const std::string& name) {
    NewAccessKey out;
    out.secret = auth::new_secret_access_key();
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto p = require(tx, kind, name);
        if (!p) {
            return p.error();
        }
        const auto id = auth::new_access_key_id();
        out.principal = std::move(*p);
        out.key = storage::AccessKeyRecord{id, out.principal.id, secrets_.seal(out.secret, id),
                                           true, ctx_.clock.now()};
        return tx.access_keys().create(out.key);
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<std::vector<KeyListing>> AccountAdmin::list_keys() {
    std::vector<KeyListing> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto keys = tx.access_keys().list(std::nullopt);
        if (!keys) {
            return keys.error();
        }
        for (auto& k : *keys) {
            auto p = tx.principals().find_by_id(k.principal_id);
            if (!p) {
                return p.error();
            }
            if (*p) {
                out.push_back(KeyListing{std::move(k), std::move(**p)});
            }
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<void> AccountAdmin::set_key_active(const std::string& access_key_id, bool active) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto changed = tx.access_keys().set_active(access_key_id, active);
        if (!changed) {
            return changed.error();
        }
        return *changed ? ok()
                        : Result<void>(Error{Errc::not_found,
                                             fmt::format("no access key {}", access_key_id),
                                             {{"kind", "access_key"}}});
    });
}

Result<void> AccountAdmin::delete_key(const std::string& access_key_id) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto removed = tx.access_keys().remove(access_key_id);
        if (!removed) {
            return removed.error();
        }
        return *removed ? ok()
                        : Result<void>(Error{Errc::not_found,
                                             fmt::format("no access key {}", access_key_id),
                                             {{"kind", "access_key"}}});
    });
}

Result<std::optional<NewAccessKey>> AccountAdmin::bootstrap_admin(const std::string& name) {
    std::optional<NewAccessKey> out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto users = tx.principals().list(storage::PrincipalKind::user);
        auto roles = tx.principals().list(storage::PrincipalKind::role);
        if (!users || !roles) {
            return !users ? users.error() : roles.error();
        }
        if (!users->empty() || !roles->empty()) {
            return ok();
        }
        const auto now = ctx_.clock.now();
        auto user = tx.principals().create(storage::PrincipalKind::user, name,
                                           auth::new_unique_id(storage::PrincipalKind::user), now);
        if (!user) {
            return user.error();
        }
        if (auto put = tx.principals().put_policy(user->id, "AdministratorAccess",
                                                  std::string(kAdministratorPolicy));
            !put) {
            return put;
        }
        NewAccessKey key;
        key.secret = auth::new_secret_access_key();
        const auto id = auth::new_access_key_id();
        key.key = storage::AccessKeyRecord{id, user->id, secrets_.seal(key.secret, id), true, now};
        key.principal = std::move(*user);
        if (auto made = tx.access_keys().create(key.key); !made) {
            return made;
        }
        out = std::move(key);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

}  // namespace wharf::registry
