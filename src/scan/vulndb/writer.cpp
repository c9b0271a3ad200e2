// VersionWriter: inserts records into a version file under construction. All statements are
// prepared once and the whole import is one transaction; that, not the SQL, is what makes the
// 44,000-record Debian snapshot import in seconds.
#include <set>

#include <fmt/format.h>

#include "scan/vulndb/store.hpp"

namespace wharf::scan::vulndb::detail {

struct VersionWriter::Statements {
    Statement find;
    Statement drop_alias;
    Statement drop_affected;
    Statement drop_advisory;
    Statement insert_advisory;
    Statement insert_alias;
    Statement insert_affected;
};

namespace {

Result<Statement> prepare(sqlite3* db, const char* sql) {
    return Statement::prepare(db, sql);
}

constexpr const char* kInsertAdvisory =
    "INSERT INTO advisory(key, id, source, modified, withdrawn, json) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

// Runs a statement that returns no rows, then resets it for reuse.
Result<void> run(Statement& stmt) {
    auto r = stmt.step();
    stmt.reset();
    if (!r) {
        return std::move(r).error();
    }
    return ok();
}

}  // namespace

VersionWriter::VersionWriter(sqlite3* db, std::unique_ptr<Statements> s)
    : db_(db), s_(std::move(s)) {}

VersionWriter::~VersionWriter() = default;

Result<std::unique_ptr<VersionWriter>> VersionWriter::begin(sqlite3* db) {
    if (auto schema = create_schema(db); !schema) {
        return std::move(schema).error();
    }
    const char* sql[] = {
        "SELECT rowid FROM advisory WHERE key = ?1",
        "DELETE FROM alias WHERE adv = ?1",
        "DELETE FROM affected WHERE adv = ?1",
        "DELETE FROM advisory WHERE rowid = ?1",
        kInsertAdvisory,
        "INSERT OR IGNORE INTO alias(alias, adv) VALUES(?1, ?2)",
        "INSERT OR IGNORE INTO affected(ecosystem, name_norm, adv) VALUES(?1, ?2, ?3)",
    };
    std::vector<Statement> prepared;
    for (const char* q : sql) {
        auto stmt = prepare(db, q);
        if (!stmt) {
            return std::move(stmt).error();
        }
        prepared.push_back(std::move(*stmt));
    }
    auto s = std::unique_ptr<Statements>(
        new Statements{std::move(prepared[0]), std::move(prepared[1]), std::move(prepared[2]),
                       std::move(prepared[3]), std::move(prepared[4]), std::move(prepared[5]),
                       std::move(prepared[6])});
    if (auto tx = exec(db, "BEGIN"); !tx) {
        return std::move(tx).error();
    }
    return std::unique_ptr<VersionWriter>(new VersionWriter(db, std::move(s)));
}

Result<void> VersionWriter::put(const Advisory& a, Format format) {
    const std::string source = source_of(a, format);
    const std::string key = storage_key(a, source);
    // Replace: drop the previous record of this key with its rows.
    s_->find.bind(1, std::string_view(key));
    auto found = s_->find.step();
    if (!found) {
        s_->find.reset();
        return std::move(found).error();
    }
    if (*found) {
        const std::int64_t old = s_->find.int64(0);
        s_->find.reset();
        for (Statement* drop : {&s_->drop_alias, &s_->drop_affected, &s_->drop_advisory}) {
            drop->bind(1, old);
            if (auto r = run(*drop); !r) {
                return r;
            }
        }
    } else {
        s_->find.reset();
    }
    const std::string json = encode(a);
    auto& ins = s_->insert_advisory;
    ins.bind(1, std::string_view(key));
    ins.bind(2, std::string_view(a.id));
    ins.bind(3, std::string_view(source));
    ins.bind(4, std::string_view(a.modified));
    ins.bind(5, std::string_view(a.withdrawn));
    ins.bind(6, std::string_view(json));
    if (auto r = run(ins); !r) {
        return r;
    }
    const std::int64_t rowid = sqlite3_last_insert_rowid(db_);
    // The id itself is an alias too, so by_alias(id) is one indexed query.
    auto add_alias = [&](const std::string& alias) -> Result<void> {
        s_->insert_alias.bind(1, std::string_view(alias));
        s_->insert_alias.bind(2, rowid);
        return run(s_->insert_alias);
    };
    if (auto r = add_alias(a.id); !r) {
        return r;
    }
    for (const auto& alias : a.aliases) {
        if (auto r = add_alias(alias); !r) {
            return r;
        }
    }
    for (const auto& entry : a.affected) {
        const std::string norm = normalize_name(entry.ecosystem, entry.name);
        s_->insert_affected.bind(1, std::string_view(entry.ecosystem));
        s_->insert_affected.bind(2, std::string_view(norm));
        s_->insert_affected.bind(3, rowid);
        if (auto r = run(s_->insert_affected); !r) {
            return r;
        }
    }
    touched_.insert(source);
    return ok();
}

Result<Status> VersionWriter::finish(std::int64_t version, std::string_view now_rfc3339) {
    auto upsert = prepare(
        db_,
        "INSERT OR REPLACE INTO source(name, records, imported_at, newest_modified) "
        "SELECT ?1, count(*), ?2, coalesce(max(modified), '') FROM advisory WHERE source = ?1");
    if (!upsert) {
        return std::move(upsert).error();
    }
    for (const auto& name : touched_) {
        upsert->bind(1, std::string_view(name));
        upsert->bind(2, now_rfc3339);
        if (auto r = run(*upsert); !r) {
            return std::move(r).error();
        }
    }
    auto meta = prepare(db_,
                        "INSERT OR REPLACE INTO meta(key, value) VALUES "
                        "('schema', ?1), ('version', ?2), ('built_at', ?3), "
                        "('advisories', (SELECT count(*) FROM advisory)), "
                        "('affected_rows', (SELECT count(*) FROM affected))");
    if (!meta) {
        return std::move(meta).error();
    }
    const std::string version_text = std::to_string(version);
    meta->bind(1, kSchemaVersion);
    meta->bind(2, std::string_view(version_text));
    meta->bind(3, now_rfc3339);
    if (auto r = run(*meta); !r) {
        return std::move(r).error();
    }
    if (auto tx = exec(db_, "COMMIT"); !tx) {
        return std::move(tx).error();
    }
    return read_status(db_);
}

}  // namespace wharf::scan::vulndb::detail
