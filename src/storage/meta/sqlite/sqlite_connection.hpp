#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace wharf::storage::sqlite {

// Errc::internal carrying SQLite's message; detail {"sqlite_code": <extended result code>}.
Error sqlite_error(sqlite3* db, int code, std::string_view what);
// Whether `error` came from a violated FOREIGN KEY constraint (a missing parent row).
bool is_foreign_key_violation(const Error& error) noexcept;
// Whether `error` came from a violated PRIMARY KEY or UNIQUE constraint.
bool is_unique_violation(const Error& error) noexcept;

// One use of a prepared statement. Binding text or blobs does not copy: the bound string must
// stay alive until the Statement is destroyed (rvalue strings are rejected at compile time).
// Destruction resets the statement and clears its bindings, ready for the next use.
class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt, bool* busy_flag, bool owned) noexcept
        : db_(db), stmt_(stmt), busy_(busy_flag), owned_(owned) {}
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQL (?1, ?2, ...). A failed bind is reported by step().
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, const std::string& text);
    Statement& bind(int index, std::string&& text) = delete;
    Statement& bind_blob(int index, const std::string& bytes);
    Statement& bind_blob(int index, std::string&& bytes) = delete;
    Statement& bind_null(int index);

    // true when a row is ready, false when the statement has finished.
    Result<bool> step();
    // Steps to the end (for statements that return no rows).
    Result<void> run();

    // Columns are 0-based.
    bool is_null(int column) const;
    std::int64_t column_int(int column) const;
    std::string column_text(int column) const;
    std::size_t column_bytes(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    bool* busy_;  // the cache slot's in-use flag; nullptr for a one-off statement
    bool owned_;  // finalize instead of returning to the cache
    int bind_error_ = 0;
};

// One SQLite connection with its cache of prepared statements. Used by one thread at a time
// (connections are opened SQLITE_OPEN_NOMUTEX); not thread-safe.
class Connection {
public:
    // Opens (creating when absent) the database file.
    static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& file);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Statements are compiled once per connection (SQLITE_PREPARE_PERSISTENT) and reused; a
    // statement already in use (a nested query of the same text) gets a one-off copy.
    Result<Statement> prepare(std::string_view sql);
    // Runs one or more statements that return no rows (schema changes, pragmas without output).
    Result<void> exec(const std::string& sql);
    // The first column of the first row of a query (pragmas, counts); nullopt when no row.
    Result<std::optional<std::string>> query_text(std::string_view sql);

    bool in_transaction() const noexcept;
    std::int64_t changes() const noexcept;  // rows changed by the last INSERT/UPDATE/DELETE
    sqlite3* handle() const noexcept { return db_; }

private:
    explicit Connection(sqlite3* db) : db_(db) {}

    struct Cached {
        sqlite3_stmt* stmt = nullptr;
        bool busy = false;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    sqlite3* db_;
    std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache_;
};

}  // namespace wharf::storage::sqlite
