// Lifecycle policies, previews and the archive storage class.
#include <algorithm>

#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"

namespace wharf::ecr {
namespace {

// How long a finished preview stays readable before GetLifecyclePolicyPreview reports EXPIRED.
constexpr auto kPreviewLifetime = std::chrono::hours(24);

// ECR words policy validation failures this way (the SDKs show the whole text).
Error invalid_policy(const Error& e) {
    if (e.code != Errc::bad_request) {
        return e;
    }
    return Error{Errc::bad_request,
                 fmt::format("Invalid parameter at 'LifecyclePolicyText' failed to satisfy "
                             "constraint: 'Lifecycle policy validation failure: {}'",
                             e.message)};
}

json policy_shape(EcrCall& call, const model::RepoName& name,
                  const storage::LifecyclePolicyRecord& record, bool with_evaluated) {
    json out{{"registryId", call.svc.registry.ctx.options.account.account_id},
             {"repositoryName", name.str()},
             {"lifecyclePolicyText", record.text}};
    if (with_evaluated && record.evaluated_at) {
        out["lastEvaluatedAt"] = to_unix_seconds(*record.evaluated_at);
    }
    return out;
}

}  // namespace

Result<json> put_lifecycle_policy(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "lifecyclePolicyText"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto text = required_string(in, "lifecyclePolicyText");
    if (!name || !text) {
        return !name ? name.error() : text.error();
    }
    auto stored = call.svc.registry.lifecycle.put_policy(*name, *text);
    if (!stored) {
        return invalid_policy(stored.error());
    }
    return policy_shape(call, *name, *stored, false);
}

Result<json> get_lifecycle_policy(EcrCall& call) {
    auto name = repository_name(call.input);
    if (!name) {
        return name.error();
    }
    auto stored = call.svc.registry.lifecycle.get_policy(*name);
    if (!stored) {
        return stored.error();
    }
    return policy_shape(call, *name, *stored, true);
}

Result<json> delete_lifecycle_policy(EcrCall& call) {
    auto name = repository_name(call.input);
    if (!name) {
        return name.error();
    }
    auto stored = call.svc.registry.lifecycle.delete_policy(*name);
    if (!stored) {
        return stored.error();
    }
    return policy_shape(call, *name, *stored, true);
}

Result<json> start_lifecycle_policy_preview(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "lifecyclePolicyText"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto text = optional_string(in, "lifecyclePolicyText");
    if (!name || !text) {
        return !name ? name.error() : text.error();
    }
    auto started = call.svc.registry.lifecycle.start_preview(*name, *text);
    if (!started) {
        return invalid_policy(started.error());
    }
    return json{{"registryId", call.svc.registry.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"lifecyclePolicyText", started->policy_text},
                {"status", started->status}};
}

Result<json> get_lifecycle_policy_preview(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(in, {"registryId", "repositoryName", "imageIds", "nextToken",
                                       "maxResults", "filter"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto ids = read_image_ids(in, "imageIds", 0, 100);
    auto max = optional_int(in, "maxResults", 1, 100);
    auto token = optional_string(in, "nextToken");
    if (!name || !ids || !max || !token) {
        return !name ? name.error() : !ids ? ids.error() : !max ? max.error() : token.error();
    }
    if (!ids->empty() && (*max || *token)) {
        return Error{Errc::bad_request, "imageIds cannot be combined with maxResults or nextToken"};
    }
    std::string tag_status = "ANY";
    if (auto f = in.find("filter"); f != in.end() && f->is_object()) {
        auto s = optional_string(*f, "tagStatus");
        if (!s) {
            return s.error();
        }
        tag_status = s->value_or("ANY");
        if (tag_status != "ANY" && tag_status != "TAGGED" && tag_status != "UNTAGGED") {
            return Error{Errc::bad_request,
                         fmt::format("Invalid parameter at 'filter.tagStatus': '{}' is not one of "
                                     "TAGGED, UNTAGGED, ANY",
                                     tag_status)};
        }
    }
    std::optional<std::string> after;
    if (*token) {
        auto last = read_token(**token);
        if (!last) {
            return last.error();
        }
        after = std::move(*last);
    }
    auto preview = reg.lifecycle.get_preview(*name);
    if (!preview) {
        return preview.error();
    }
    json out{{"registryId", reg.ctx.options.account.account_id},
             {"repositoryName", name->str()},
             {"lifecyclePolicyText", preview->policy_text},
             {"status", preview->status}};
    if (preview->status == "COMPLETE" && preview->finished_at &&
        reg.ctx.clock.now() - *preview->finished_at > kPreviewLifetime) {
        out["status"] = "EXPIRED";
        return out;
    }
    if (preview->status != "COMPLETE") {
        return out;
    }
    const json stored = json::parse(preview->results_json, nullptr, false);
    if (!stored.is_object()) {
        return Error{Errc::internal, "the stored lifecycle preview is damaged; start a new one"};
    }
    const std::size_t limit = static_cast<std::size_t>(max->value_or(100));
    json results = json::array();
    bool more = false;
    for (const auto& r : stored.value("previewResults", json::array())) {
        const auto digest = r.value("imageDigest", std::string());
        const auto tags = r.value("imageTags", json::array());
        if ((tag_status == "TAGGED" && tags.empty()) ||
            (tag_status == "UNTAGGED" && !tags.empty())) {
            continue;
        }
        if (!ids->empty()) {
            const bool wanted = std::any_of(ids->begin(), ids->end(), [&](const auto& id) {
                return (id.digest && *id.digest == digest) ||
                       (id.tag && std::find(tags.begin(), tags.end(), *id.tag) != tags.end());
            });
            if (!wanted) {
                continue;
            }
        } else if (after && digest <= *after) {
            continue;
        }
        if (ids->empty() && results.size() == limit) {
            more = true;
            break;
        }
        json entry = r;
        entry.erase("reason");  // Wharf's explanation: `wharf admin lifecycle preview` shows it
        if (tags.empty()) {
            entry.erase("imageTags");
        }
        results.push_back(std::move(entry));
    }
    out["previewResults"] = results;
    out["summary"] = stored.value("summary", json::object());
    if (more) {
        out["nextToken"] = make_token(results.back().value("imageDigest", std::string()));
    }
    return out;
}

Result<json> update_image_storage_class(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(
            in, {"registryId", "repositoryName", "imageId", "targetStorageClass"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto target = required_string(in, "targetStorageClass");
    if (!name || !target) {
        return !name ? name.error() : target.error();
    }
    if (*target != "STANDARD" && *target != "ARCHIVE") {
        return Error{Errc::bad_request,
                     fmt::format("Invalid parameter at 'targetStorageClass': '{}' is not one of "
                                 "STANDARD, ARCHIVE",
                                 *target)};
    }
    auto it = in.find("imageId");
    if (it == in.end() || !it->is_object()) {
        return Error{Errc::bad_request,
                     "1 validation error detected: Value null at 'imageId' failed to satisfy "
                     "constraint: Member must not be null"};
    }
    auto ids = read_image_ids(json{{"ids", json::array({*it})}}, "ids", 1, 1);
    if (!ids) {
        return ids.error();
    }
    const auto status =
        *target == "ARCHIVE" ? storage::ImageStatus::archived : storage::ImageStatus::active;
    auto image = reg.images.set_storage_class(*name, ids->front(), status);
    if (!image) {
        return image.error();
    }
    json id{{"imageDigest", image->manifest.digest.str()}};
    if (ids->front().tag) {
        id["imageTag"] = *ids->front().tag;
    }
    return json{{"registryId", reg.ctx.options.account.account_id},
                {"repositoryName", name->str()},
                {"imageId", id},
                {"imageStatus", registry::to_string(image->manifest.status)}};
}

}  // namespace wharf::ecr
