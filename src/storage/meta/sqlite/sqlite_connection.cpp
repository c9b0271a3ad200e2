#include "storage/meta/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace wharf::storage::sqlite {

Error sqlite_error(sqlite3* db, int code, std::string_view what) {
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    return Error{
        Errc::internal, fmt::format("sqlite: {}: {}", what, message), {{"sqlite_code", code}}};
}

namespace {

int sqlite_code(const Error& error) noexcept {
    if (!error.detail.is_object()) {
        return 0;
    }
    auto it = error.detail.find("sqlite_code");
    return it != error.detail.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string_view head(std::string_view sql) {  // enough SQL to recognise the statement
    return sql.substr(0, 60);
}

}  // namespace

bool is_foreign_key_violation(const Error& error) noexcept {
    return sqlite_code(error) == SQLITE_CONSTRAINT_FOREIGNKEY;
}

bool is_unique_violation(const Error& error) noexcept {
    const int code = sqlite_code(error);
    return code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE;
}

// ---- Statement ----

Statement::~Statement() {
    if (stmt_ == nullptr) {
        return;
    }
    if (owned_) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (busy_ != nullptr) {
        *busy_ = false;
    }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      busy_(other.busy_),
      owned_(other.owned_),
      bind_error_(other.bind_error_) {
    other.stmt_ = nullptr;
    other.busy_ = nullptr;
}

namespace {

void remember(int rc, int& first_error) {
    if (rc != SQLITE_OK && first_error == 0) {
        first_error = rc;
    }
}

}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
    remember(sqlite3_bind_int64(stmt_, index, value), bind_error_);
    return *this;
}

Statement& Statement::bind(int index, const std::string& text) {
    remember(
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8),
        bind_error_);
    return *this;
}

Statement& Statement::bind_blob(int index, const std::string& bytes) {
    // A zero-length blob with a null pointer would bind NULL; data() is never null.
    remember(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC),
             bind_error_);
    return *this;
}

Statement& Statement::bind_null(int index) {
    remember(sqlite3_bind_null(stmt_, index), bind_error_);
    return *this;
}

Result<bool> Statement::step() {
    if (bind_error_ != 0) {
        return sqlite_error(
            db_, bind_error_,
            fmt::format("cannot bind parameters of '{}'", head(sqlite3_sql(stmt_))));
    }
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return sqlite_error(db_, sqlite3_extended_errcode(db_),
                        fmt::format("'{}' failed", head(sqlite3_sql(stmt_))));
}

Result<void> Statement::run() {
    for (;;) {
        auto row = step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return ok();
        }
    }
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::column_text(int column) const {
    // sqlite3_column_blob works for TEXT too and does not stop at an embedded NUL.
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) {
        return {};
    }
    return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::size_t Statement::column_bytes(int column) const {
    return static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
}

// ---- Connection ----

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error error = sqlite_error(db, rc, fmt::format("cannot open {}", file.string()));
        sqlite3_close(db);
        return error;
    }
    sqlite3_extended_result_codes(db, 1);
    return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
    for (auto& [sql, cached] : cache_) {
        sqlite3_finalize(cached.stmt);
    }
    sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.busy) {
        it->second.busy = true;
        return Statement(db_, it->second.stmt, &it->second.busy, false);
    }
    const bool cache = it == cache_.end();
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        return sqlite_error(db_, rc, fmt::format("cannot prepare '{}'", head(sql)));
    }
    if (!cache) {  // the cached copy is in use further up the stack
        return Statement(db_, stmt, nullptr, true);
    }
    auto [slot, inserted] = cache_.emplace(std::string(sql), Cached{stmt, true});
    return Statement(db_, stmt, &slot->second.busy, false);
}

Result<void> Connection::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        Error error{Errc::internal,
                    fmt::format("sqlite: '{}' failed: {}", head(sql),
                                message != nullptr ? message : sqlite3_errstr(rc)),
                    {{"sqlite_code", sqlite3_extended_errcode(db_)}}};
        sqlite3_free(message);
        return error;
    }
    return ok();
}

Result<std::optional<std::string>> Connection::query_text(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>{stmt->column_text(0)};
}

bool Connection::in_transaction() const noexcept {
    return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t Connection::changes() const noexcept {
    return sqlite3_changes64(db_);
}

}  // namespace wharf::storage::sqlite
