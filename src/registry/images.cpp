#include "registry/images.hpp"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

namespace wharf::registry {
namespace {

ImageFailure failure(const ImageId& id, std::string code, std::string reason) {
    return ImageFailure{id, std::move(code), std::move(reason)};
}

Result<std::vector<std::string>> tag_names(storage::MetadataTx& tx, storage::RepoId repo,
                                           const model::Digest& d) {
    auto tags = tx.tags().tags_of(repo, d);
    if (!tags) {
        return tags.error();
    }
    std::vector<std::string> out;
    for (const auto& t : *tags) {
        out.push_back(t.str());
    }
    return out;
}

// Resolves one id to its manifest, or says why not.
Result<std::variant<storage::ManifestRecord, ImageFailure>> resolve(storage::MetadataTx& tx,
                                                                    storage::RepoId repo,
                                                                    const ImageId& id) {
    using Out = std::variant<storage::ManifestRecord, ImageFailure>;
    if (!id.digest && !id.tag) {
        return Out{failure(id, "MissingDigestAndTag", "Missing image digest and tag")};
    }
    std::optional<model::Digest> digest;
    if (id.digest) {
        auto parsed = model::Digest::parse(*id.digest);
        if (!parsed) {
            return Out{failure(id, "InvalidImageDigest",
                               "Invalid request parameters: image "
                               "digest should satisfy the regex "
                               "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'")};
        }
        digest = std::move(*parsed);
    }
    std::optional<storage::ManifestRecord> found;
    if (id.tag) {
        auto tag = model::Tag::parse(*id.tag);
        if (!tag) {
            return Out{failure(id, "InvalidImageTag",
                               "Invalid request parameters: image tag "
                               "is not valid")};
        }
        auto m = tx.manifests().find_by_tag(repo, *tag);
        if (!m) {
            return m.error();
        }
        found = std::move(*m);
        if (found && digest && found->digest != *digest) {
            return Out{failure(id, "ImageTagDoesNotMatchDigest",
                               "Invalid request parameters: given tag does not match the digest")};
        }
    } else {
        auto m = tx.manifests().find(repo, *digest);
        if (!m) {
            return m.error();
        }
        found = std::move(*m);
    }
    if (!found) {
        return Out{failure(id, "ImageNotFound", "Requested image not found")};
    }
    return Out{std::move(*found)};
}

// Resolves each id in turn: failures are collected in `out`; `fn(id, manifest, tags)` gets the
// rest. Only a storage error stops the batch.
template <typename Fn>
Result<void> each_image(storage::MetadataTx& tx, storage::RepoId repo,
                        const std::vector<ImageId>& ids, BatchResult& out, Fn&& fn) {
    for (const auto& id : ids) {
        auto r = resolve(tx, repo, id);
        if (!r) {
            return r.error();
        }
        if (auto* f = std::get_if<ImageFailure>(&*r)) {
            out.failures.push_back(std::move(*f));
            continue;
        }
        auto& m = std::get<storage::ManifestRecord>(*r);
        auto tags = tag_names(tx, repo, m.digest);
        if (!tags) {
            return tags.error();
        }
        if (auto done = fn(id, m, *tags); !done) {
            return done;
        }
    }
    return ok();
}

}  // namespace

Result<std::pair<std::vector<ImageInfo>, bool>> ImageService::list(
    const model::RepoName& repo, TagStatus status, const std::optional<model::Digest>& after,
    std::size_t limit, StatusFilter storage) {
    std::pair<std::vector<ImageInfo>, bool> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        std::optional<model::Digest> cursor = after;
        // Filtering happens after the query: page through until the page is full.
        for (;;) {
            auto batch = tx.manifests().list(record->id, cursor, 256);
            if (!batch) {
                return batch.error();
            }
            for (auto& m : *batch) {
                const bool archived = m.status == storage::ImageStatus::archived;
                if ((storage == StatusFilter::active && archived) ||
                    (storage == StatusFilter::archived && !archived)) {
                    continue;
                }
                auto tags = tag_names(tx, record->id, m.digest);
                if (!tags) {
                    return tags.error();
                }
                if ((status == TagStatus::tagged && tags->empty()) ||
                    (status == TagStatus::untagged && !tags->empty())) {
                    continue;
                }
                if (out.first.size() == limit) {
                    out.second = true;
                    return ok();
                }
                out.first.push_back(ImageInfo{m, std::move(*tags)});  // copy: the cursor reads it
            }
            if (batch->size() < 256) {
                return ok();
            }
            cursor = batch->back().digest;
        }
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<BatchResult> ImageService::get(const model::RepoName& repo,
                                      const std::vector<ImageId>& ids) {
    BatchResult out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        out.repo_id = record->id;
        return each_image(
            tx, record->id, ids, out,
            [&](const ImageId& id, storage::ManifestRecord& m,
                std::vector<std::string>& tags) -> Result<void> {
                out.ids.push_back(id);
                // One image named twice (by tag and by digest) is described once.
                if (std::none_of(out.found.begin(), out.found.end(), [&](const ImageInfo& i) {
                        return i.manifest.digest == m.digest;
                    })) {
                    out.found.push_back(ImageInfo{std::move(m), std::move(tags)});
                }
                return ok();
            });
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<BatchResult> ImageService::remove(const model::RepoName& repo,
                                         const std::vector<ImageId>& ids) {
    BatchResult out;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        out.repo_id = record->id;
        return each_image(
            tx, record->id, ids, out,
            [&](const ImageId& id, const storage::ManifestRecord& m,
                std::vector<std::string>& tags) -> Result<void> {
                const bool by_tag = id.tag.has_value() && !id.digest;
                if (by_tag && tags.size() > 1) {  // other tags keep the image
                    auto removed = tx.tags().remove(record->id, model::Tag::parse(*id.tag).value());
                    if (!removed) {
                        return removed.error();
                    }
                    out.ids.push_back(ImageId{m.digest.str(), id.tag});
                    return ok();
                }
                auto parents = tx.manifests().parents(record->id, m.digest);
                if (!parents) {
                    return parents.error();
                }
                if (!parents->empty()) {
                    if (by_tag) {  // the tag goes; the image stays for the index that needs it
                        auto removed =
                            tx.tags().remove(record->id, model::Tag::parse(*id.tag).value());
                        if (!removed) {
                            return removed.error();
                        }
                        out.ids.push_back(ImageId{m.digest.str(), id.tag});
                        return ok();
                    }
                    out.failures.push_back(
                        failure(id, "ImageReferencedByManifestList",
                                fmt::format("Requested image referenced by manifest list: [{}]",
                                            parents->front().str())));
                    return ok();
                }
                auto removed = tx.manifests().remove(record->id, m.digest, ctx_.clock.now());
                if (!removed) {
                    return removed.error();
                }
                if (by_tag) {
                    out.ids.push_back(ImageId{m.digest.str(), id.tag});
                } else {
                    for (const auto& t : tags) {
                        out.ids.push_back(ImageId{m.digest.str(), t});
                    }
                    if (tags.empty()) {
                        out.ids.push_back(ImageId{m.digest.str(), std::nullopt});
                    }
                }
                return ok();
            });
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<ImageInfo> ImageService::set_storage_class(const model::RepoName& repo, const ImageId& id,
                                                  storage::ImageStatus target) {
    std::optional<ImageInfo> out;
    std::optional<ImageFailure> failed;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto r = resolve(tx, record->id, id);
        if (!r) {
            return r.error();
        }
        if (auto* f = std::get_if<ImageFailure>(&*r)) {
            failed = std::move(*f);
            return ok();
        }
        auto& m = std::get<storage::ManifestRecord>(*r);
        const TimePoint now = ctx_.clock.now();
        // An index is archived or restored with the manifests it lists, at every depth (they
        // cannot be pulled without each other).
        auto edges = tx.manifests().index_edges(record->id);
        if (!edges) {
            return edges.error();
        }
        std::vector<model::Digest> todo{m.digest};
        for (std::size_t next = 0; next < todo.size(); ++next) {
            for (const auto& e : *edges) {
                if (e.parent == todo[next] &&
                    std::find(todo.begin(), todo.end(), e.child) == todo.end()) {
                    todo.push_back(e.child);
                }
            }
        }
        for (const auto& d : todo) {
            if (auto set = tx.manifests().set_status(record->id, d, target, now); !set) {
                return set.error();
            }
        }
        auto updated = tx.manifests().find(record->id, m.digest);
        if (!updated) {
            return updated.error();
        }
        auto tags = tag_names(tx, record->id, m.digest);
        if (!tags) {
            return tags.error();
        }
        out = ImageInfo{std::move(**updated), std::move(*tags)};
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (failed) {
        return Error{failed->code == "ImageNotFound" ? Errc::manifest_unknown : Errc::bad_request,
                     failed->code == "ImageNotFound"
                         ? fmt::format("The image with imageId {{imageDigest:'{}', imageTag:'{}'}} "
                                       "does not exist within the repository with name '{}' in "
                                       "the registry with id '{}'",
                                       id.digest.value_or("null"), id.tag.value_or("null"),
                                       repo.str(), ctx_.options.account.account_id)
                         : failed->reason};
    }
    return std::move(*out);
}

}  // namespace wharf::registry
