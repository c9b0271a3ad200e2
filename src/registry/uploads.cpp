#include "registry/uploads.hpp"

#include <fmt/format.h>

namespace wharf::registry {
namespace {

Error upload_unknown(const model::RepoName& repo, const model::UploadId& id) {
    return Error{Errc::blob_upload_unknown,
                 fmt::format("upload {} does not exist in repository {} (finished, cancelled or "
                             "never started)",
                             id.str(), repo.str()),
                 {{"upload", id.str()}}};
}

}  // namespace

UploadAppender::UploadAppender(UploadService& owner, storage::RepoId repo, model::UploadId id,
                               std::unique_ptr<storage::BlobWriter> writer)
    : owner_(&owner), repo_(repo), id_(std::move(id)), writer_(std::move(writer)) {}

UploadAppender::~UploadAppender() {
    if (owner_ != nullptr && writer_ != nullptr) {
        owner_->release(id_);
    }
}

Result<void> UploadAppender::append(std::span<const std::byte> bytes) {
    return writer_->append(bytes);
}

std::uint64_t UploadAppender::offset() const noexcept {
    return writer_->size();
}

bool UploadService::acquire(const model::UploadId& id) {
    std::lock_guard lock(mu_);
    return active_.insert(id.str()).second;
}

void UploadService::release(const model::UploadId& id) {
    std::lock_guard lock(mu_);
    active_.erase(id.str());
}

Result<storage::RepoId> UploadService::owning_repo(const model::RepoName& repo,
                                                   const model::UploadId& id) {
    storage::RepoId owner = 0;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto upload = tx.uploads().find(id);
        if (!upload) {
            return upload.error();
        }
        if (!*upload || (*upload)->repo_id != record->id) {
            return upload_unknown(repo, id);
        }
        owner = record->id;
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return owner;
}

Result<UploadStatus> UploadService::start(const Caller&, const model::RepoName& repo) {
    auto id = model::UploadId::generate();
    auto writer = ctx_.blobs.create_upload(id);
    if (!writer) {
        return writer.error();
    }
    const auto now = ctx_.clock.now();
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = repository_for_push(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        return tx.uploads().create(storage::UploadRecord{id, record->id, now, now});
    });
    if (!done) {
        (void)(*writer)->cancel();
        return done.error();
    }
    return UploadStatus{id, 0};
}

Result<UploadStatus> UploadService::status(const Caller&, const model::RepoName& repo,
                                           const model::UploadId& id) {
    auto owner = owning_repo(repo, id);
    if (!owner) {
        return owner.error();
    }
    auto writer = ctx_.blobs.resume_upload(id);
    if (!writer) {
        return writer.error().code == Errc::blob_upload_unknown ? upload_unknown(repo, id)
                                                                : writer.error();
    }
    return UploadStatus{id, (*writer)->size()};
}

Result<UploadAppender> UploadService::open(const Caller&, const model::RepoName& repo,
                                           const model::UploadId& id,
                                           std::optional<std::uint64_t> at) {
    auto owner = owning_repo(repo, id);
    if (!owner) {
        return owner.error();
    }
    if (!acquire(id)) {
        return Error{Errc::upload_busy,
                     fmt::format("upload {} is being written by another request; wait for it to "
                                 "finish, then check the upload's status",
                                 id.str()),
                     {{"upload", id.str()}}};
    }
    auto writer = ctx_.blobs.resume_upload(id);
    if (!writer) {
        release(id);
        return writer.error().code == Errc::blob_upload_unknown ? upload_unknown(repo, id)
                                                                : writer.error();
    }
    UploadAppender appender(*this, *owner, id, std::move(*writer));
    if (at && *at != appender.offset()) {
        return Error{Errc::range_invalid,
                     fmt::format("chunk starts at byte {}, but upload {} has {} bytes; send the "
                                 "chunk that starts at {}",
                                 *at, id.str(), appender.offset(), appender.offset()),
                     {{"offset", appender.offset()}}};
    }
    return appender;
}

Result<UploadStatus> UploadService::save(UploadAppender& appender) {
    if (auto saved = appender.writer_->save(); !saved) {
        return saved.error();
    }
    auto touched = ctx_.meta.write([&](storage::MetadataTx& tx) {
        return tx.uploads().touch(appender.id_, ctx_.clock.now());
    });
    if (!touched) {
        return touched.error();
    }
    return UploadStatus{appender.id_, appender.offset()};
}

Result<void> UploadService::forget(const model::UploadId& id) {
    return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto removed = tx.uploads().remove(id);
        if (!removed) {
            return removed.error();
        }
        return ok();
    });
}

Result<storage::BlobInfo> UploadService::complete(UploadAppender appender,
                                                  const model::Digest& digest) {
    // Durable and visible in the blob store first, then linked: a crash in between leaves an
    // unlinked blob (garbage for the collector), never a link to missing bytes.
    auto info = appender.writer_->commit(digest);
    if (!info) {
        (void)forget(appender.id_);
        return info.error();
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        // The collector marks a blob in a write transaction that found no link to it, deletes
        // the bytes, then clears the mark: refusing marked blobs and checking the bytes inside
        // our linking transaction closes the race with a deduplicated commit of bytes it is
        // deleting at the same moment.
        auto deleting = tx.blob_reviews().is_deleting(info->digest);
        if (!deleting) {
            return deleting.error();
        }
        if (*deleting || !ctx_.blobs.stat(info->digest)) {
            return Error{Errc::blob_upload_invalid,
                         fmt::format("blob {} was reclaimed by garbage collection while this "
                                     "upload completed; upload it again",
                                     info->digest.str()),
                         {{"digest", info->digest.str()}}};
        }
        if (auto linked =
                tx.blob_links().link(appender.repo_, info->digest, info->size, ctx_.clock.now());
            !linked) {
            return linked.error();
        }
        auto removed = tx.uploads().remove(appender.id_);
        if (!removed) {
            return removed.error();
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return *info;
}

Result<void> UploadService::cancel(const Caller&, const model::RepoName& repo,
                                   const model::UploadId& id) {
    auto owner = owning_repo(repo, id);
    if (!owner) {
        return owner.error();
    }
    if (!acquire(id)) {
        return Error{Errc::upload_busy,
                     fmt::format("upload {} is being written by another request", id.str())};
    }
    auto writer = ctx_.blobs.resume_upload(id);
    Result<void> discarded = ok();
    if (writer) {
        discarded = (*writer)->cancel();
    }
    release(id);
    if (!discarded) {
        return discarded.error();
    }
    return forget(id);
}

namespace {
constexpr std::uint64_t kMinPartBytes = 5 * 1024 * 1024;
}  // namespace

Result<UploadStatus> UploadService::append_part(const Caller& caller, const model::RepoName& repo,
                                                const model::UploadId& id, std::uint64_t first_byte,
                                                std::span<const std::byte> bytes) {
    auto appender = open(caller, repo, id, first_byte);
    if (!appender) {
        return appender.error();
    }
    if (auto appended = appender->append(bytes); !appended) {
        return appended.error();
    }
    auto saved = save(*appender);
    if (!saved) {
        return saved.error();
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = tx.uploads().find(id);
        if (!record) {
            return record.error();
        }
        if (!*record) {
            return ok();
        }
        int state = (*record)->part_state == 1 ? 2 : (*record)->part_state;
        if (state != 2 && bytes.size() < kMinPartBytes) {
            state = 1;
        }
        return state == (*record)->part_state ? ok() : tx.uploads().set_part_state(id, state);
    });
    if (!done) {
        return done.error();
    }
    return saved;
}

Result<storage::BlobInfo> UploadService::complete_parts(const Caller& caller,
                                                        const model::RepoName& repo,
                                                        const model::UploadId& id,
                                                        const model::Digest& digest) {
    std::optional<storage::UploadRecord> record;
    auto read = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = tx.uploads().find(id);
        if (!found) {
            return found.error();
        }
        record = std::move(*found);
        return ok();
    });
    if (!read) {
        return read.error();
    }
    if (record && record->part_state == 2) {
        return Error{Errc::size_invalid,
                     "Layer parts must be at least 5 MiB in size, except the last part",
                     {{"kind", "part"}}};
    }
    auto appender = open(caller, repo, id, std::nullopt);
    if (!appender) {
        return appender.error();
    }
    if (appender->offset() == 0) {
        return Error{
            Errc::size_invalid,
            fmt::format("The specified layer upload {} does not contain any layer parts", id.str()),
            {{"kind", "empty"}}};
    }
    return complete(std::move(*appender), digest);
}

}  // namespace wharf::registry
