#include "registry/templates.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "policy/policy.hpp"
#include "registry/documents.hpp"
#include "registry/mutability.hpp"
#include "registry/repository_admin.hpp"

namespace wharf::registry {
namespace {

using json = nlohmann::json;

std::string key_of(const std::string& prefix) {
    return std::string(kTemplatePrefix) + prefix;
}

Error invalid(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

Error template_not_found(const std::string& prefix) {
    return Error{Errc::not_found,
                 fmt::format("The specified repository creation template with prefix '{}' does "
                             "not exist in the registry",
                             prefix),
                 {{"kind", "template"}}};
}

// The stored template under `prefix`; Errc::not_found (kind "template") when there is none.
Result<json> load_template(storage::MetadataTx& tx, const std::string& prefix) {
    auto stored = tx.documents().get(key_of(prefix));
    if (!stored) {
        return stored.error();
    }
    if (!*stored) {
        return template_not_found(prefix);
    }
    return json::parse(**stored, nullptr, false);
}

std::vector<std::string> filters_of(const json& t) {
    std::vector<std::string> out;
    if (auto it = t.find("imageTagMutabilityExclusionFilters"); it != t.end() && it->is_array()) {
        for (const auto& f : *it) {
            out.push_back(f.value("filter", ""));
        }
    }
    return out;
}

// Members and their JSON types: anything else is refused before a value is read.
Result<void> check_types(const json& t) {
    static constexpr std::pair<std::string_view, json::value_t> kMembers[] = {
        {"prefix", json::value_t::string},
        {"description", json::value_t::string},
        {"encryptionConfiguration", json::value_t::object},
        {"resourceTags", json::value_t::array},
        {"imageTagMutability", json::value_t::string},
        {"imageTagMutabilityExclusionFilters", json::value_t::array},
        {"repositoryPolicy", json::value_t::string},
        {"lifecyclePolicy", json::value_t::string},
        {"appliedFor", json::value_t::array},
        {"customRoleArn", json::value_t::string},
        {"createdAt", json::value_t::number_float},
        {"updatedAt", json::value_t::number_float},
    };
    if (!t.is_object()) {
        return invalid("a repository creation template must be a JSON object");
    }
    for (const auto& [key, value] : t.items()) {
        const auto* member = std::find_if(std::begin(kMembers), std::end(kMembers),
                                          [&](const auto& m) { return m.first == key; });
        if (member == std::end(kMembers)) {
            return invalid(fmt::format("unknown template member '{}'", key));
        }
        const bool number = member->second == json::value_t::number_float && value.is_number();
        if (value.type() != member->second && !number) {
            return invalid(fmt::format("template member '{}' must be a {}", key,
                                       json(member->second).type_name()));
        }
    }
    if (auto f = t.find("imageTagMutabilityExclusionFilters"); f != t.end()) {
        for (const auto& item : *f) {
            if (!item.is_object() || !item.value("filter", json()).is_string() ||
                item.value("filterType", json()) != "WILDCARD") {
                return invalid(
                    "each imageTagMutabilityExclusionFilter must be "
                    "{\"filterType\": \"WILDCARD\", \"filter\": \"...\"}");
            }
        }
    }
    if (auto r = t.find("resourceTags"); r != t.end()) {
        for (const auto& tag : *r) {
            if (!tag.is_object() || !tag.value("Key", json()).is_string() ||
                (tag.contains("Value") && !tag["Value"].is_string())) {
                return invalid("each resourceTag must be {\"Key\": \"...\", \"Value\": \"...\"}");
            }
        }
    }
    if (auto e = t.find("encryptionConfiguration"); e != t.end()) {
        const auto type = e->value("encryptionType", json());
        if (type != "AES256" && type != "KMS" && type != "KMS_DSSE") {
            return invalid(
                "encryptionConfiguration.encryptionType must be AES256, KMS or KMS_DSSE");
        }
        if (e->contains("kmsKey") && !(*e)["kmsKey"].is_string()) {
            return invalid("encryptionConfiguration.kmsKey must be a string");
        }
    }
    return ok();
}

// Checks a whole template object (after a create or a merge).
Result<void> validate(const json& t) {
    if (auto typed = check_types(t); !typed) {
        return typed;
    }
    const auto prefix = t.value("prefix", "");
    if (prefix.empty() || prefix.size() > 256) {
        return invalid(
            "prefix must be 1-256 characters: a repository namespace such as "
            "'team' or 'team/app', or ROOT");
    }
    if (prefix != "ROOT" && !model::RepoName::parse(prefix)) {
        return invalid(fmt::format("prefix '{}' is not a valid repository namespace", prefix));
    }
    if (t.value("description", "").size() > 256) {
        return invalid("description must be at most 256 characters");
    }
    const auto applied = t.value("appliedFor", json::array());
    if (!applied.is_array() || applied.empty()) {
        return invalid(
            "appliedFor must list at least one of REPLICATION, PULL_THROUGH_CACHE, "
            "CREATE_ON_PUSH");
    }
    for (const auto& a : applied) {
        if (!a.is_string() ||
            (a != "REPLICATION" && a != "PULL_THROUGH_CACHE" && a != "CREATE_ON_PUSH")) {
            return invalid(
                fmt::format("appliedFor value {} is not one of REPLICATION, "
                            "PULL_THROUGH_CACHE, CREATE_ON_PUSH",
                            a.dump()));
        }
    }
    if (auto m = t.find("imageTagMutability"); m != t.end()) {
        if (auto ok = validate_mutability(m->get<std::string>(), filters_of(t)); !ok) {
            return ok;
        }
    }
    if (auto p = t.find("repositoryPolicy"); p != t.end() && !p->get<std::string>().empty()) {
        if (p->get<std::string>().size() > 10240) {
            return invalid("repositoryPolicy must be at most 10,240 characters");
        }
        auto parsed = policy::Policy::parse(p->get<std::string>(), policy::PolicyKind::resource);
        if (!parsed) {
            return invalid("repositoryPolicy is invalid: " + parsed.error().message);
        }
    }
    if (auto l = t.find("lifecyclePolicy"); l != t.end() && l->get<std::string>().size() > 30720) {
        return invalid("lifecyclePolicy must be at most 30,720 characters");
    }
    if (auto r = t.find("resourceTags"); r != t.end()) {
        storage::ResourceTags tags;
        for (const auto& tag : *r) {
            tags.emplace_back(tag["Key"].get<std::string>(), tag.value("Value", ""));
        }
        // The tags a created repository will carry: the same rules as TagResource.
        if (auto valid = validate_tags(tags); !valid) {
            return Error{
                Errc::bad_request, "resourceTags: " + valid.error().message, {{"kind", "tag"}}};
        }
    }
    return ok();
}

}  // namespace

Result<json> TemplateService::create(const json& fields) {
    json t = fields;
    const auto now = to_unix_seconds(ctx_.clock.now());
    t["createdAt"] = now;
    t["updatedAt"] = now;
    if (!t.contains("imageTagMutability")) {
        t["imageTagMutability"] = "MUTABLE";
    }
    if (auto valid = validate(t); !valid) {
        return valid.error();
    }
    const auto prefix = t["prefix"].get<std::string>();
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = tx.documents().get(key_of(prefix));
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return Error{Errc::already_exists,
                         fmt::format("The repository creation template with prefix '{}' already "
                                     "exists",
                                     prefix),
                         {{"kind", "template"}}};
        }
        return tx.documents().put(key_of(prefix), t.dump(), ctx_.clock.now());
    });
    if (!done) {
        return done.error();
    }
    return t;
}

Result<json> TemplateService::update(const json& fields) {
    if (!fields.is_object() || !fields.value("prefix", json()).is_string()) {
        return invalid("prefix must name the template to update");
    }
    const auto prefix = fields["prefix"].get<std::string>();
    json merged;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = load_template(tx, prefix);
        if (!existing) {
            return existing.error();
        }
        merged = std::move(*existing);
        for (const auto& [k, v] : fields.items()) {
            merged[k] = v;
        }
        merged["updatedAt"] = to_unix_seconds(ctx_.clock.now());
        if (auto valid = validate(merged); !valid) {
            return valid;
        }
        return tx.documents().put(key_of(prefix), merged.dump(), ctx_.clock.now());
    });
    if (!done) {
        return done.error();
    }
    return merged;
}

Result<json> TemplateService::remove(const std::string& prefix) {
    json removed;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = load_template(tx, prefix);
        if (!existing) {
            return existing.error();
        }
        removed = std::move(*existing);
        auto gone = tx.documents().remove(key_of(prefix));
        return gone ? ok() : Result<void>(gone.error());
    });
    if (!done) {
        return done.error();
    }
    return removed;
}

Result<std::vector<json>> TemplateService::describe(const std::vector<std::string>& prefixes) {
    std::vector<json> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        if (prefixes.empty()) {
            auto all = tx.documents().list(std::string(kTemplatePrefix));
            if (!all) {
                return all.error();
            }
            for (const auto& [key, value] : *all) {
                out.push_back(json::parse(value, nullptr, false));
            }
            return ok();
        }
        for (const auto& prefix : prefixes) {
            auto one = load_template(tx, prefix);
            if (!one) {
                return one.error();
            }
            out.push_back(std::move(*one));
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<std::optional<json>> template_for(storage::MetadataTx& tx, const model::RepoName& name,
                                         std::string_view applied_for) {
    auto all = tx.documents().list(std::string(kTemplatePrefix));
    if (!all) {
        return all.error();
    }
    std::optional<json> best;
    std::size_t best_length = 0;
    for (const auto& [key, value] : *all) {
        auto t = json::parse(value, nullptr, false);
        if (!t.is_object()) {
            continue;
        }
        const auto applied = t.value("appliedFor", json::array());
        if (std::find(applied.begin(), applied.end(), json(applied_for)) == applied.end()) {
            continue;
        }
        const auto prefix = t.value("prefix", "");
        const auto& n = name.str();
        const bool matches = prefix == "ROOT" ||
                             (n.size() > prefix.size() &&
                              n.compare(0, prefix.size(), prefix) == 0 && n[prefix.size()] == '/');
        // ROOT counts as length 0: any specific prefix beats it.
        const std::size_t length = prefix == "ROOT" ? 0 : prefix.size() + 1;
        if (matches && (!best || length > best_length)) {
            best = std::move(t);
            best_length = length;
        }
    }
    return best;
}

void apply_template(const json& t, storage::RepositorySettings& settings,
                    storage::ResourceTags& tags, std::optional<std::string>& policy) {
    settings.tag_mutability = t.value("imageTagMutability", "MUTABLE");
    settings.mutability_exclusions = filters_of(t);
    if (auto e = t.find("encryptionConfiguration"); e != t.end() && e->is_object()) {
        settings.encryption_type = e->value("encryptionType", "AES256");
        settings.kms_key = e->value("kmsKey", "");
    }
    if (auto r = t.find("resourceTags"); r != t.end() && r->is_array()) {
        for (const auto& tag : *r) {
            tags.emplace_back(tag.value("Key", ""), tag.value("Value", ""));
        }
    }
    if (auto p = t.find("repositoryPolicy"); p != t.end() && !p->get<std::string>().empty()) {
        policy = p->get<std::string>();
    }
}

}  // namespace wharf::registry
