#include "ecr/shapes.hpp"

#include <fmt/format.h>

#include "model/manifest.hpp"

namespace wharf::ecr {

std::string registry_host(const registry::Registry& reg) {
    const auto& o = reg.ctx.options;
    if (!o.public_host.empty()) {
        return o.public_host;
    }
    return fmt::format("{}.dkr.ecr.{}.amazonaws.com", o.account.account_id, o.account.region);
}

std::string repository_uri(const registry::Registry& reg, const model::RepoName& name) {
    return registry_host(reg) + "/" + name.str();
}

json repository_shape(const storage::RepositoryRecord& r, const registry::Registry& reg) {
    json out{
        {"repositoryArn", reg.access.repository_arn(r.name)},
        {"registryId", reg.ctx.options.account.account_id},
        {"repositoryName", r.name.str()},
        {"repositoryUri", repository_uri(reg, r.name)},
        {"createdAt", to_unix_seconds(r.created_at)},
        {"imageTagMutability", r.settings.tag_mutability},
        {"imageScanningConfiguration", {{"scanOnPush", r.settings.scan_on_push}}},
        {"encryptionConfiguration", {{"encryptionType", r.settings.encryption_type}}},
    };
    if (!r.settings.kms_key.empty()) {
        out["encryptionConfiguration"]["kmsKey"] = r.settings.kms_key;
    }
    if (!r.settings.mutability_exclusions.empty()) {
        json filters = json::array();
        for (const auto& f : r.settings.mutability_exclusions) {
            filters.push_back({{"filterType", "WILDCARD"}, {"filter", f}});
        }
        out["imageTagMutabilityExclusionFilters"] = std::move(filters);
    }
    return out;
}

json image_id_shape(const registry::ImageId& id) {
    json out = json::object();
    if (id.digest) {
        out["imageDigest"] = *id.digest;
    }
    if (id.tag) {
        out["imageTag"] = *id.tag;
    }
    return out;
}

json image_detail_shape(const registry::ImageInfo& image, const model::RepoName& repo,
                        const registry::Registry& reg) {
    const auto& m = image.manifest;
    json out{
        {"registryId", reg.ctx.options.account.account_id},
        {"repositoryName", repo.str()},
        {"imageDigest", m.digest.str()},
        {"imageSizeInBytes", m.image_size},
        {"imagePushedAt", to_unix_seconds(m.pushed_at)},
        {"imageManifestMediaType", m.media_type},
        {"imageStatus", registry::to_string(m.status)},
    };
    if (m.last_archived_at) {
        out["lastArchivedAt"] = to_unix_seconds(*m.last_archived_at);
    }
    if (m.last_activated_at) {
        out["lastActivatedAt"] = to_unix_seconds(*m.last_activated_at);
    }
    if (!image.tags.empty()) {
        out["imageTags"] = image.tags;
    }
    if (m.last_pulled_at) {
        out["lastRecordedPullTime"] = to_unix_seconds(*m.last_pulled_at);
    }
    // artifactMediaType is the config's media type (for images and OCI artifacts alike).
    if (auto parsed = model::parse_manifest(m.payload, m.media_type); parsed && parsed->config) {
        out["artifactMediaType"] = parsed->config->media_type;
    }
    if (m.subject) {
        out["subjectManifestDigest"] = m.subject->str();
    }
    return out;
}

json failure_shape(const registry::ImageFailure& f) {
    return json{
        {"imageId", image_id_shape(f.id)}, {"failureCode", f.code}, {"failureReason", f.reason}};
}

json tags_shape(const storage::ResourceTags& tags) {
    json out = json::array();
    for (const auto& [k, v] : tags) {
        out.push_back({{"Key", k}, {"Value", v}});
    }
    return out;
}

Result<storage::ResourceTags> read_tags(const json& in, std::string_view member) {
    storage::ResourceTags tags;
    auto it = in.find(member);
    if (it == in.end() || it->is_null()) {
        return tags;
    }
    if (!it->is_array()) {
        return Error{Errc::bad_request,
                     fmt::format("'{}' must be a list of {{Key, Value}}", member),
                     {{"kind", "tag"}}};
    }
    for (const auto& t : *it) {
        if (!t.is_object() || !t.contains("Key") || !t["Key"].is_string() ||
            (t.contains("Value") && !t["Value"].is_string())) {
            return Error{Errc::bad_request,
                         fmt::format("every item of '{}' needs a string Key and Value", member),
                         {{"kind", "tag"}}};
        }
        tags.emplace_back(t["Key"].get<std::string>(), t.value("Value", ""));
    }
    return tags;
}

Result<std::vector<registry::ImageId>> read_image_ids(const json& in, std::string_view member,
                                                      std::size_t min, std::size_t max) {
    std::vector<registry::ImageId> ids;
    auto it = in.find(member);
    if (it == in.end() || it->is_null()) {
        if (min > 0) {
            return Error{Errc::bad_request,
                         fmt::format("1 validation error detected: Value null at '{}' failed to "
                                     "satisfy constraint: Member must not be null",
                                     member)};
        }
        return ids;
    }
    if (!it->is_array() || it->size() < min || it->size() > max) {
        return Error{Errc::bad_request,
                     fmt::format("'{}' must be a list of {}-{} image ids", member, min, max)};
    }
    for (const auto& item : *it) {
        if (!item.is_object()) {
            return Error{Errc::bad_request,
                         fmt::format("every item of '{}' must be an object", member)};
        }
        registry::ImageId id;
        if (auto d = item.find("imageDigest"); d != item.end() && d->is_string()) {
            id.digest = d->get<std::string>();
        }
        if (auto t = item.find("imageTag"); t != item.end() && t->is_string()) {
            id.tag = t->get<std::string>();
        }
        ids.push_back(std::move(id));
    }
    return ids;
}

}  // namespace wharf::ecr
