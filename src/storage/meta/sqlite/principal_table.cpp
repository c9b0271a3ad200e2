#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage::sqlite {
namespace {

constexpr std::string_view kColumns = "id, kind, name, unique_id, created_at, tags_json";

const std::string& kind_text(PrincipalKind kind) {
    static const std::string kUser = "user";
    static const std::string kRole = "role";
    return kind == PrincipalKind::user ? kUser : kRole;
}

PrincipalRecord read_principal(const Statement& row) {
    return PrincipalRecord{row.column_int(0),
                           row.column_text(1) == "role" ? PrincipalKind::role : PrincipalKind::user,
                           row.column_text(2),
                           row.column_text(3),
                           column_time(row, 4),
                           tags_from_json(row.column_text(5))};
}

Result<std::optional<PrincipalRecord>> one_principal(Statement& stmt) {
    auto row = stmt.step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<PrincipalRecord>{};
    }
    return std::optional<PrincipalRecord>{read_principal(stmt)};
}

}  // namespace

Result<std::optional<PrincipalRecord>> SqlitePrincipalTable::find(PrincipalKind kind,
                                                                  const std::string& name) {
    static const std::string sql =
        fmt::format("SELECT {} FROM principals WHERE kind = ?1 AND name = ?2", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, kind_text(kind)).bind(2, name);
    return one_principal(*stmt);
}

Result<std::optional<PrincipalRecord>> SqlitePrincipalTable::find_by_id(std::int64_t id) {
    static const std::string sql = fmt::format("SELECT {} FROM principals WHERE id = ?1", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, id);
    return one_principal(*stmt);
}

Result<PrincipalRecord> SqlitePrincipalTable::create(PrincipalKind kind, const std::string& name,
                                                     const std::string& unique_id, TimePoint now) {
    {
        auto stmt = db_.prepare(
            "INSERT INTO principals (kind, name, unique_id, created_at) VALUES (?1, ?2, ?3, ?4)");
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, kind_text(kind))
                            .bind(2, name)
                            .bind(3, unique_id)
                            .bind(4, to_unix_millis(now))
                            .run();
            !done) {
            if (is_unique_violation(done.error())) {
                return Error{Errc::already_exists,
                             fmt::format("a {} named {} already exists", kind_text(kind), name),
                             {{"kind", kind_text(kind)}}};
            }
            return done.error();
        }
    }
    auto made = find(kind, name);
    if (!made) {
        return made.error();
    }
    if (!*made) {
        return Error{Errc::internal,
                     fmt::format("{} {} vanished after creation", kind_text(kind), name)};
    }
    return std::move(**made);
}

Result<std::vector<PrincipalRecord>> SqlitePrincipalTable::list(PrincipalKind kind) {
    static const std::string sql =
        fmt::format("SELECT {} FROM principals WHERE kind = ?1 ORDER BY name", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, kind_text(kind));
    return collect_rows<PrincipalRecord>(
        *stmt, [](const Statement& row) -> Result<PrincipalRecord> { return read_principal(row); });
}

Result<bool> SqlitePrincipalTable::remove(std::int64_t id) {
    static constexpr const char* kDeletes[] = {
        "DELETE FROM access_keys WHERE principal_id = ?1",
        "DELETE FROM principal_policies WHERE principal_id = ?1",
        "DELETE FROM principals WHERE id = ?1",  // last: changes() below
    };
    for (const char* sql : kDeletes) {
        auto stmt = db_.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, id).run(); !done) {
            return done.error();
        }
    }
    return db_.changes() > 0;
}

Result<void> SqlitePrincipalTable::put_policy(std::int64_t id, const std::string& name,
                                              const std::string& document) {
    auto stmt = db_.prepare(
        "INSERT INTO principal_policies (principal_id, name, document) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (principal_id, name) DO UPDATE SET document = excluded.document");
    if (!stmt) {
        return stmt.error();
    }
    return stmt->bind(1, id).bind(2, name).bind(3, document).run();
}

Result<bool> SqlitePrincipalTable::remove_policy(std::int64_t id, const std::string& name) {
    auto stmt = db_.prepare("DELETE FROM principal_policies WHERE principal_id = ?1 AND name = ?2");
    if (!stmt) {
        return stmt.error();
    }
    if (auto done = stmt->bind(1, id).bind(2, name).run(); !done) {
        return done.error();
    }
    return db_.changes() > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> SqlitePrincipalTable::policies(
    std::int64_t id) {
    auto stmt = db_.prepare(
        "SELECT name, document FROM principal_policies WHERE principal_id = ?1 ORDER BY name");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, id);
    return collect_pairs(*stmt);
}

Result<void> SqlitePrincipalTable::set_tags(std::int64_t id, const ResourceTags& tags) {
    auto stmt = db_.prepare("UPDATE principals SET tags_json = ?2 WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    const std::string json = tags_to_json(tags);
    return stmt->bind(1, id).bind(2, json).run();
}

}  // namespace wharf::storage::sqlite
