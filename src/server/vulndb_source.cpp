#include "server/vulndb_source.hpp"

#include <fstream>
#include <iterator>

#include <spdlog/spdlog.h>

namespace wharf::server {

std::filesystem::path vulndb_dir(const config::Config& config) {
    return config.scan.vulndb_dir.empty() ? config.storage.data_dir / "vulndb"
                                          : config.scan.vulndb_dir;
}

std::shared_ptr<const scan::vulndb::Database> VulnDbSource::current() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (db_ && now - checked_ < std::chrono::seconds(1)) {
        return db_;
    }
    checked_ = now;
    std::ifstream in(dir_ / "current");
    std::string pointer((std::istreambuf_iterator<char>(in)), {});
    if (db_ && pointer == pointer_) {
        return db_;
    }
    auto opened = scan::vulndb::open_current(dir_);
    if (!opened) {
        spdlog::warn("vulnerability database in {}: {}", dir_.string(), opened.error().message);
        return db_;  // keep using the version that was open, if any
    }
    if (db_ && (*opened)->status().version != db_->status().version) {
        spdlog::info("vulnerability database: now version {} ({} advisories)",
                     (*opened)->status().version, (*opened)->status().advisories);
    }
    db_ = std::move(*opened);
    pointer_ = std::move(pointer);
    return db_;
}

}  // namespace wharf::server
