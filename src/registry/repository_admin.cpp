#include "registry/repository_admin.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "policy/policy.hpp"
#include "registry/documents.hpp"
#include "registry/mutability.hpp"

namespace wharf::registry {
namespace {

constexpr std::size_t kMaxTags = 50;
constexpr std::size_t kMaxPolicyChars = 10240;

Error too_many_tags(std::size_t n) {
    return Error{Errc::limit_exceeded,
                 fmt::format("The repository would have {} tags; the maximum number of tags on "
                             "a resource is 50",
                             n),
                 {{"kind", "tag"}}};
}

Error policy_not_found(std::string_view kind, std::string message) {
    return Error{Errc::not_found, std::move(message), {{"kind", std::string(kind)}}};
}

}  // namespace

Result<void> validate_tags(const storage::ResourceTags& tags) {
    if (tags.size() > kMaxTags) {
        return too_many_tags(tags.size());
    }
    for (const auto& [k, v] : tags) {
        if (k.empty() || k.size() > 128) {
            return Error{Errc::bad_request,
                         fmt::format("tag key '{}' must be 1-128 characters", k),
                         {{"kind", "tag"}}};
        }
        if (v.size() > 256) {
            return Error{Errc::bad_request,
                         fmt::format("the value of tag '{}' must be at most 256 characters", k),
                         {{"kind", "tag"}}};
        }
        if (k.rfind("aws:", 0) == 0) {
            return Error{Errc::bad_request,
                         fmt::format("tag key '{}' uses the reserved prefix 'aws:'", k),
                         {{"kind", "tag"}}};
        }
    }
    return ok();
}

Result<void> validate_policy_text(const std::string& text, std::string_view what) {
    if (text.empty() || text.size() > kMaxPolicyChars) {
        return Error{Errc::bad_request,
                     fmt::format("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                                 "'{} must be 1-10,240 characters (got {})'",
                                 what, text.size())};
    }
    auto parsed = policy::Policy::parse(text, policy::PolicyKind::resource);
    if (!parsed) {
        return Error{Errc::bad_request,
                     fmt::format("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                                 "'Invalid {}: {}'",
                                 what, parsed.error().message)};
    }
    return ok();
}

Result<storage::RepositoryRecord> RepositoryAdmin::create(
    const model::RepoName& name, const storage::RepositorySettings& settings,
    const storage::ResourceTags& tags, std::optional<std::string> policy) {
    if (auto valid = validate_mutability(settings.tag_mutability, settings.mutability_exclusions);
        !valid) {
        return valid.error();
    }
    if (auto valid = validate_tags(tags); !valid) {
        return valid.error();
    }
    if (policy) {
        if (auto valid = validate_policy_text(*policy, "repository policy"); !valid) {
            return valid.error();
        }
    }
    std::optional<storage::RepositoryRecord> out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = tx.repositories().find(name);
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return Error{Errc::already_exists,
                         fmt::format("The repository with name '{}' already exists in the "
                                     "registry with id '{}'",
                                     name.str(), ctx_.options.account.account_id),
                         {{"kind", "repository"}}};
        }
        auto created = tx.repositories().create(name, settings, ctx_.clock.now());
        if (!created) {
            return created.error();
        }
        created->tags = tags;
        created->policy_text = std::move(policy);
        if (auto updated = tx.repositories().update(*created); !updated) {
            return updated;
        }
        out = std::move(*created);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    access_.invalidate();
    return std::move(*out);
}

Result<storage::RepositoryRecord> RepositoryAdmin::get(const model::RepoName& name) {
    std::optional<storage::RepositoryRecord> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = require_repository(tx, ctx_, name);
        if (!found) {
            return found.error();
        }
        out = std::move(*found);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return std::move(*out);
}

Result<std::pair<std::vector<storage::RepositoryRecord>, bool>> RepositoryAdmin::list(
    const std::optional<model::RepoName>& after, std::size_t limit) {
    std::pair<std::vector<storage::RepositoryRecord>, bool> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto names = tx.repositories().list(after, limit + 1);
        if (!names) {
            return names.error();
        }
        out.second = names->size() > limit;
        for (std::size_t i = 0; i < names->size() && i < limit; ++i) {
            auto found = tx.repositories().find((*names)[i]);
            if (!found) {
                return found.error();
            }
            if (*found) {
                out.first.push_back(std::move(**found));
            }
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<storage::RepositoryRecord> RepositoryAdmin::remove(const model::RepoName& name, bool force) {
    std::optional<storage::RepositoryRecord> out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = require_repository(tx, ctx_, name);
        if (!found) {
            return found.error();
        }
        if (!force) {
            auto images = tx.manifests().list(found->id, std::nullopt, 1);
            if (!images) {
                return images.error();
            }
            if (!images->empty()) {
                return Error{Errc::not_empty,
                             fmt::format("The repository with name '{}' in registry with id '{}' "
                                         "cannot be deleted because it still contains images",
                                         name.str(), ctx_.options.account.account_id),
                             {{"kind", "repository"}}};
            }
        }
        out = std::move(*found);
        return tx.repositories().remove(out->id, ctx_.clock.now());
    });
    if (!done) {
        return done.error();
    }
    access_.invalidate();
    return std::move(*out);
}

Result<storage::RepositoryRecord> RepositoryAdmin::modify(
    const model::RepoName& name,
    const std::function<Result<void>(storage::RepositoryRecord&)>& change) {
    std::optional<storage::RepositoryRecord> out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = require_repository(tx, ctx_, name);
        if (!found) {
            return found.error();
        }
        if (auto changed = change(*found); !changed) {
            return changed;
        }
        out = std::move(*found);
        return tx.repositories().update(*out);
    });
    if (!done) {
        return done.error();
    }
    access_.invalidate();
    return std::move(*out);
}

Result<storage::RepositoryRecord> RepositoryAdmin::set_mutability(
    const model::RepoName& name, const std::string& mutability,
    const std::vector<std::string>& filters) {
    if (auto valid = validate_mutability(mutability, filters); !valid) {
        return valid.error();
    }
    return modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        r.settings.tag_mutability = mutability;
        r.settings.mutability_exclusions = filters;
        return ok();
    });
}

Result<storage::RepositoryRecord> RepositoryAdmin::set_scan_on_push(const model::RepoName& name,
                                                                    bool on) {
    return modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        r.settings.scan_on_push = on;
        return ok();
    });
}

Result<storage::RepositoryRecord> RepositoryAdmin::set_identical_repush(const model::RepoName& name,
                                                                        bool on) {
    return modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        r.settings.immutable_allows_identical = on;
        return ok();
    });
}

Result<std::string> RepositoryAdmin::set_policy(const model::RepoName& name,
                                                const std::string& text) {
    if (auto valid = validate_policy_text(text, "repository policy"); !valid) {
        return valid.error();
    }
    auto done = modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        r.policy_text = text;
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return text;
}

Result<std::string> RepositoryAdmin::get_policy(const model::RepoName& name) {
    auto found = get(name);
    if (!found) {
        return found.error();
    }
    if (!found->policy_text) {
        return policy_not_found("repository_policy",
                                fmt::format("Repository policy does not exist for the repository "
                                            "with name '{}' in the registry with id '{}'",
                                            name.str(), ctx_.options.account.account_id));
    }
    return *found->policy_text;
}

Result<std::string> RepositoryAdmin::delete_policy(const model::RepoName& name) {
    std::string previous;
    auto done = modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        if (!r.policy_text) {
            return policy_not_found(
                "repository_policy",
                fmt::format("Repository policy does not exist for the repository with name "
                            "'{}' in the registry with id '{}'",
                            name.str(), ctx_.options.account.account_id));
        }
        previous = std::move(*r.policy_text);
        r.policy_text.reset();
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return previous;
}

Result<void> RepositoryAdmin::tag(const model::RepoName& name, const storage::ResourceTags& tags) {
    if (auto valid = validate_tags(tags); !valid) {
        return valid;
    }
    auto done = modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        for (const auto& [k, v] : tags) {
            auto it = std::find_if(r.tags.begin(), r.tags.end(),
                                   [&](const auto& t) { return t.first == k; });
            if (it != r.tags.end()) {
                it->second = v;
            } else {
                r.tags.emplace_back(k, v);
            }
        }
        return r.tags.size() > kMaxTags ? Result<void>(too_many_tags(r.tags.size())) : ok();
    });
    return done ? ok() : Result<void>(done.error());
}

Result<void> RepositoryAdmin::untag(const model::RepoName& name,
                                    const std::vector<std::string>& keys) {
    auto done = modify(name, [&](storage::RepositoryRecord& r) -> Result<void> {
        std::erase_if(r.tags, [&](const auto& t) {
            return std::find(keys.begin(), keys.end(), t.first) != keys.end();
        });
        return ok();
    });
    return done ? ok() : Result<void>(done.error());
}

Result<std::string> RepositoryAdmin::set_registry_policy(const std::string& text) {
    if (auto valid = validate_policy_text(text, "registry policy"); !valid) {
        return valid.error();
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) {
        return tx.documents().put(std::string(kRegistryPolicyKey), text, ctx_.clock.now());
    });
    if (!done) {
        return done.error();
    }
    access_.invalidate();
    return text;
}

Result<std::string> RepositoryAdmin::get_registry_policy() {
    std::optional<std::string> text;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = tx.documents().get(std::string(kRegistryPolicyKey));
        if (!found) {
            return found.error();
        }
        text = std::move(*found);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (!text) {
        return policy_not_found("registry_policy",
                                fmt::format("Registry policy does not exist in the registry with "
                                            "id '{}'",
                                            ctx_.options.account.account_id));
    }
    return *text;
}

Result<std::string> RepositoryAdmin::delete_registry_policy() {
    auto current = get_registry_policy();
    if (!current) {
        return current.error();
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto removed = tx.documents().remove(std::string(kRegistryPolicyKey));
        return removed ? ok() : Result<void>(removed.error());
    });
    if (!done) {
        return done.error();
    }
    access_.invalidate();
    return current;
}

}  // namespace wharf::registry
