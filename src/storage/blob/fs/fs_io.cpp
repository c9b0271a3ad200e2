#include "storage/blob/fs/fs_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace wharf::storage::fs {
namespace {

constexpr std::size_t kHashChunk = 1 << 20;  // streamed re-hash: constant memory per upload

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

int UniqueFd::release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void UniqueFd::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);  // nothing useful to do on failure: data paths fsync before closing
        fd_ = -1;
    }
}

Error os_error(std::string_view what, const std::filesystem::path& path, int err) {
    return Error{Errc::internal, fmt::format("{} {}: {}", what, path.string(),
                                             std::generic_category().message(err))};
}

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, int mode, int* err_out) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        const int err = errno;
        if (err_out != nullptr) {
            *err_out = err;
        }
        return os_error("cannot open", path, err);
    }
    return UniqueFd{fd};
}

Result<void> write_all(int fd, std::span<const std::byte> bytes,
                       const std::filesystem::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return os_error("cannot write", path, errno);
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return ok();
}

Result<std::size_t> pread_some(int fd, std::span<std::byte> out, std::uint64_t offset,
                               const std::filesystem::path& path) {
    for (;;) {
        const ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
        if (n >= 0) {
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            return os_error("cannot read", path, errno);
        }
    }
}

Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return os_error("cannot stat", path, errno);
    }
    return static_cast<std::uint64_t>(st.st_size);
}

Result<void> fsync_fd(int fd, const std::filesystem::path& path) {
    if (::fsync(fd) != 0) {
        return os_error("cannot fsync", path, errno);
    }
    return ok();
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
    auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
    if (!fd) {
        return fd.error();
    }
    return fsync_fd(fd->get(), dir);
}

Result<void> make_dir(const std::filesystem::path& dir, bool* created) {
    if (created != nullptr) {
        *created = false;
    }
    if (::mkdir(dir.c_str(), 0755) == 0) {
        if (created != nullptr) {
            *created = true;
        }
        return ok();
    }
    const int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return ok();
    }
    return os_error("cannot create directory", dir, err);
}

Result<void> hash_file(int fd, std::uint64_t length, Hasher& hasher,
                       const std::filesystem::path& path) {
    std::vector<std::byte> buffer(kHashChunk);
    std::uint64_t offset = 0;
    while (offset < length) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(kHashChunk, length - offset));
        auto n = pread_some(fd, std::span{buffer.data(), want}, offset, path);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return Error{Errc::internal, fmt::format("{} ended at {} bytes, expected {}",
                                                     path.string(), offset, length)};
        }
        hasher.update(std::span<const std::byte>{buffer.data(), *n});
        offset += *n;
    }
    return ok();
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes,
                                    int* err_out) {
    auto fd = open_file(path, O_RDONLY, 0, err_out);
    if (!fd) {
        return fd.error();
    }
    std::string content;
    std::vector<std::byte> buffer(4096);
    for (;;) {
        auto n = pread_some(fd->get(), buffer, content.size(), path);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return content;
        }
        content.append(reinterpret_cast<const char*>(buffer.data()), *n);
        if (content.size() > max_bytes) {
            return Error{Errc::internal,
                         fmt::format("{} is larger than {} bytes", path.string(), max_bytes)};
        }
    }
}

Result<void> replace_file(const std::filesystem::path& path, std::string_view content) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (!fd) {
            return fd.error();
        }
        auto written = write_all(fd->get(), std::as_bytes(std::span{content}), tmp);
        if (!written) {
            return written.error();
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        return os_error("cannot rename into place", path, errno);
    }
    return ok();
}

Result<void> remove_tree(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) {
        return os_error("cannot remove", dir, ec.value());
    }
    return ok();
}

}  // namespace wharf::storage::fs
