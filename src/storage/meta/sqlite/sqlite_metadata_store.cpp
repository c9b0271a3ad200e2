#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "storage/meta/sqlite/migrations.hpp"
#include "storage/meta/sqlite/reader_pool.hpp"
#include "storage/meta/sqlite/sqlite_setup.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage {
namespace {

using sqlite::Connection;

constexpr std::size_t kMaxIdleReaders = 16;

// Runs fn between `begin` and COMMIT; rolls back when fn fails or throws, or COMMIT fails.
Result<void> run_transaction(Connection& db, std::string_view begin,
                             const MetadataStore::TxFn& fn) {
    {
        auto stmt = db.prepare(begin);
        if (!stmt) {
            return stmt.error();
        }
        if (auto started = stmt->run(); !started) {
            return started;
        }
    }
    Result<void> result;
    try {
        sqlite::SqliteTx tx(db);
        result = fn(tx);
    } catch (const std::exception& e) {
        result =
            Error{Errc::internal, fmt::format("transaction aborted by an exception: {}", e.what())};
    } catch (...) {
        result = Error{Errc::internal, "transaction aborted by an unknown exception"};
    }
    if (result) {
        auto commit = db.prepare("COMMIT");
        if (!commit) {
            result = commit.error();
        } else if (auto done = commit->run(); !done) {
            result = std::move(done);
        }
    }
    // SQLite may already have rolled back by itself (e.g. SQLITE_FULL); only roll back what is
    // still open.
    if (db.in_transaction()) {
        if (auto rollback = db.prepare("ROLLBACK")) {
            (void)rollback->run();
        }
    }
    return result;
}

class SqliteMetadataStore final : public MetadataStore {
public:
    SqliteMetadataStore(std::unique_ptr<Connection> writer, std::filesystem::path file,
                        SqliteOptions options)
        : writer_(std::move(writer)), readers_(std::move(file), options, kMaxIdleReaders) {}

    Result<void> read(const TxFn& fn) override {
        auto lease = readers_.acquire();
        if (!lease) {
            return lease.error();
        }
        // DEFERRED: the snapshot is taken at the first read and held until COMMIT.
        return run_transaction(**lease, "BEGIN DEFERRED", fn);
    }

    Result<void> write(const TxFn& fn) override {
        if (writer_thread_.load() == std::this_thread::get_id()) {
            return Error{Errc::internal, "write() called inside a write transaction"};
        }
        std::lock_guard lock(write_mutex_);
        writer_thread_.store(std::this_thread::get_id());
        // IMMEDIATE takes the write lock up front, waiting busy_timeout for other processes, so
        // a transaction never fails half-way because it could not upgrade a read lock.
        auto result = run_transaction(*writer_, "BEGIN IMMEDIATE", fn);
        writer_thread_.store(std::thread::id{});
        return result;
    }

private:
    std::mutex write_mutex_;
    std::atomic<std::thread::id> writer_thread_{};
    std::unique_ptr<Connection> writer_;
    sqlite::ReaderPool readers_;
};

}  // namespace

Result<std::unique_ptr<MetadataStore>> open_sqlite_metadata_store(const std::filesystem::path& file,
                                                                  SqliteOptions options) {
    if (file.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(file.parent_path(), ec);
        if (ec) {
            return Error{Errc::internal, fmt::format("cannot create {}: {}",
                                                     file.parent_path().string(), ec.message())};
        }
    }
    auto writer = sqlite::open_connection(file, sqlite::Role::writer, options);
    if (!writer) {
        return writer.error();
    }
    auto version =
        sqlite::apply_migrations(**writer, sqlite::all_migrations(), SystemClock{}.now());
    if (!version) {
        return version.error();
    }
    return std::unique_ptr<MetadataStore>(
        new SqliteMetadataStore(std::move(*writer), file, options));
}

}  // namespace wharf::storage
