#include "registry/blobs.hpp"

#include <fmt/format.h>

namespace wharf::registry {
namespace {

Error blob_unknown(const model::RepoName& repo, const model::Digest& digest) {
    return Error{Errc::blob_unknown,
                 fmt::format("blob {} is not in repository {}", digest.str(), repo.str()),
                 {{"digest", digest.str()}}};
}

}  // namespace

namespace {

// The blob as the repository links it, and whether an image of the repository references it
// (asked only when `need_reference`), in one read.
struct Linked {
    std::optional<std::uint64_t> size;
    bool referenced = false;
};

}  // namespace

Result<storage::BlobInfo> BlobService::lookup(const model::RepoName& repo,
                                              const model::Digest& digest, bool need_reference) {
    Linked found;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto link = tx.blob_links().find(record->id, digest);
        if (!link) {
            return link.error();
        }
        found.size = *link;
        if (need_reference && found.size) {
            auto used = tx.manifests().blob_referenced(record->id, digest);
            if (!used) {
                return used.error();
            }
            found.referenced = *used;
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    if (!found.size) {
        return blob_unknown(repo, digest);
    }
    if (need_reference && !found.referenced) {
        return Error{Errc::blob_unknown,
                     fmt::format("The image layer {} in repository {} is not referenced by an "
                                 "image; push the image that uses it first",
                                 digest.str(), repo.str()),
                     {{"digest", digest.str()}, {"kind", "unreferenced"}}};
    }
    return storage::BlobInfo{digest, *found.size};
}

Result<storage::BlobInfo> BlobService::stat(const Caller&, const model::RepoName& repo,
                                            const model::Digest& digest) {
    return lookup(repo, digest, false);
}

Result<storage::BlobInfo> BlobService::stat_referenced(const Caller&, const model::RepoName& repo,
                                                       const model::Digest& digest) {
    return lookup(repo, digest, true);
}

Result<BlobRead> BlobService::open(const Caller& caller, const model::RepoName& repo,
                                   const model::Digest& digest, std::string_view range_header) {
    auto info = stat(caller, repo, digest);
    if (!info) {
        return info.error();
    }
    std::optional<model::ByteSpan> span;
    if (!range_header.empty()) {
        auto parsed = model::parse_range_header(range_header, info->size);
        if (!parsed) {
            // The blob's size goes with the error: a 416 answer names it (bytes */size).
            auto error = parsed.error();
            error.detail = {{"digest", digest.str()}, {"size", info->size}};
            return error;
        }
        span = *parsed;
    }
    auto reader = ctx_.blobs.open(digest, span);
    if (!reader) {
        // Linked in metadata but missing on disk: storage lost data; say so plainly.
        if (reader.error().code == Errc::blob_unknown) {
            return Error{Errc::internal, fmt::format("blob {} is linked to {} but missing from "
                                                     "blob storage",
                                                     digest.str(), repo.str())};
        }
        return reader.error();
    }
    return BlobRead{*info, span, std::move(*reader)};
}

Result<void> BlobService::remove(const Caller&, const model::RepoName& repo,
                                 const model::Digest& digest) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto used = tx.manifests().blob_referenced(record->id, digest);
        if (!used) {
            return used.error();
        }
        if (*used) {
            return Error{Errc::in_use,
                         fmt::format("blob {} is referenced by a manifest in {}; delete the "
                                     "manifest first",
                                     digest.str(), repo.str()),
                         {{"digest", digest.str()}}};
        }
        auto removed = tx.blob_links().unlink(record->id, digest, ctx_.clock.now());
        if (!removed) {
            return removed.error();
        }
        if (!*removed) {
            return blob_unknown(repo, digest);
        }
        return ok();
    });
}

Result<std::optional<storage::BlobInfo>> BlobService::mount(const Caller&,
                                                            const model::RepoName& to,
                                                            const model::Digest& digest,
                                                            const model::RepoName& from) {
    std::optional<storage::BlobInfo> mounted;
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto source = tx.repositories().find(from);
        if (!source) {
            return source.error();
        }
        if (!*source) {
            return ok();  // nothing to mount from: the client uploads instead
        }
        auto link = tx.blob_links().find((*source)->id, digest);
        if (!link) {
            return link.error();
        }
        if (!*link) {
            return ok();
        }
        auto target = repository_for_push(tx, ctx_, to);
        if (!target) {
            return target.error();
        }
        auto linked = tx.blob_links().link(target->id, digest, **link, ctx_.clock.now());
        if (!linked) {
            return linked.error();
        }
        mounted = storage::BlobInfo{digest, **link};
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return mounted;
}

}  // namespace wharf::registry
