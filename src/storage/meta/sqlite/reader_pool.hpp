#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/meta/sqlite/sqlite_connection.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

namespace wharf::storage::sqlite {

// Read-only connections for read(): a reader takes an idle connection (or opens one), runs its
// snapshot transaction without any lock held, and gives the connection back. The mutex guards
// only the idle list, never a query; WAL lets the readers run beside the writer.
class ReaderPool {
public:
    ReaderPool(std::filesystem::path file, SqliteOptions options, std::size_t max_idle)
        : file_(std::move(file)), options_(options), max_idle_(max_idle) {}

    // A connection returned to the pool when the lease is destroyed.
    class Lease {
    public:
        Lease(ReaderPool& pool, std::unique_ptr<Connection> db)
            : pool_(&pool), db_(std::move(db)) {}
        ~Lease();
        Lease(Lease&& other) noexcept : pool_(other.pool_), db_(std::move(other.db_)) {}
        Lease& operator=(Lease&&) = delete;
        Connection& operator*() const noexcept { return *db_; }

    private:
        ReaderPool* pool_;
        std::unique_ptr<Connection> db_;
    };

    Result<Lease> acquire();
    std::size_t idle_count() const;

private:
    void release(std::unique_ptr<Connection> db);

    const std::filesystem::path file_;
    const SqliteOptions options_;
    const std::size_t max_idle_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace wharf::storage::sqlite
