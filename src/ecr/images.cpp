#include <fmt/format.h>

#include "ecr/operations.hpp"
#include "ecr/shapes.hpp"
#include "model/manifest.hpp"

namespace wharf::ecr {
namespace {

Result<registry::TagStatus> tag_status(const json& in) {
    auto filter = in.find("filter");
    if (filter == in.end() || filter->is_null()) {
        return registry::TagStatus::any;
    }
    auto status = optional_string(*filter, "tagStatus");
    if (!status) {
        return status.error();
    }
    const auto s = status->value_or("ANY");
    if (s == "TAGGED") {
        return registry::TagStatus::tagged;
    }
    if (s == "UNTAGGED") {
        return registry::TagStatus::untagged;
    }
    if (s == "ANY") {
        return registry::TagStatus::any;
    }
    return Error{Errc::bad_request,
                 fmt::format("Invalid parameter at 'filter.tagStatus': '{}' is not one of "
                             "TAGGED, UNTAGGED, ANY",
                             s)};
}

// filter.imageStatus: ACTIVE (the default), ARCHIVED, ANY; nullopt for ACTIVATING, which no
// image here ever is (restores are immediate), so such a listing is empty.
Result<std::optional<registry::StatusFilter>> status_filter(const json& in) {
    using Out = std::optional<registry::StatusFilter>;
    auto filter = in.find("filter");
    if (filter == in.end() || filter->is_null()) {
        return Out{registry::StatusFilter::active};
    }
    auto status = optional_string(*filter, "imageStatus");
    if (!status) {
        return status.error();
    }
    const auto s = status->value_or("ACTIVE");
    if (s == "ACTIVE") {
        return Out{registry::StatusFilter::active};
    }
    if (s == "ARCHIVED") {
        return Out{registry::StatusFilter::archived};
    }
    if (s == "ANY") {
        return Out{registry::StatusFilter::any};
    }
    if (s == "ACTIVATING") {
        return Out{};
    }
    return Error{Errc::bad_request,
                 fmt::format("Invalid parameter at 'filter.imageStatus': '{}' is not one of "
                             "ACTIVE, ARCHIVED, ACTIVATING, ANY",
                             s)};
}

struct PageRequest {
    std::optional<model::Digest> after;
    std::size_t limit = 100;
};

Result<PageRequest> page_request(const json& in, std::int64_t max_results) {
    auto max = optional_int(in, "maxResults", 1, max_results);
    auto token = optional_string(in, "nextToken");
    if (!max || !token) {
        return !max ? max.error() : token.error();
    }
    PageRequest p;
    p.limit = static_cast<std::size_t>(max->value_or(100));
    if (*token) {
        auto last = read_token(**token);
        if (!last) {
            return last.error();
        }
        auto d = model::Digest::parse(*last);
        if (!d) {
            return Error{Errc::bad_request, "Invalid parameter at 'nextToken'"};
        }
        p.after = std::move(*d);
    }
    return p;
}

}  // namespace

Result<json> describe_images(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(
            in, {"registryId", "repositoryName", "imageIds", "nextToken", "maxResults", "filter"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    if (!name) {
        return name.error();
    }
    json details = json::array();
    if (in.contains("imageIds")) {
        if (in.contains("maxResults") || in.contains("nextToken")) {
            return Error{Errc::bad_request,
                         "imageIds cannot be combined with maxResults or nextToken"};
        }
        auto ids = read_image_ids(in, "imageIds", 1, 100);
        if (!ids) {
            return ids.error();
        }
        auto found = reg.images.get(*name, *ids);
        if (!found) {
            return found.error();
        }
        // DescribeImages reports a missing image as an exception, unlike the Batch* calls.
        if (!found->failures.empty()) {
            const auto& f = found->failures.front();
            return Error{f.code == "ImageNotFound" ? Errc::manifest_unknown : Errc::bad_request,
                         fmt::format("The image with imageId {} does not exist within the "
                                     "repository with name '{}' in the registry with id '{}'",
                                     image_id_shape(f.id).dump(), name->str(),
                                     reg.ctx.options.account.account_id)};
        }
        for (const auto& image : found->found) {
            details.push_back(image_detail_shape(image, *name, reg));
        }
        add_scan_summaries(details, reg);
        return json{{"imageDetails", details}};
    }
    auto status = tag_status(in);
    auto page = page_request(in, 1000);
    auto storage = status_filter(in);
    if (!status || !page || !storage) {
        return !status ? status.error() : !page ? page.error() : storage.error();
    }
    auto images = reg.images.list(*name, *status, page->after, *storage ? page->limit : 0,
                                  storage->value_or(registry::StatusFilter::any));
    if (!images) {
        return images.error();
    }
    for (const auto& image : images->first) {
        details.push_back(image_detail_shape(image, *name, reg));
    }
    add_scan_summaries(details, reg);
    json out{{"imageDetails", details}};
    if (images->second && !images->first.empty()) {
        out["nextToken"] = make_token(images->first.back().manifest.digest.str());
    }
    return out;
}

Result<json> list_images(EcrCall& call) {
    const auto& in = call.input;
    if (auto known =
            only_members(in, {"registryId", "repositoryName", "nextToken", "maxResults", "filter"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto status = tag_status(in);
    auto page = page_request(in, 1000);
    auto storage = status_filter(in);
    if (!name || !status || !page || !storage) {
        return !name     ? name.error()
               : !status ? status.error()
               : !page   ? page.error()
                         : storage.error();
    }
    auto images = call.svc.registry.images.list(*name, *status, page->after,
                                                *storage ? page->limit : 0,
                                                storage->value_or(registry::StatusFilter::any));
    if (!images) {
        return images.error();
    }
    // One entry per tag; an untagged image appears once by digest.
    json ids = json::array();
    for (const auto& image : images->first) {
        if (image.tags.empty()) {
            ids.push_back({{"imageDigest", image.manifest.digest.str()}});
        }
        for (const auto& t : image.tags) {
            ids.push_back({{"imageDigest", image.manifest.digest.str()}, {"imageTag", t}});
        }
    }
    json out{{"imageIds", ids}};
    if (images->second && !images->first.empty()) {
        out["nextToken"] = make_token(images->first.back().manifest.digest.str());
    }
    return out;
}

Result<json> batch_get_image(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known =
            only_members(in, {"registryId", "repositoryName", "imageIds", "acceptedMediaTypes"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto ids = read_image_ids(in, "imageIds", 1, 100);
    auto accepted = string_list(in, "acceptedMediaTypes", 0, 100);
    if (!name || !ids || !accepted) {
        return !name ? name.error() : !ids ? ids.error() : accepted.error();
    }
    auto found = reg.images.get(*name, *ids);
    if (!found) {
        return found.error();
    }
    json images = json::array();
    json failures = json::array();
    for (const auto& f : found->failures) {
        failures.push_back(failure_shape(f));
    }
    for (std::size_t i = 0; i < found->ids.size(); ++i) {
        const auto& id = found->ids[i];
        // found->found holds each distinct image once; match the id to its image.
        for (const auto& image : found->found) {
            const bool match = (id.digest && *id.digest == image.manifest.digest.str()) ||
                               (id.tag && std::find(image.tags.begin(), image.tags.end(),
                                                    *id.tag) != image.tags.end());
            if (!match) {
                continue;
            }
            if (image.manifest.status == storage::ImageStatus::archived) {
                failures.push_back({{"imageId", image_id_shape(id)},
                                    {"failureCode", "ImageNotFound"},
                                    {"failureReason",
                                     "Requested image is archived; restore it with "
                                     "UpdateImageStorageClass before pulling"}});
                break;
            }
            if (!accepted->empty() && std::find(accepted->begin(), accepted->end(),
                                                image.manifest.media_type) == accepted->end()) {
                failures.push_back(
                    {{"imageId", image_id_shape(id)},
                     {"failureCode", "UnsupportedImageType"},
                     {"failureReason",
                      fmt::format("The image is a {}, which acceptedMediaTypes does not list",
                                  image.manifest.media_type)}});
                break;
            }
            // The vulnerability gate applies to this pull path as to the OCI one.
            if (!image.manifest.subject) {
                auto verdict = reg.scans.gate(*name, image.manifest.digest);
                if (verdict && !verdict->allowed) {
                    failures.push_back({{"imageId", image_id_shape(id)},
                                        {"failureCode", "ImageInaccessible"},
                                        {"failureReason", verdict->reason}});
                    break;
                }
            }
            reg.pulls.note(found->repo_id, image.manifest.digest);  // BatchGetImage is a pull
            images.push_back({{"registryId", reg.ctx.options.account.account_id},
                              {"repositoryName", name->str()},
                              {"imageId", {{"imageDigest", image.manifest.digest.str()}}},
                              {"imageManifest", image.manifest.payload},
                              {"imageManifestMediaType", image.manifest.media_type}});
            if (id.tag) {
                images.back()["imageId"]["imageTag"] = *id.tag;
            }
            break;
        }
    }
    return json{{"images", images}, {"failures", failures}};
}

Result<json> batch_delete_image(EcrCall& call) {
    const auto& in = call.input;
    if (auto known = only_members(in, {"registryId", "repositoryName", "imageIds"}); !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto ids = read_image_ids(in, "imageIds", 1, 100);
    if (!name || !ids) {
        return !name ? name.error() : ids.error();
    }
    auto removed = call.svc.registry.images.remove(*name, *ids);
    if (!removed) {
        return removed.error();
    }
    json deleted = json::array();
    for (const auto& id : removed->ids) {
        deleted.push_back(image_id_shape(id));
    }
    json failures = json::array();
    for (const auto& f : removed->failures) {
        failures.push_back(failure_shape(f));
    }
    return json{{"imageIds", deleted}, {"failures", failures}};
}

Result<json> put_image(EcrCall& call) {
    const auto& in = call.input;
    auto& reg = call.svc.registry;
    if (auto known = only_members(in, {"registryId", "repositoryName", "imageManifest",
                                       "imageManifestMediaType", "imageTag", "imageDigest"});
        !known) {
        return known.error();
    }
    auto name = repository_name(in);
    auto manifest = required_string(in, "imageManifest");
    auto media_type = optional_string(in, "imageManifestMediaType");
    auto tag = optional_string(in, "imageTag");
    auto digest = optional_string(in, "imageDigest");
    if (!name || !manifest || !media_type || !tag || !digest) {
        return !name         ? name.error()
               : !manifest   ? manifest.error()
               : !media_type ? media_type.error()
               : !tag        ? tag.error()
                             : digest.error();
    }
    std::optional<model::Reference> ref;
    if (*tag) {
        auto t = model::Reference::parse(**tag);
        if (!t || !t->is_tag()) {
            return Error{
                Errc::bad_request,
                fmt::format("Invalid parameter at 'imageTag': '{}' is not a valid tag", **tag)};
        }
        ref = std::move(*t);
    }
    const auto computed = model::Digest::of(*manifest);
    if (*digest) {
        auto given = model::Digest::parse(**digest);
        if (!given) {
            return Error{Errc::bad_request,
                         fmt::format("Invalid parameter at 'imageDigest': '{}'", **digest)};
        }
        if (*given != model::Digest::of(*manifest, given->algorithm())) {
            return Error{Errc::digest_invalid,
                         fmt::format("The imageDigest {} does not match the digest of the "
                                     "manifest ({})",
                                     **digest, computed.str())};
        }
    }
    if (!ref) {
        ref = model::Reference::parse(computed.str()).value();
    }
    auto pushed = reg.manifests.put(call.caller, *name, *ref, media_type->value_or(""), *manifest);
    if (!pushed) {
        return pushed.error();
    }
    if (pushed->unchanged) {
        return Error{Errc::already_exists,
                     fmt::format("Image with digest '{}' {}already exists in the repository with "
                                 "name '{}' in registry with id '{}'",
                                 pushed->digest.str(),
                                 *tag ? fmt::format("and tag '{}' ", **tag) : std::string(),
                                 name->str(), reg.ctx.options.account.account_id)};
    }
    json image_id{{"imageDigest", pushed->digest.str()}};
    if (*tag) {
        image_id["imageTag"] = **tag;
    }
    return json{{"image",
                 {{"registryId", reg.ctx.options.account.account_id},
                  {"repositoryName", name->str()},
                  {"imageId", image_id},
                  {"imageManifest", *manifest},
                  {"imageManifestMediaType", pushed->media_type}}}};
}

}  // namespace wharf::ecr
