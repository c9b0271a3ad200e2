#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "storage/meta/sqlite/sqlite_rows.hpp"
#include "storage/meta/sqlite/sqlite_tables.hpp"

namespace wharf::storage::sqlite {
namespace {

std::string settings_to_json(const RepositorySettings& s) {
    return nlohmann::json{{"tagMutability", s.tag_mutability},
                          {"mutabilityExclusions", s.mutability_exclusions},
                          {"scanOnPush", s.scan_on_push},
                          {"encryptionType", s.encryption_type},
                          {"kmsKey", s.kms_key},
                          {"immutableAllowsIdentical", s.immutable_allows_identical}}
        .dump();
}

// Missing keys keep their defaults, so rows written by an older build read back unchanged.
RepositorySettings settings_from_json(const std::string& text) {
    RepositorySettings s;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) {
        return s;
    }
    auto text_of = [&](const char* key, std::string& out) {
        if (auto it = j.find(key); it != j.end() && it->is_string()) {
            out = it->get<std::string>();
        }
    };
    auto flag_of = [&](const char* key, bool& out) {
        if (auto it = j.find(key); it != j.end() && it->is_boolean()) {
            out = it->get<bool>();
        }
    };
    text_of("tagMutability", s.tag_mutability);
    text_of("encryptionType", s.encryption_type);
    text_of("kmsKey", s.kms_key);
    flag_of("scanOnPush", s.scan_on_push);
    flag_of("immutableAllowsIdentical", s.immutable_allows_identical);
    if (auto it = j.find("mutabilityExclusions"); it != j.end() && it->is_array()) {
        for (const auto& f : *it) {
            if (f.is_string()) {
                s.mutability_exclusions.push_back(f.get<std::string>());
            }
        }
    }
    return s;
}

constexpr std::string_view kColumns = "id, created_at, settings_json, policy_text, tags_json";

// Every pull looks its repository up; most look up the one the thread saw last. Remembering
// the last decoded settings and tags per thread saves a JSON parse on each of those reads.
const RepositorySettings& decoded_settings(std::string text) {
    thread_local std::string last_text = "{}";
    thread_local RepositorySettings last;
    if (text != last_text) {
        last = settings_from_json(text);
        last_text = std::move(text);
    }
    return last;
}

const ResourceTags& decoded_tags(std::string text) {
    thread_local std::string last_text = "[]";
    thread_local ResourceTags last;
    if (text != last_text) {
        last = tags_from_json(text);
        last_text = std::move(text);
    }
    return last;
}

RepositoryRecord read_repository(const Statement& row, model::RepoName name) {
    RepositoryRecord r{row.column_int(0),   std::move(name),
                       column_time(row, 1), decoded_settings(row.column_text(2)),
                       std::nullopt,        decoded_tags(row.column_text(4))};
    if (!row.is_null(3)) {
        r.policy_text = row.column_text(3);
    }
    return r;
}

}  // namespace

Result<std::optional<RepositoryRecord>> SqliteRepositoryTable::find(const model::RepoName& name) {
    static const std::string sql =
        fmt::format("SELECT {} FROM repositories WHERE name = ?1", kColumns);
    auto stmt = db_.prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->bind(1, name.str()).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<RepositoryRecord>{};
    }
    return std::optional<RepositoryRecord>{read_repository(*stmt, name)};
}

Result<RepositoryRecord> SqliteRepositoryTable::create(const model::RepoName& name,
                                                       const RepositorySettings& settings,
                                                       TimePoint now) {
    {
        auto stmt = db_.prepare(
            "INSERT INTO repositories (name, created_at, settings_json) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (name) DO NOTHING");
        if (!stmt) {
            return stmt.error();
        }
        const std::string json = settings_to_json(settings);
        if (auto done = stmt->bind(1, name.str()).bind(2, to_unix_millis(now)).bind(3, json).run();
            !done) {
            return done.error();
        }
    }
    auto record = find(name);
    if (!record) {
        return record.error();
    }
    if (!*record) {  // cannot happen inside one transaction; guard against a broken database
        return Error{Errc::internal,
                     fmt::format("repository {} vanished right after creation", name.str())};
    }
    return std::move(**record);
}

Result<void> SqliteRepositoryTable::update(const RepositoryRecord& record) {
    auto stmt = db_.prepare(
        "UPDATE repositories SET settings_json = ?2, policy_text = ?3, tags_json = ?4 "
        "WHERE id = ?1");
    if (!stmt) {
        return stmt.error();
    }
    const std::string settings = settings_to_json(record.settings);
    const std::string tags = tags_to_json(record.tags);
    stmt->bind(1, std::int64_t{record.id}).bind(2, settings).bind(4, tags);
    if (record.policy_text) {
        stmt->bind(3, *record.policy_text);
    } else {
        stmt->bind_null(3);
    }
    if (auto done = stmt->run(); !done) {
        return done;
    }
    if (db_.changes() == 0) {
        return Error{Errc::name_unknown,
                     fmt::format("repository {} does not exist", record.name.str())};
    }
    return ok();
}

Result<std::vector<model::RepoName>> SqliteRepositoryTable::list(
    const std::optional<model::RepoName>& after, std::size_t limit) {
    if (limit == 0) {
        return std::vector<model::RepoName>{};
    }
    // Every valid name sorts after the empty string.
    const std::string start = after ? after->str() : std::string();
    auto stmt = db_.prepare("SELECT name FROM repositories WHERE name > ?1 ORDER BY name LIMIT ?2");
    if (!stmt) {
        return stmt.error();
    }
    stmt->bind(1, start).bind(2, sql_limit(limit));
    return collect_rows<model::RepoName>(
        *stmt, [](const Statement& row) { return column_repo_name(row, 0); });
}

Result<void> SqliteRepositoryTable::remove(RepoId id, TimePoint now) {
    if (auto queued = queue_reviews(db_, "SELECT digest FROM blob_links WHERE repo_id = ?1", id,
                                    std::string(), now);
        !queued) {
        return queued;
    }
    // Children first, explicitly: the ON DELETE CASCADE clauses are a second line of defence,
    // not the mechanism (they depend on a per-connection pragma).
    static constexpr const char* kDeletes[] = {
        "DELETE FROM tags WHERE repo_id = ?1",      "DELETE FROM manifest_refs WHERE repo_id = ?1",
        "DELETE FROM manifests WHERE repo_id = ?1", "DELETE FROM blob_links WHERE repo_id = ?1",
        "DELETE FROM uploads WHERE repo_id = ?1",   "DELETE FROM lifecycle_policies WHERE repo_id = ?1",
        "DELETE FROM lifecycle_previews WHERE repo_id = ?1", "DELETE FROM repositories WHERE id = ?1",
    };
    for (const char* sql : kDeletes) {
        auto stmt = db_.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        if (auto done = stmt->bind(1, std::int64_t{id}).run(); !done) {
            return done;
        }
    }
    return ok();
}

}  // namespace wharf::storage::sqlite
