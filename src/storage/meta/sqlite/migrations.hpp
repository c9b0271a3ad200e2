#pragma once

#include <span>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/meta/sqlite/sqlite_connection.hpp"

namespace wharf::storage::sqlite {

// One schema change. Versions start at 1 and increase by one; a released migration is never
// edited, only followed by a new one.
struct Migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

// Every migration this build knows, in order (migrations.cpp).
std::span<const Migration> all_migrations();

// The highest version recorded in schema_migrations (0 for a new database).
Result<int> schema_version(Connection& db);

// Creates schema_migrations when absent, then applies each migration newer than the database,
// each in its own IMMEDIATE transaction together with its schema_migrations row (so a crash or
// a concurrent opener never applies one twice). Returns the resulting version. Errc::internal
// when a migration fails (that migration is rolled back) or the database is newer than `list`.
Result<int> apply_migrations(Connection& db, std::span<const Migration> list, TimePoint now);

}  // namespace wharf::storage::sqlite
