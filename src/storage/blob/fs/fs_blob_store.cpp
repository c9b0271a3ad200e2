#include "storage/blob/fs/fs_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "storage/blob/fs/fs_blob_reader.hpp"
#include "storage/blob/fs/fs_blob_writer.hpp"
#include "storage/blob/fs/fs_io.hpp"
#include "storage/blob/fs/fs_layout.hpp"

namespace wharf::storage {
namespace {

using fs::FsLayout;

Error blob_unknown(const model::Digest& digest) {
    return Error{Errc::blob_unknown,
                 fmt::format("blob {} is not stored", digest.str()),
                 {{"digest", digest.str()}}};
}

// Stateless apart from the root: every operation goes to the filesystem, whose rename(2) and
// unlink(2) provide the atomicity, so the store needs no lock.
class FsBlobStore final : public BlobStore {
public:
    explicit FsBlobStore(FsLayout layout) : layout_(std::move(layout)) {}

    Result<BlobInfo> stat(const model::Digest& digest) override {
        auto path = layout_.blob_file(digest);
        if (!path) {
            return path.error();
        }
        struct stat st {};
        if (::stat(path->c_str(), &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                return blob_unknown(digest);
            }
            return fs::os_error("cannot stat", *path, errno);
        }
        return BlobInfo{digest, static_cast<std::uint64_t>(st.st_size)};
    }

    Result<std::unique_ptr<BlobReader>> open(const model::Digest& digest,
                                             std::optional<model::ByteSpan> span) override {
        auto path = layout_.blob_file(digest);
        if (!path) {
            return path.error();
        }
        int err = 0;
        auto fd = fs::open_file(*path, O_RDONLY, 0, &err);
        if (!fd) {
            if (err == ENOENT || err == ENOTDIR) {
                return blob_unknown(digest);
            }
            return fd.error();
        }
        auto size = fs::file_size(fd->get(), *path);
        if (!size) {
            return size.error();
        }
        model::ByteSpan region{0, *size};
        if (span) {
            if (span->offset > *size || span->length > *size - span->offset) {
                return Error{Errc::range_invalid,
                             fmt::format("bytes {}-{} are outside blob {} of {} bytes",
                                         span->offset, span->last(), digest.str(), *size)};
            }
            region = *span;
        }
        return std::unique_ptr<BlobReader>(
            new fs::FsBlobReader(std::move(*fd), *path, region.offset, region.length));
    }

    Result<std::unique_ptr<BlobWriter>> create_upload(const model::UploadId& id) override {
        return fs::FsBlobWriter::create(layout_, id);
    }

    Result<std::unique_ptr<BlobWriter>> resume_upload(const model::UploadId& id) override {
        return fs::FsBlobWriter::resume(layout_, id);
    }

    Result<BlobInfo> put(std::span<const std::byte> bytes) override {
        const auto digest = model::Digest::of(
            std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()});
        if (auto existing = stat(digest)) {
            return existing;
        }
        auto writer = create_upload(model::UploadId::generate());
        if (!writer) {
            return writer.error();
        }
        if (auto appended = (*writer)->append(bytes); !appended) {
            (void)(*writer)->cancel();
            return appended.error();
        }
        auto info = (*writer)->commit(digest);
        if (!info) {
            (void)(*writer)->cancel();
        }
        return info;
    }

    Result<void> remove(const model::Digest& digest) override {
        auto path = layout_.blob_file(digest);
        if (!path) {
            return path.error();
        }
        if (::unlink(path->c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
            return fs::os_error("cannot remove", *path, errno);
        }
        return ok();
    }

private:
    FsLayout layout_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> open_fs_blob_store(const std::filesystem::path& root) {
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec) {
        return fs::os_error("cannot create blob store root", root, ec.value());
    }
    FsLayout layout(std::filesystem::absolute(root, ec));
    if (ec) {
        return fs::os_error("cannot resolve blob store root", root, ec.value());
    }
    for (const auto& dir : {layout.blobs_root(), layout.algorithm_dir(HashAlgorithm::sha256),
                            layout.algorithm_dir(HashAlgorithm::sha512), layout.uploads_root()}) {
        if (auto made = fs::make_dir(dir); !made) {
            return made.error();
        }
    }
    if (::access(layout.uploads_root().c_str(), W_OK | X_OK) != 0 ||
        ::access(layout.blobs_root().c_str(), W_OK | X_OK) != 0) {
        return fs::os_error("blob store root is not writable", root, errno);
    }
    return std::unique_ptr<BlobStore>(new FsBlobStore(std::move(layout)));
}

}  // namespace wharf::storage
