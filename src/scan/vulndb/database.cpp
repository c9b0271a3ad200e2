// Reading a version: open_current() and the Database lookups over one read-only version file.
#include "scan/vulndb/database.hpp"

#include <mutex>

#include <fmt/format.h>

#include "scan/vulndb/store.hpp"

namespace wharf::scan::vulndb {
namespace {

using detail::Statement;

// Nothing imported yet: every lookup finds nothing.
class EmptyDatabase final : public Database {
public:
    const Status& status() const override { return status_; }
    Result<std::vector<Advisory>> lookup(std::string_view, std::string_view) const override {
        return std::vector<Advisory>();
    }
    Result<std::vector<Advisory>> by_alias(std::string_view) const override {
        return std::vector<Advisory>();
    }

private:
    Status status_;
};

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(detail::SqliteHandle db, Status status, Statement lookup, Statement alias)
        : db_(std::move(db)),
          status_(std::move(status)),
          lookup_(std::move(lookup)),
          alias_(std::move(alias)) {}

    const Status& status() const override { return status_; }

    Result<std::vector<Advisory>> lookup(std::string_view ecosystem,
                                         std::string_view name) const override {
        const std::string norm = detail::normalize_name(ecosystem, name);
        const std::lock_guard lock(mutex_);  // one connection, statements reused
        lookup_.reset();
        lookup_.bind(1, ecosystem);
        lookup_.bind(2, std::string_view(norm));
        return collect(lookup_);
    }

    Result<std::vector<Advisory>> by_alias(std::string_view id) const override {
        const std::lock_guard lock(mutex_);
        alias_.reset();
        alias_.bind(1, id);
        return collect(alias_);
    }

private:
    static Result<std::vector<Advisory>> collect(Statement& stmt) {
        std::vector<Advisory> out;
        for (;;) {
            auto row = stmt.step();
            if (!row) {
                stmt.reset();
                return std::move(row).error();
            }
            if (!*row) {
                break;
            }
            auto adv = detail::decode(stmt.text(0));
            if (!adv) {
                stmt.reset();
                return std::move(adv).error();
            }
            out.push_back(std::move(*adv));
        }
        stmt.reset();
        return out;
    }

    detail::SqliteHandle db_;
    Status status_;
    mutable std::mutex mutex_;
    mutable Statement lookup_;
    mutable Statement alias_;
};

}  // namespace

Result<std::shared_ptr<const Database>> open_current(const std::filesystem::path& dir) {
    auto current = detail::read_current(dir);
    if (!current) {
        return std::move(current).error();
    }
    if (current->number == 0) {
        return std::shared_ptr<const Database>(std::make_shared<EmptyDatabase>());
    }
    auto db = detail::open_sqlite(current->file, /*read_only=*/true);
    if (!db) {
        return std::move(db).error();
    }
    auto status = detail::read_status(db->get());
    if (!status) {
        return std::move(status).error();
    }
    // Withdrawn records are kept in the file (a later import may un-withdraw them) but never
    // returned. Order by id so matching is deterministic.
    auto lookup = Statement::prepare(
        db->get(),
        "SELECT a.json FROM affected f JOIN advisory a ON a.rowid = f.adv "
        "WHERE f.ecosystem = ?1 AND f.name_norm = ?2 AND a.withdrawn = '' ORDER BY a.id, a.key");
    if (!lookup) {
        return std::move(lookup).error();
    }
    auto alias = Statement::prepare(db->get(),
                                    "SELECT a.json FROM alias l JOIN advisory a ON a.rowid = l.adv "
                                    "WHERE l.alias = ?1 AND a.withdrawn = '' ORDER BY a.id, a.key");
    if (!alias) {
        return std::move(alias).error();
    }
    return std::shared_ptr<const Database>(std::make_shared<SqliteDatabase>(
        std::move(*db), std::move(*status), std::move(*lookup), std::move(*alias)));
}

}  // namespace wharf::scan::vulndb
