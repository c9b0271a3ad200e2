#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "storage/meta/sqlite/sqlite_connection.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

namespace wharf::storage::sqlite {

enum class Role { writer, reader };

// How long a connection waits for another process's lock before failing with SQLITE_BUSY.
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};

// Opens a connection and sets its pragmas:
//   writer: journal_mode=WAL (checked), synchronous=FULL or NORMAL, foreign_keys=ON
//   reader: query_only=ON (a read() that tries to write fails), foreign_keys=ON
//   both:   busy_timeout
Result<std::unique_ptr<Connection>> open_connection(const std::filesystem::path& file, Role role,
                                                    const SqliteOptions& options);

}  // namespace wharf::storage::sqlite
