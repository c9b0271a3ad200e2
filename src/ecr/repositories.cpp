#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

namespace wharf::ecr {
namespace {

Result<std::vector<std::string>> exclusion_filters(const json& in) {
    std::vector<std::string> out;
    auto it = in.find("imageTagMutabilityExclusionFilters");
    if (it == in.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        return Error{Errc::bad_request,
                     "imageTagMutabilityExclusionFilters must be a list of {filterType, filter}"};
    }
    for (const auto& f : *it) {
        if (!f.is_object() || f.value("filterType", "") != "WILDCARD" ||
            !f.value("filter", json()).is_string()) {
            return Error{Errc::bad_request,
                         "each imageTagMutabilityExclusionFilter needs filterType WILDCARD and a "
                         "string filter"};
        }
        out.push_back(f["filter"].get<std::string>());
    }
    return out;
}

json policy_shape(const EcrCall& call, const model::RepoName& name, const std::string& text) {
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name.str()},
                {"policyText", text}};
}

}  // namespace

Result<json> create_repository(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "tags", "imageTagMutability",
                                       "imageTagMutabilityExclusionFilters",
                                       "imageScanningConfiguration", "encryptionConfiguration"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto tags = read_tags(in, "tags");
    auto filters = exclusion_filters(in);
    auto mutability = optional_string(in, "imageTagMutability");
    if (!name || !tags || !filters || !mutability) {
        return !name      ? name.error()
               : !tags    ? tags.error()
               : !filters ? filters.error()
                          : mutability.error();
    }
    storage::RepositorySettings settings;
    settings.tag_mutability = mutability->value_or("MUTABLE");
    settings.mutability_exclusions = std::move(*filters);
    if (auto scan = in.find("imageScanningConfiguration"); scan != in.end()) {
        auto on = optional_bool(*scan, "scanOnPush");
        if (!on) {
            return on.error();
        }
        settings.scan_on_push = on->value_or(false);
    }
    if (auto enc = in.find("encryptionConfiguration"); enc != in.end()) {
        auto type = required_string(*enc, "encryptionType");
        if (!type) {
            return type.error();
        }
        if (*type != "AES256" && *type != "KMS" && *type != "KMS_DSSE") {
            return Error{Errc::bad_request,
                         fmt::format("Invalid parameter at 'encryptionType': '{}' is not one of "
                                     "AES256, KMS, KMS_DSSE",
                                     *type)};
        }
        settings.encryption_type = *type;
        settings.kms_key = enc->value("kmsKey", "");
    }
    auto created = call.svc.registry.admin.create(*name, settings, *tags);
    if (!created) {
        return created.error();
    }
    return json{{"repository", repository_shape(*created, call.svc.registry)}};
}

Result<json> describe_repositories(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(in, {"registryId", "repositoryNames", "nextToken", "maxResults"});
        !known) {
        return known.error();
    }
    auto names = string_list(in, "repositoryNames", 0, 100);
    auto max = optional_int(in, "maxResults", 1, 1000);
    auto token = optional_string(in, "nextToken");
    if (!names || !max || !token) {
        return !names ? names.error() : !max ? max.error() : token.error();
    }
    json repos = json::array();
    if (in.contains("repositoryNames")) {
        if (*max || *token) {
            return Error{Errc::bad_request,
                         "repositoryNames cannot be combined with maxResults or nextToken"};
        }
        for (const auto& text : *names) {
            auto name = model::RepoName::parse(text);
            if (!name) {
                return Error{Errc::bad_request,
                             fmt::format("Invalid parameter at 'repositoryNames': '{}'", text)};
            }
            auto r = reg.admin.get(*name);
            if (!r) {
                return r.error();
            }
            repos.push_back(repository_shape(*r, reg));
        }
        return json{{"repositories", repos}};
    }
    std::optional<model::RepoName> after;
    if (*token) {
        auto last = read_token(**token);
        if (!last) {
            return last.error();
        }
        auto parsed = model::RepoName::parse(*last);
        if (!parsed) {
            return Error{Errc::bad_request, "Invalid parameter at 'nextToken'"};
        }
        after = std::move(*parsed);
    }
    const auto limit = static_cast<std::size_t>(max->value_or(100));
    // Only repositories the caller may describe are listed (a policy may narrow it per repo).
    std::optional<std::string> last_seen;
    bool more = false;
    for (;;) {
        auto page = reg.admin.list(after, limit);
        if (!page) {
            return page.error();
        }
        for (auto& r : page->first) {
            if (repos.size() == limit) {
                more = true;  // a next page starts after the last name examined
                break;
            }
            after = r.name;
            last_seen = r.name.str();
            if (reg.access.allowed(call.caller, "ecr:DescribeRepositories",
                                   registry::AccessTarget{r.name})) {
                repos.push_back(repository_shape(r, reg));
            }
        }
        if (more || !page->second) {
            break;
        }
    }
    json out{{"repositories", repos}};
    if (more && last_seen) {
        out["nextToken"] = make_token(*last_seen);
    }
    return out;
}

Result<json> delete_repository(EcrCall& call) {
    if (auto known = only_members(call.input, {"registryId", "repositoryName", "force"}); !known) {
        return known.error();
    }
    auto name = repository_name(call.input);
    auto force = optional_bool(call.input, "force");
    if (!name || !force) {
        return !name ? name.error() : force.error();
    }
    auto removed = call.svc.registry.admin.remove(*name, force->value_or(false));
    if (!removed) {
        return removed.error();
    }
    return json{{"repository", repository_shape(*removed, call.svc.registry)}};
}

Result<json> put_image_tag_mutability(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "imageTagMutability",
                                       "imageTagMutabilityExclusionFilters"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto mutability = required_string(in, "imageTagMutability");
    auto filters = exclusion_filters(in);
    if (!name || !mutability || !filters) {
        return !name ? name.error() : !mutability ? mutability.error() : filters.error();
    }
    auto r = call.svc.registry.admin.set_mutability(*name, *mutability, *filters);
    if (!r) {
        return r.error();
    }
    json out{{"registryId", call.svc.registry.ctx.options.account.account_id},
             {"repositoryName", name->str()},
             {"imageTagMutability", r->settings.tag_mutability}};
    const auto shape = repository_shape(*r, call.svc.registry);
    if (shape.contains("imageTagMutabilityExclusionFilters")) {
        out["imageTagMutabilityExclusionFilters"] = shape["imageTagMutabilityExclusionFilters"];
    }
    return out;
}

Result<json> put_image_scanning_configuration(EcrCall& call) {
    const auto& in = call.input;
    if (auto known =
            only_members(in, {"registryId", "repositoryName", "imageScanningConfiguration"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    if (!name) {
        return name.error();
    }
    auto cfg = in.find("imageScanningConfiguration");
    if (cfg == in.end() || !cfg->is_object()) {
        return Error{Errc::bad_request,
                     "1 validation error detected: Value null at 'imageScanningConfiguration' "
                     "failed to satisfy constraint: Member must not be null"};
    }
    auto on = optional_bool(*cfg, "scanOnPush");
    if (!on) {
        return on.error();
    }
    auto r = call.svc.registry.admin.set_scan_on_push(*name, on->value_or(false));
    if (!r) {
        return r.error();
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"imageScanningConfiguration", {{"scanOnPush", r->settings.scan_on_push}}}};
}

Result<json> set_repository_policy(EcrCall& call) {
    if (auto known =
            only_members(call.input, {"registryId", "repositoryName", "policyText", "force"});
        !known) {
        return known.error();
    }
    auto name = repository_name(call.input);
    auto text = required_string(call.input, "policyText");
    if (!name || !text) {
        return !name ? name.error() : text.error();
    }
    auto set = call.svc.registry.admin.set_policy(*name, *text);
    if (!set) {
        return set.error();
    }
    return policy_shape(call, *name, *set);
}

Result<json> get_repository_policy(EcrCall& call) {
    auto name = repository_name(call.input);
    if (!name) {
        return name.error();
    }
    auto text = call.svc.registry.admin.get_policy(*name);
    if (!text) {
        return text.error();
    }
    return policy_shape(call, *name, *text);
}

Result<json> delete_repository_policy(EcrCall& call) {
    auto name = repository_name(call.input);
    if (!name) {
        return name.error();
    }
    auto text = call.svc.registry.admin.delete_policy(*name);
    if (!text) {
        return text.error();
    }
    return policy_shape(call, *name, *text);
}

namespace {

// The repository a resourceArn names (checked by the dispatcher already).
model::RepoName arn_repository(const EcrCall& call) {
    const auto arn = call.input.value("resourceArn", "");
    return model::RepoName::parse(arn.substr(arn.find(":repository/") + 12)).value();
}

}  // namespace

Result<json> tag_resource(EcrCall& call) {
    if (auto known = only_members(call.input, {"resourceArn", "tags"}); !known) {
        return known.error();
    }
    auto tags = read_tags(call.input, "tags");
    if (!tags) {
        return tags.error();
    }
    if (auto done = call.svc.registry.admin.tag(arn_repository(call), *tags); !done) {
        return done.error();
    }
    return json::object();
}

Result<json> untag_resource(EcrCall& call) {
    if (auto known = only_members(call.input, {"resourceArn", "tagKeys"}); !known) {
        return known.error();
    }
    auto keys = string_list(call.input, "tagKeys", 0, 200);
    if (!keys) {
        return keys.error();
    }
    if (auto done = call.svc.registry.admin.untag(arn_repository(call), *keys); !done) {
        return done.error();
    }
    return json::object();
}

Result<json> list_tags_for_resource(EcrCall& call) {
    auto r = call.svc.registry.admin.get(arn_repository(call));
    if (!r) {
        return r.error();
    }
    return json{{"tags", tags_shape(r->tags)}};
}

}  // namespace wharf::ecr
