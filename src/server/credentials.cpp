#include "server/credentials.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "common/secret_box.hpp"

namespace wharf::server {
namespace {

Error io_error(std::string_view what, const std::filesystem::path& file) {
    return Error{Errc::internal,
                 fmt::format("{} {}: {}", what, file.string(), std::strerror(errno))};
}

// Creates `file` exclusively with mode 0600 and writes all of `bytes`, fsynced.
Result<void> write_private(const std::filesystem::path& file, std::string_view bytes) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return io_error("cannot create", file);
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            auto e = io_error("cannot write", file);
            ::close(fd);
            return e;
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced ? ok() : Result<void>(io_error("cannot fsync", file));
}

}  // namespace

Result<std::array<std::byte, 32>> load_master_key(const config::Config& config) {
    const auto file = config.auth.master_key_file.empty() ? config.storage.data_dir / "master.key"
                                                          : config.auth.master_key_file;
    std::array<std::byte, 32> key{};
    if (!std::filesystem::exists(file)) {
        key = SecretBox::generate_key();
        auto written = write_private(
            file, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
        // Another process (an admin command beside the server) may have created it first.
        if (written || errno != EEXIST) {
            if (!written) {
                return written.error();
            }
            return key;
        }
    }
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return io_error("cannot read master key", file);
    }
    struct stat st {};
    const bool sized = ::fstat(fd, &st) == 0 && st.st_size == 32;
    const auto n = sized ? ::read(fd, key.data(), key.size()) : -1;
    ::close(fd);
    if (n != 32) {
        return Error{Errc::internal,
                     fmt::format("master key {} must hold exactly 32 bytes; restore it from your "
                                 "backup (access key secrets cannot be read without it)",
                                 file.string())};
    }
    return key;
}

std::array<std::byte, 32> token_signing_key(const std::array<std::byte, 32>& master) {
    // Domain separation: the token key never equals the sealing key.
    const std::string input =
        "wharf token signing v1:" +
        std::string(reinterpret_cast<const char*>(master.data()), master.size());
    const auto hex = hex_digest(HashAlgorithm::sha256, input);
    std::array<std::byte, 32> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::byte>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    return out;
}

std::string access_key_json(const registry::NewAccessKey& key) {
    nlohmann::json k{
        {key.principal.kind == storage::PrincipalKind::user ? "UserName" : "RoleName",
         key.principal.name},
        {"AccessKeyId", key.key.access_key_id},
        {"Status", key.key.active ? "Active" : "Inactive"},
        {"SecretAccessKey", key.secret},
        {"CreateDate", to_rfc3339(key.key.created_at)},
    };
    return nlohmann::json{{"AccessKey", k}}.dump(4) + "\n";
}

Result<void> write_admin_credentials(const std::filesystem::path& file,
                                     const registry::NewAccessKey& key) {
    return write_private(file, access_key_json(key));
}

}  // namespace wharf::server
