#include "storage/meta/sqlite/reader_pool.hpp"

#include "storage/meta/sqlite/sqlite_setup.hpp"

namespace wharf::storage::sqlite {

ReaderPool::Lease::~Lease() {
    if (db_) {
        pool_->release(std::move(db_));
    }
}

Result<ReaderPool::Lease> ReaderPool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(db));
        }
    }
    // Opening happens outside the lock; a burst of readers opens connections in parallel.
    auto db = open_connection(file_, Role::reader, options_);
    if (!db) {
        return db.error();
    }
    return Lease(*this, std::move(*db));
}

std::size_t ReaderPool::idle_count() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

void ReaderPool::release(std::unique_ptr<Connection> db) {
    if (db->in_transaction()) {  // never hand out a connection holding an old snapshot
        return;
    }
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) {
        idle_.push_back(std::move(db));
    }
}

}  // namespace wharf::storage::sqlite
