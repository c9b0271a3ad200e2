#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "common/clock.hpp"
#include "common/secret_box.hpp"
#include "config/config.hpp"
#include "gc/collector.hpp"
#include "registry/accounts.hpp"
#include "registry/registry.hpp"
#include "server/vulndb_source.hpp"

namespace wharf::server {

// What `wharf serve` and every `wharf admin` command open from one configuration: the storage
// drivers, the master key and the registry services over them. Admin commands run beside a
// live server safely: SQLite serialises writers, and the server re-reads keys and policies
// within its cache lifetime.
struct Runtime {
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<storage::MetadataStore> meta;
    SystemClock clock;
    std::array<std::byte, 32> master_key{};
    std::unique_ptr<SecretBox> secrets;
    std::unique_ptr<registry::Registry> registry;
    std::unique_ptr<registry::AccountAdmin> accounts;
    std::shared_ptr<VulnDbSource> vulndb;
};

Result<std::unique_ptr<Runtime>> open_runtime(const config::Config& config);

// The collector's settings from [gc].
gc::Options gc_options(const config::Config& config);

}  // namespace wharf::server
