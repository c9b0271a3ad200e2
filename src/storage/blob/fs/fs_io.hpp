#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "common/hash.hpp"
#include "common/result.hpp"

// File-descriptor level helpers for the filesystem blob store: every OS failure becomes
// Errc::internal naming the operation, the path and strerror.
namespace wharf::storage::fs {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept;
    void reset() noexcept;

private:
    int fd_ = -1;
};

// Errc::internal "<what> <path>: <strerror(err)>".
Error os_error(std::string_view what, const std::filesystem::path& path, int err);

// open(2) with O_CLOEXEC added; `err_out` receives errno on failure (so callers can tell ENOENT).
Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, int mode = 0,
                           int* err_out = nullptr);
// Writes all of `bytes`, retrying short writes and EINTR.
Result<void> write_all(int fd, std::span<const std::byte> bytes, const std::filesystem::path& path);
// pread(2) retrying EINTR; returns 0 at end of file.
Result<std::size_t> pread_some(int fd, std::span<std::byte> out, std::uint64_t offset,
                               const std::filesystem::path& path);
Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path);
Result<void> fsync_fd(int fd, const std::filesystem::path& path);
Result<void> fsync_dir(const std::filesystem::path& dir);
// mkdir(2); an existing directory is fine. `created` tells whether it was made now.
Result<void> make_dir(const std::filesystem::path& dir, bool* created = nullptr);
// Feeds the first `length` bytes of the file to `hasher`, streaming in fixed-size chunks.
Result<void> hash_file(int fd, std::uint64_t length, Hasher& hasher,
                       const std::filesystem::path& path);
// Whole content of a small file; Errc::internal also when it is larger than `max_bytes`.
Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes,
                                    int* err_out = nullptr);
// Writes `content` to `path` through `path`.tmp and rename(2), so readers never see a torn file.
Result<void> replace_file(const std::filesystem::path& path, std::string_view content);
// Removes a directory and what is in it; an absent directory is fine.
Result<void> remove_tree(const std::filesystem::path& dir);

}  // namespace wharf::storage::fs
