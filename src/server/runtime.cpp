#include "server/runtime.hpp"

#include <fmt/format.h>

#include "server/credentials.hpp"
#include "storage/blob/fs/fs_blob_store.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

namespace wharf::server {

Result<std::unique_ptr<Runtime>> open_runtime(const config::Config& config) {
    auto rt = std::make_unique<Runtime>();
    const auto& data = config.storage.data_dir;
    std::error_code ec;
    std::filesystem::create_directories(data, ec);
    if (ec) {
        return Error{Errc::internal, fmt::format("cannot create data directory {}: {}",
                                                 data.string(), ec.message())};
    }
    auto blobs = storage::open_fs_blob_store(data / "blobs");
    if (!blobs) {
        return Error{Errc::internal, "blob storage: " + blobs.error().message};
    }
    auto meta = storage::open_sqlite_metadata_store(
        data / "metadata.db", storage::SqliteOptions{.full_sync = config.storage.sqlite_full_sync});
    if (!meta) {
        return Error{Errc::internal, "metadata store: " + meta.error().message};
    }
    auto key = load_master_key(config);
    if (!key) {
        return key.error();
    }
    auto box = SecretBox::from_key(*key);
    if (!box) {
        return box.error();
    }
    rt->blobs = std::move(*blobs);
    rt->meta = std::move(*meta);
    rt->master_key = *key;
    rt->secrets = std::make_unique<SecretBox>(std::move(*box));
    registry::RegistryOptions options{
        .account = auth::AccountInfo{config.registry.account_id, config.registry.region},
        .public_host = config.registry.public_host,
        .create_on_push = config.registry.create_on_push,
        .chunk_min_length = config.registry.chunk_min_length,
    };
    rt->registry = std::make_unique<registry::Registry>(
        registry::ServiceContext{*rt->blobs, *rt->meta, rt->clock, options});
    rt->accounts = std::make_unique<registry::AccountAdmin>(rt->registry->ctx, *rt->secrets);
    rt->vulndb = std::make_shared<VulnDbSource>(vulndb_dir(config));
    rt->registry->scans.set_database([source = rt->vulndb] { return source->current(); });
    scan::layer::Limits limits;
    limits.max_entries = config.scan.max_layer_entries;
    rt->registry->scans.set_limits(limits);
    return rt;
}

gc::Options gc_options(const config::Config& config) {
    return gc::Options{.grace = std::chrono::seconds(config.gc.grace_seconds),
                       .upload_max_age = std::chrono::seconds(config.gc.upload_max_age_seconds),
                       .batch = 1000,
                       .delete_parallelism = 8};
}

}  // namespace wharf::server
