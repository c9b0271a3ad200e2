#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace wharf::config {

struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 5000;
};

struct TimeoutsConfig {
    std::uint32_t header_seconds = 30;
    std::uint32_t idle_seconds = 120;
    std::uint32_t body_seconds = 60;
    std::uint32_t write_seconds = 60;
    std::uint32_t shutdown_grace_seconds = 30;
};

struct TlsConfig {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
};

struct ServerConfig {
    ListenAddress listen;
    std::uint32_t io_threads = 0;  // 0: one per core
    std::uint32_t blocking_threads = 16;
    std::uint32_t max_connections = 4096;
    std::uint32_t max_header_kib = 64;
    bool access_log = true;
    TimeoutsConfig timeouts;
    std::optional<TlsConfig> tls;
};

struct StorageConfig {
    std::filesystem::path data_dir = "./var";
    bool sqlite_full_sync = true;  // fsync every commit (power-loss safe)
};

struct RegistryConfig {
    // A push to a missing repository creates it even without a CREATE_ON_PUSH creation
    // template (ECR refuses such pushes; the embedded quick-start may allow them).
    bool create_on_push = false;
    std::uint64_t chunk_min_length = 1;
    std::string account_id = "000000000000";  // the registry id: 12 digits
    std::string region = "us-east-1";
    std::string public_host;  // for repositoryUri; "" = <account>.dkr.ecr.<region>.amazonaws.com
    // How often pull times noted in memory are written (lastRecordedPullTime's resolution).
    std::uint32_t pull_time_flush_seconds = 60;
};

struct AuthConfig {
    // 32 random bytes that seal access key secrets and sign tokens; kept outside the database.
    // "" = <data_dir>/master.key, created on first start with mode 0600.
    std::filesystem::path master_key_file;
    std::uint32_t token_hours = 12;
};

struct LifecycleConfig {
    // Each repository with a policy is evaluated this often (ECR acts "within 24 hours"); the
    // first run comes after a random part of the interval so restarts do not bunch runs.
    std::uint32_t interval_hours = 24;
};

struct GcConfig {
    std::uint32_t interval_seconds = 3600;  // how often the collector reviews its queue
    // A blob is reviewed only after this long without a new link or a dropped reference: the
    // time a push may take between uploading a layer and pushing the manifest naming it.
    std::uint32_t grace_seconds = 86400;
    std::uint32_t upload_max_age_seconds = 86400;  // abandoned upload sessions are removed
};

struct UsageConfig {
    // Storage price for `wharf admin usage` (ECR's standard storage is USD 0.10 per GB-month).
    double price_per_gb_month = 0.10;
    std::string currency = "USD";
};

struct ScanConfig {
    // The vulnerability database `wharf admin vulndb import` writes; "" = <data_dir>/vulndb.
    std::filesystem::path vulndb_dir;
    // How often the scan worker looks for queued scans (after a restart, or ones a full queue
    // did not take) and for a new database version to re-match stored inventories against.
    std::uint32_t sweep_seconds = 10;
    std::uint64_t max_layer_entries = 1'000'000;  // tar entries per layer; more fails the scan
};

struct LogConfig {
    std::string level = "info";  // trace, debug, info, warn, error, off
};

// Every setting of `wharf serve`; defaults need no file.
struct Config {
    ServerConfig server;
    StorageConfig storage;
    RegistryConfig registry;
    AuthConfig auth;
    LifecycleConfig lifecycle;
    GcConfig gc;
    UsageConfig usage;
    ScanConfig scan;
    LogConfig log;
};

// Parses "HOST:PORT", "[IPv6]:PORT" or ":PORT". Errc::bad_request says what is wrong.
Result<ListenAddress> parse_listen(std::string_view text);

// Reads a TOML file over the defaults. Unknown tables or keys and wrong types are errors that
// name the key and the line, so a typo never silently falls back to a default.
Result<Config> load_file(const std::filesystem::path& file);
Result<Config> load_string(std::string_view toml, std::string_view source_name = "config");

// Checks the values that are wrong whatever their source (flags or file).
Result<void> validate(const Config& config);

}  // namespace wharf::config
