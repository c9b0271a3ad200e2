#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "storage/meta/sqlite/migrations.hpp"
#include "storage/meta/sqlite/reader_pool.hpp"
#include "storage/meta/sqlite/sqlite_setup.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage {
namespace {

using sqlite::Connection;

constexpr std::size_t kMaxIdleReaders = 16;

Result<void> exec(Connection& db, std::string_view sql) {
    auto stmt = db.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    return stmt->run();
}

// Runs fn, turning an exception into an error.
Result<void> run_guarded(Connection& db, const MetadataStore::TxFn& fn) {
    try {
        sqlite::SqliteTx tx(db);
        return fn(tx);
    } catch (const std::exception& e) {
        return Error{Errc::internal,
                     fmt::format("transaction aborted by an exception: {}", e.what())};
    } catch (...) {
        return Error{Errc::internal, "transaction aborted by an unknown exception"};
    }
}

// Rolls back what is still open: SQLite may already have rolled back by itself (SQLITE_FULL).
void rollback_if_open(Connection& db) {
    if (db.in_transaction()) {
        (void)exec(db, "ROLLBACK");
    }
}

// Runs fn between `begin` and COMMIT; rolls back when fn fails or throws, or COMMIT fails.
Result<void> run_transaction(Connection& db, std::string_view begin,
                             const MetadataStore::TxFn& fn) {
    if (auto started = exec(db, begin); !started) {
        return started;
    }
    Result<void> result = run_guarded(db, fn);
    if (result) {
        result = exec(db, "COMMIT");
    }
    rollback_if_open(db);
    return result;
}

// A write waiting for the group commit that carries it.
struct PendingWrite {
    const MetadataStore::TxFn* fn;
    Result<void> result;
    bool done = false;
};

// Group commit: one transaction, one fsync, for every write queued meanwhile. Each write runs
// inside its own savepoint, so one that fails is undone alone; if COMMIT (or SQLite itself)
// fails, every write of the batch fails.
void run_batch(Connection& db, const std::vector<PendingWrite*>& batch) {
    auto fail_all = [&](const Error& error) {
        for (auto* w : batch) {
            w->result = error;
        }
    };
    // IMMEDIATE takes the write lock up front, waiting busy_timeout for other processes, so a
    // batch never fails half-way because it could not upgrade a read lock.
    if (auto started = exec(db, "BEGIN IMMEDIATE"); !started) {
        fail_all(started.error());
        return;
    }
    for (auto* w : batch) {
        if (auto saved = exec(db, "SAVEPOINT write"); !saved) {
            fail_all(saved.error());
            rollback_if_open(db);
            return;
        }
        w->result = run_guarded(db, *w->fn);
        if (!db.in_transaction()) {
            fail_all(Error{Errc::internal,
                           "the metadata transaction was rolled back by SQLite; "
                           "retry the request"});
            return;
        }
        if (!w->result) {
            (void)exec(db, "ROLLBACK TO write");
        }
        (void)exec(db, "RELEASE write");
    }
    if (auto committed = exec(db, "COMMIT"); !committed) {
        fail_all(committed.error());
    }
    rollback_if_open(db);
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
        PendingWrite mine{&fn, ok()};
        std::unique_lock lock(queue_mutex_);
        queue_.push_back(&mine);
        while (!mine.done) {
            if (leading_) {
                batch_done_.wait(lock);
                continue;
            }
            // Lead: commit everything queued so far, ours included, in one transaction.
            leading_ = true;
            std::vector<PendingWrite*> batch;
            batch.swap(queue_);
            lock.unlock();
            writer_thread_.store(std::this_thread::get_id());
            run_batch(*writer_, batch);
            writer_thread_.store(std::thread::id{});
            lock.lock();
            for (auto* w : batch) {
                w->done = true;
            }
            leading_ = false;
            batch_done_.notify_all();
        }
        return std::move(mine.result);
    }

private:
    std::mutex queue_mutex_;
    std::condition_variable batch_done_;
    std::vector<PendingWrite*> queue_;  // writes waiting for the next group commit
    bool leading_ = false;              // a thread is committing a batch
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
