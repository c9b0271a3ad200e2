// The version files under the database directory:
//   vulndb-<n>.sqlite   complete versions, never modified after they are published
//   current             the name of the current version file, replaced by rename
//   import.lock         flock()ed while an import builds the next version
// Publishing renames a finished file into place and then `current`, each after an fsync, so a
// crash leaves either the old or the new version current, never a half-written one. Readers keep
// the file they opened even after it is pruned (POSIX keeps unlinked open files).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "scan/vulndb/store.hpp"

namespace wharf::scan::vulndb::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "vulndb-";
constexpr std::string_view kSuffix = ".sqlite";
constexpr int kKeep = 2;  // the current version and the one before, for readers still on it

Error io_error(std::string_view doing, const fs::path& path, int err) {
    return Error{Errc::internal, fmt::format("vulnerability database: {} {}: {}", doing,
                                             path.string(), std::strerror(err))};
}

// n from "vulndb-<n>.sqlite"; nullopt for any other name.
std::optional<std::int64_t> version_of(std::string_view name) {
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    const std::string_view digits =
        name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n <= 0) {
        return std::nullopt;
    }
    return n;
}

Result<void> fsync_path(const fs::path& path, bool directory) {
    const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        return io_error("opening", path, errno);
    }
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
        return io_error("syncing", path, err);
    }
    return ok();
}

Result<void> write_current(const fs::path& dir, std::string_view file_name) {
    const fs::path temp = dir / "current.tmp";
    const fs::path final_path = dir / "current";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << file_name << '\n';
        out.close();
        if (!out) {
            return io_error("writing", temp, errno);
        }
    }
    if (auto synced = fsync_path(temp, false); !synced) {
        return synced;
    }
    std::error_code ec;
    fs::rename(temp, final_path, ec);
    if (ec) {
        return io_error("renaming into place", final_path, ec.value());
    }
    return fsync_path(dir, true);
}

// Deletes versions below `oldest_kept`; failures only leave a stale file behind.
void prune(const fs::path& dir, std::int64_t oldest_kept) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto n = version_of(entry.path().filename().string());
        if (n && *n < oldest_kept) {
            fs::remove(entry.path(), ec);
        }
    }
}

}  // namespace

std::string version_file_name(std::int64_t n) {
    return fmt::format("{}{}{}", kPrefix, n, kSuffix);
}

Result<CurrentVersion> read_current(const fs::path& dir) {
    const fs::path pointer = dir / "current";
    std::ifstream in(pointer);
    if (!in) {
        std::error_code ec;
        if (!fs::exists(pointer, ec) && !ec) {
            return CurrentVersion{};
        }
        return io_error("reading", pointer, errno);
    }
    std::string name;
    std::getline(in, name);
    const auto n = version_of(name);
    if (!n) {
        return Error{Errc::internal,
                     fmt::format("vulnerability database: {} does not name a version file "
                                 "(\"{}\"); import the sources again",
                                 pointer.string(), name.substr(0, 64))};
    }
    CurrentVersion current{*n, dir / name};
    std::error_code ec;
    if (!fs::is_regular_file(current.file, ec)) {
        return Error{Errc::internal, fmt::format("vulnerability database: current version file "
                                                 "{} is missing; import the sources again",
                                                 current.file.string())};
    }
    return current;
}

Result<void> publish_version(const fs::path& dir, const fs::path& file, std::int64_t n) {
    if (auto synced = fsync_path(file, false); !synced) {
        return synced;
    }
    const std::string name = version_file_name(n);
    std::error_code ec;
    fs::rename(file, dir / name, ec);
    if (ec) {
        return io_error("renaming into place", dir / name, ec.value());
    }
    if (auto synced = fsync_path(dir, true); !synced) {
        return synced;
    }
    if (auto written = write_current(dir, name); !written) {
        return written;
    }
    prune(dir, n - (kKeep - 1));
    return ok();
}

Result<ImportLock> ImportLock::acquire(const fs::path& dir) {
    const fs::path path = dir / "import.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return io_error("opening", path, errno);
    }
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            const int err = errno;
            ::close(fd);
            return io_error("locking", path, err);
        }
    }
    return ImportLock(fd);
}

ImportLock::~ImportLock() {
    if (fd_ >= 0) {
        ::close(fd_);  // releases the flock
    }
}

}  // namespace wharf::scan::vulndb::detail
