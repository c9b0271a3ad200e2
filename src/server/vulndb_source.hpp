#pragma once

// The scanner's view of the vulnerability database directory: the current version, reopened
// when `wharf admin vulndb import` (from any process) publishes a new one.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "config/config.hpp"
#include "scan/vulndb/database.hpp"

namespace wharf::server {

class VulnDbSource {
public:
    explicit VulnDbSource(std::filesystem::path dir) : dir_(std::move(dir)) {}
    // The current version, checked for a newer one at most once a second; null only when the
    // directory cannot be read at all (the scan then fails with that reason).
    std::shared_ptr<const scan::vulndb::Database> current();
    const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    std::filesystem::path dir_;
    std::mutex mutex_;
    std::shared_ptr<const scan::vulndb::Database> db_;
    std::string pointer_;  // the content of `current` when db_ was opened
    std::chrono::steady_clock::time_point checked_{};
};

// <data>/vulndb unless [scan] vulndb_dir says otherwise.
std::filesystem::path vulndb_dir(const config::Config& config);

}  // namespace wharf::server
