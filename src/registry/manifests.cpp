#include "registry/manifests.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "model/media_types.hpp"
#include "model/text.hpp"
#include "registry/mutability.hpp"
#include "registry/scans.hpp"

namespace wharf::registry {
namespace {

Error manifest_unknown(const model::RepoName& repo, const model::Reference& ref) {
    return Error{Errc::manifest_unknown,
                 fmt::format("manifest {} is not in repository {}", ref.str(), repo.str()),
                 {{"name", repo.str()}, {"reference", ref.str()}}};
}

bool is_manifest_type(std::string_view t) {
    namespace mt = model::media_type;
    return t == mt::kOciManifest || t == mt::kOciIndex || t == mt::kDockerManifest ||
           t == mt::kDockerManifestList || t == mt::kDockerSchema1 || t == mt::kDockerSchema1Signed;
}

std::string annotations_json(const std::map<std::string, std::string>& annotations) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : annotations) {
        out[k] = v;
    }
    return out.dump();
}

}  // namespace

bool accepts_media_type(std::string_view accept, std::string_view media_type) {
    bool names_manifest_type = false;
    while (!accept.empty()) {
        auto comma = accept.find(',');
        auto item = model::detail::trim_ows(accept.substr(0, comma));
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
        item = model::detail::trim_ows(item.substr(0, item.find(';')));
        if (item == "*/*" || item == "application/*" || item == media_type) {
            return true;
        }
        names_manifest_type = names_manifest_type || is_manifest_type(item);
    }
    // An Accept that lists no manifest type at all (e.g. only application/json) is not a
    // negotiation about manifests: serve what is stored.
    return !names_manifest_type;
}

Result<StoredManifest> ManifestService::get(const Caller&, const model::RepoName& repo,
                                            const model::Reference& ref, std::string_view accept) {
    std::optional<storage::ManifestRecord> found;
    storage::RepoId repo_id = 0;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        repo_id = record->id;
        auto m = ref.is_digest() ? tx.manifests().find(record->id, ref.digest())
                                 : tx.manifests().find_by_tag(record->id, ref.tag());
        if (!m) {
            return m.error();
        }
        found = std::move(*m);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (!found) {
        return manifest_unknown(repo, ref);
    }
    if (found->status == storage::ImageStatus::archived) {
        // ECR answers a pull of an archived image with 404: the bytes are in cold storage.
        return Error{Errc::manifest_unknown,
                     fmt::format("image {} in {} is archived; restore it with "
                                 "UpdateImageStorageClass (targetStorageClass STANDARD) or push "
                                 "it again, then pull",
                                 ref.str(), repo.str()),
                     {{"name", repo.str()}, {"reference", ref.str()}, {"imageStatus", "ARCHIVED"}}};
    }
    if (!accepts_media_type(accept, found->media_type)) {
        return Error{
            Errc::manifest_unknown,
            fmt::format("manifest {} in {} is a {}, which the request's Accept header "
                        "does not list",
                        ref.str(), repo.str(), found->media_type),
            {{"name", repo.str()}, {"reference", ref.str()}, {"mediaType", found->media_type}}};
    }
    if (ctx_.pull_gate && !found->subject) {  // artifacts about an image are not gated
        if (auto passed = ctx_.pull_gate(repo, found->digest); !passed) {
            return passed.error();
        }
    }
    return StoredManifest{std::move(found->digest), std::move(found->media_type),
                          std::move(found->payload), repo_id};
}

Result<PushedManifest> ManifestService::put(const Caller&, const model::RepoName& repo,
                                            const model::Reference& ref,
                                            std::string_view content_type, std::string_view body) {
    auto parsed = model::parse_manifest(body, content_type);
    if (!parsed) {
        return parsed.error();
    }
    const auto digest = ref.is_digest() ? model::Digest::of(body, ref.digest().algorithm())
                                        : model::Digest::of(body);
    if (ref.is_digest() && digest != ref.digest()) {
        return Error{Errc::digest_invalid,
                     fmt::format("manifest body hashes to {}, not to {} named in the URL",
                                 digest.str(), ref.digest().str()),
                     {{"digest", ref.digest().str()}}};
    }
    std::vector<storage::ManifestRef> refs;
    for (const auto& d : parsed->blob_references()) {
        refs.push_back({d, storage::RefKind::blob});
    }
    for (const auto& d : parsed->manifest_references()) {
        refs.push_back({d, storage::RefKind::manifest});
    }
    const auto now = ctx_.clock.now();
    storage::ManifestRecord record{
        .digest = digest,
        .media_type = parsed->media_type,
        .payload = std::string(body),
        .config_digest = parsed->config ? std::optional(parsed->config->digest) : std::nullopt,
        .subject = parsed->subject ? std::optional(parsed->subject->digest) : std::nullopt,
        .artifact_type = parsed->effective_artifact_type(),
        .annotations_json = annotations_json(parsed->annotations),
        .pushed_at = now,
        .last_pulled_at = std::nullopt,
        .image_size = 0,
        .status = storage::ImageStatus::active,
        .last_archived_at = std::nullopt,
        .last_activated_at = std::nullopt,
    };
    // One transaction: the references are checked against the same snapshot the manifest and
    // tag are written in, so a concurrent delete cannot slip between check and write.
    bool unchanged = false;
    bool scan_queued = false;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto repository = repository_for_push(tx, ctx_, repo);
        if (!repository) {
            return repository.error();
        }
        record.image_size = 0;
        for (const auto& r : refs) {
            bool present = false;
            if (r.kind == storage::RefKind::blob) {
                auto link = tx.blob_links().find(repository->id, r.digest);
                if (!link) {
                    return link.error();
                }
                present = link->has_value();
                record.image_size += present ? **link : 0;
            } else {
                auto child = tx.manifests().find(repository->id, r.digest);
                if (!child) {
                    return child.error();
                }
                present = child->has_value();
                // ECR reports an index's size as its largest child's, not the sum.
                record.image_size = std::max(record.image_size, present ? (*child)->image_size : 0);
            }
            if (!present) {
                return Error{Errc::manifest_blob_unknown,
                             fmt::format("manifest references {} {}, which is not in repository "
                                         "{}; push it first",
                                         r.kind == storage::RefKind::blob ? "blob" : "manifest",
                                         r.digest.str(), repo.str()),
                             {{"digest", r.digest.str()},
                              {"kind", r.kind == storage::RefKind::blob ? "blob" : "manifest"}}};
            }
        }
        auto existing = tx.manifests().find(repository->id, digest);
        if (!existing) {
            return existing.error();
        }
        unchanged = existing->has_value();
        if (ref.is_tag()) {
            auto current = tx.tags().find(repository->id, ref.tag());
            if (!current) {
                return current.error();
            }
            const bool same = *current && (*current)->digest == digest;
            unchanged = unchanged && same;
            if (*current && tag_is_immutable(repository->settings, ref.tag().str()) &&
                !(same && repository->settings.immutable_allows_identical)) {
                return Error{Errc::tag_immutable,
                             fmt::format("The image tag '{}' already exists in the '{}' "
                                         "repository and cannot be overwritten because the tag "
                                         "is immutable.",
                                         ref.tag().str(), repo.str()),
                             {{"tag", ref.tag().str()}, {"name", repo.str()}}};
            }
        }
        if (auto stored = tx.manifests().put(repository->id, record, refs); !stored) {
            return stored.error();
        }
        // Pushing an archived image again restores it, as in ECR.
        if (*existing && (*existing)->status == storage::ImageStatus::archived) {
            unchanged = false;
            auto restored = tx.manifests().set_status(repository->id, digest,
                                                      storage::ImageStatus::active, now);
            if (!restored) {
                return restored.error();
            }
        }
        if (ref.is_tag()) {
            auto tagged = tx.tags().put(repository->id, ref.tag(), digest, now);
            if (!tagged) {
                return tagged.error();
            }
        }
        // Queued in the push's own transaction, so a pushed image is never left unscanned by a
        // crash; artifacts about an image (signatures, SBOMs: manifests with a subject) are not.
        if (!record.subject) {
            auto queued = ScanService::queue_on_push(tx, *repository, digest, now);
            if (!queued) {
                return queued.error();
            }
            scan_queued = *queued;
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (scan_queued && ctx_.scan_queued) {
        ctx_.scan_queued();
    }
    return PushedManifest{digest, record.subject, record.media_type, unchanged};
}

Result<void> ManifestService::remove(const Caller&, const model::RepoName& repo,
                                     const model::Reference& ref) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto repository = require_repository(tx, ctx_, repo);
        if (!repository) {
            return repository.error();
        }
        if (ref.is_tag()) {
            auto removed = tx.tags().remove(repository->id, ref.tag());
            if (!removed) {
                return removed.error();
            }
            return *removed ? ok() : Result<void>(manifest_unknown(repo, ref));
        }
        auto parents = tx.manifests().parents(repository->id, ref.digest());
        if (!parents) {
            return parents.error();
        }
        if (!parents->empty()) {
            return Error{Errc::in_use,
                         fmt::format("manifest {} is referenced by index {}; delete the index "
                                     "first",
                                     ref.str(), parents->front().str()),
                         {{"digest", ref.str()}, {"index", parents->front().str()}}};
        }
        auto removed = tx.manifests().remove(repository->id, ref.digest(), ctx_.clock.now());
        if (!removed) {
            return removed.error();
        }
        return *removed ? ok() : Result<void>(manifest_unknown(repo, ref));
    });
}

}  // namespace wharf::registry
