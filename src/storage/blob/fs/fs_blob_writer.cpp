#include "storage/blob/fs/fs_blob_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace wharf::storage::fs {
namespace {

constexpr std::string_view kHashstateMagic = "WHU1";
constexpr std::size_t kMaxHashstateBytes = 4096;

Error ended_error() {
    return Error{Errc::blob_upload_unknown, "the upload was already committed or cancelled"};
}

}  // namespace

std::string encode_hashstate(std::uint64_t offset, const Hasher& hasher) {
    std::string out(kHashstateMagic);
    out.append(reinterpret_cast<const char*>(&offset), sizeof offset);
    out += hasher.export_state();
    return out;
}

std::optional<Hasher> decode_hashstate(std::string_view bytes, std::uint64_t expected_offset) {
    const std::size_t head = kHashstateMagic.size() + sizeof(std::uint64_t);
    if (bytes.size() < head || bytes.substr(0, kHashstateMagic.size()) != kHashstateMagic) {
        return std::nullopt;
    }
    std::uint64_t offset = 0;
    std::memcpy(&offset, bytes.data() + kHashstateMagic.size(), sizeof offset);
    if (offset != expected_offset) {
        return std::nullopt;
    }
    auto hasher = Hasher::import_state(bytes.substr(head));
    if (!hasher || hasher->algorithm() != HashAlgorithm::sha256 ||
        hasher->bytes_hashed() != offset) {
        return std::nullopt;
    }
    return hasher;
}

FsBlobWriter::FsBlobWriter(FsLayout layout, std::filesystem::path dir, UniqueFd fd, Hasher hasher,
                           std::uint64_t size)
    : layout_(std::move(layout)),
      dir_(std::move(dir)),
      fd_(std::move(fd)),
      hasher_(std::move(hasher)),
      size_(size) {}

Result<std::unique_ptr<BlobWriter>> FsBlobWriter::create(const FsLayout& layout,
                                                         const model::UploadId& id) {
    auto dir = layout.upload_dir(id);
    if (!dir) {
        return dir.error();
    }
    bool created = false;
    if (auto made = make_dir(*dir, &created); !made) {
        return made.error();
    }
    if (!created) {
        return Error{Errc::internal, fmt::format("upload {} already exists", id.str())};
    }
    const auto data = FsLayout::data_file(*dir);
    auto fd = open_file(data, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0644);
    if (!fd) {
        (void)remove_tree(*dir);
        return fd.error();
    }
    return std::unique_ptr<BlobWriter>(
        new FsBlobWriter(layout, *dir, std::move(*fd), Hasher{HashAlgorithm::sha256}, 0));
}

Result<std::unique_ptr<BlobWriter>> FsBlobWriter::resume(const FsLayout& layout,
                                                         const model::UploadId& id) {
    auto dir = layout.upload_dir(id);
    if (!dir) {
        return dir.error();
    }
    const auto data = FsLayout::data_file(*dir);
    int err = 0;
    auto fd = open_file(data, O_RDWR | O_APPEND, 0, &err);
    if (!fd) {
        if (err == ENOENT || err == ENOTDIR) {
            return Error{Errc::blob_upload_unknown, fmt::format("no upload {}", id.str())};
        }
        return fd.error();
    }
    auto size = file_size(fd->get(), data);
    if (!size) {
        return size.error();
    }
    std::optional<Hasher> hasher;
    if (auto state = read_small_file(FsLayout::hashstate_file(*dir), kMaxHashstateBytes)) {
        hasher = decode_hashstate(*state, *size);
    }
    if (!hasher) {  // never saved, or bytes were appended (or lost) after the last save
        hasher.emplace(HashAlgorithm::sha256);
        if (auto hashed = hash_file(fd->get(), *size, *hasher, data); !hashed) {
            return hashed.error();
        }
    }
    return std::unique_ptr<BlobWriter>(
        new FsBlobWriter(layout, *dir, std::move(*fd), std::move(*hasher), *size));
}

Result<void> FsBlobWriter::usable() const {
    switch (state_) {
        case State::open:
            return ok();
        case State::failed:
            return Error{Errc::internal, "the upload failed earlier; it can only be cancelled"};
        case State::ended:
            return ended_error();
    }
    return ended_error();
}

Result<void> FsBlobWriter::append(std::span<const std::byte> bytes) {
    if (auto u = usable(); !u) {
        return u;
    }
    if (auto written = write_all(fd_.get(), bytes, FsLayout::data_file(dir_)); !written) {
        // Part of the bytes may be on disk: the hash no longer matches the file.
        state_ = State::failed;
        return written;
    }
    hasher_.update(bytes);
    size_ += bytes.size();
    return ok();
}

Result<void> FsBlobWriter::save() {
    if (auto u = usable(); !u) {
        return u;
    }
    return replace_file(FsLayout::hashstate_file(dir_), encode_hashstate(size_, hasher_));
}

Result<model::Digest> FsBlobWriter::content_digest(HashAlgorithm algorithm) {
    if (algorithm == hasher_.algorithm()) {
        return model::Digest::from(hasher_);
    }
    Hasher other(algorithm);
    if (auto hashed = hash_file(fd_.get(), size_, other, FsLayout::data_file(dir_)); !hashed) {
        return hashed.error();
    }
    return model::Digest::from(other);
}

Result<BlobInfo> FsBlobWriter::commit(const model::Digest& expected) {
    if (auto u = usable(); !u) {
        return u.error();
    }
    auto actual = content_digest(expected.algorithm());
    if (!actual) {
        return actual.error();
    }
    if (*actual != expected) {
        (void)discard();
        return Error{Errc::digest_invalid,
                     fmt::format("content hashes to {}, not {}", actual->str(), expected.str()),
                     {{"digest", expected.str()}}};
    }
    if (auto published = publish(expected); !published) {
        return published.error();
    }
    return BlobInfo{expected, size_};
}

Result<void> FsBlobWriter::publish(const model::Digest& digest) {
    auto dir = layout_.blob_dir(digest);
    auto target = layout_.blob_file(digest);
    if (!dir || !target) {
        return dir ? target.error() : dir.error();
    }
    bool created = false;
    if (auto made = make_dir(*dir, &created); !made) {
        return made;
    }
    if (created) {  // the new <2 hex> entry must survive a crash too
        if (auto synced = fsync_dir(layout_.algorithm_dir(digest.algorithm())); !synced) {
            return synced;
        }
    }
    struct stat st {};
    if (::stat(target->c_str(), &st) == 0) {  // already stored: deduplicate
        return discard();
    }
    const auto data = FsLayout::data_file(dir_);
    if (::fchmod(fd_.get(), 0444) != 0) {
        return os_error("cannot make read-only", data, errno);
    }
    if (auto synced = fsync_fd(fd_.get(), data); !synced) {
        return synced;
    }
    // Two uploads of the same content may race here; rename replaces atomically and both files
    // hold the same verified bytes, so either outcome is the same blob.
    if (::rename(data.c_str(), target->c_str()) != 0) {
        return os_error("cannot move into place", *target, errno);
    }
    if (auto synced = fsync_dir(*dir); !synced) {
        return synced;
    }
    // The blob is durable and visible; a leftover upload directory is only garbage for the
    // upload sweeper, so failing to remove it does not fail the commit.
    (void)discard();
    return ok();
}

Result<void> FsBlobWriter::discard() {
    fd_.reset();
    state_ = State::ended;
    return remove_tree(dir_);
}

Result<void> FsBlobWriter::cancel() {
    return discard();
}

}  // namespace wharf::storage::fs
