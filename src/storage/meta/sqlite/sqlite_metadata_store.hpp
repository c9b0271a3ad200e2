#pragma once

#include <filesystem>
#include <memory>

#include "storage/meta/metadata_store.hpp"

namespace wharf::storage {

struct SqliteOptions {
    // synchronous=FULL makes each commit durable on return (power-loss safe); NORMAL in WAL
    // mode is durable against process crashes (kill -9) but not against power loss.
    bool full_sync = true;
};

// Opens (creating when absent) the SQLite database in WAL mode and applies pending migrations.
// Errc::internal when the file cannot be opened or a migration fails.
Result<std::unique_ptr<MetadataStore>> open_sqlite_metadata_store(const std::filesystem::path& file,
                                                                  SqliteOptions options = {});

}  // namespace wharf::storage
