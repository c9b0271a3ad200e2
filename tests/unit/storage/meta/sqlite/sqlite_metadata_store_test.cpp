// Driver-specific behaviour of the SQLite MetadataStore: migrations, pragmas, schema and the
// connection layer. The interface contract is in
// tests/conformance/metadata_store_conformance_test.cpp.
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "storage/meta/sqlite/migrations.hpp"
#include "storage/meta/sqlite/sqlite_connection.hpp"
#include "storage/meta/sqlite/sqlite_setup.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage {
namespace {

namespace sq = wharf::storage::sqlite;

// The first column of the first row, through a plain sqlite3 connection of the test's own.
std::string query(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    std::string out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

// The "detail" column of every EXPLAIN QUERY PLAN row, one per line.
std::string query_plan(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    std::string out;
    sqlite3_stmt* stmt = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    EXPECT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
        out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
        out += '\n';
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

void execute(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << (message ? message : "");
    sqlite3_free(message);
    sqlite3_close(db);
}

class SqliteStoreTest : public ::testing::Test {
protected:
    std::filesystem::path file() const { return dir_.path() / "meta.db"; }
    testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, NewDatabaseIsAtTheLatestVersionInWalMode) {
    auto store = open_sqlite_metadata_store(file());
    ASSERT_TRUE(store) << store.error().message;
    const auto latest = std::to_string(sq::all_migrations().back().version);
    EXPECT_EQ(query(file(), "SELECT max(version) FROM schema_migrations"), latest);
    EXPECT_EQ(query(file(), "SELECT count(*) FROM schema_migrations"), latest);
    EXPECT_NE(query(file(), "SELECT min(applied_at) FROM schema_migrations"), "0");
    EXPECT_EQ(query(file(), "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, MigrationVersionsAreConsecutive) {
    int expected = 1;
    for (const auto& m : sq::all_migrations()) {
        EXPECT_EQ(m.version, expected++) << m.description;
        EXPECT_FALSE(m.sql.empty());
    }
}

TEST_F(SqliteStoreTest, ReopeningAppliesNothingTwice) {
    ASSERT_TRUE(open_sqlite_metadata_store(file()));
    const auto applied = query(file(), "SELECT group_concat(applied_at) FROM schema_migrations");
    ASSERT_TRUE(open_sqlite_metadata_store(file()));
    EXPECT_EQ(query(file(), "SELECT group_concat(applied_at) FROM schema_migrations"), applied);
}

TEST_F(SqliteStoreTest, NewerDatabaseIsRefused) {
    ASSERT_TRUE(open_sqlite_metadata_store(file()));
    execute(file(), "INSERT INTO schema_migrations VALUES (999, 0)");
    auto store = open_sqlite_metadata_store(file());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::internal);
    EXPECT_NE(store.error().message.find("999"), std::string::npos) << store.error().message;
}

TEST_F(SqliteStoreTest, FailedMigrationIsRolledBackAndStopsThere) {
    auto db = sq::Connection::open(file()).value();
    const sq::Migration list[] = {
        {1, "one", "CREATE TABLE a (x)"},
        {2, "two", "CREATE TABLE b (x); CREATE TABLE a (y)"},  // fails half-way
        {3, "three", "CREATE TABLE c (x)"},
    };
    auto result = sq::apply_migrations(*db, list, from_unix_millis(1));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("migration 2 (two)"), std::string::npos)
        << result.error().message;
    EXPECT_EQ(sq::schema_version(*db).value(), 1);
    EXPECT_EQ(query(file(), "SELECT count(*) FROM sqlite_master WHERE name IN ('b', 'c')"), "0");
    EXPECT_FALSE(db->in_transaction());

    const sq::Migration fixed[] = {list[0], {2, "two", "CREATE TABLE b (x)"}, list[2]};
    EXPECT_EQ(sq::apply_migrations(*db, fixed, from_unix_millis(2)).value(), 3);
}

TEST_F(SqliteStoreTest, UnopenableFileIsInternal) {
    std::filesystem::create_directories(file());  // a directory where the file should be
    auto store = open_sqlite_metadata_store(file());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::internal);
}

TEST_F(SqliteStoreTest, WriterPragmasFollowOptions) {
    auto full = sq::open_connection(file(), sq::Role::writer, SqliteOptions{true}).value();
    EXPECT_EQ(full->query_text("PRAGMA synchronous").value(), "2");  // FULL
    EXPECT_EQ(full->query_text("PRAGMA foreign_keys").value(), "1");
    EXPECT_EQ(full->query_text("PRAGMA journal_mode").value(), "wal");
    EXPECT_EQ(full->query_text("PRAGMA busy_timeout").value(),
              std::to_string(sq::kBusyTimeout.count()));

    auto normal = sq::open_connection(file(), sq::Role::writer, SqliteOptions{false}).value();
    EXPECT_EQ(normal->query_text("PRAGMA synchronous").value(), "1");  // NORMAL
}

TEST_F(SqliteStoreTest, ReadersAreQueryOnly) {
    auto reader = sq::open_connection(file(), sq::Role::reader, SqliteOptions{}).value();
    EXPECT_EQ(reader->query_text("PRAGMA query_only").value(), "1");
    EXPECT_FALSE(reader->exec("CREATE TABLE t (x)"));
}

TEST_F(SqliteStoreTest, HotQueriesHaveTheirIndexes) {
    ASSERT_TRUE(open_sqlite_metadata_store(file()));
    for (const char* index : {"manifests_by_subject", "manifest_refs_by_child", "tags_by_digest"}) {
        EXPECT_EQ(query(file(), std::string("SELECT count(*) FROM sqlite_master WHERE type = "
                                            "'index' AND name = '") +
                                    index + "'"),
                  "1")
            << index;
    }
    // The hot queries of the table files (copied here) must search an index, never scan.
    const char* queries[] = {
        "SELECT digest FROM manifests WHERE repo_id = 1 AND subject = 'x' ORDER BY digest",
        "SELECT DISTINCT parent_digest FROM manifest_refs WHERE repo_id = 1 AND child_digest = 'x' "
        "ORDER BY parent_digest",
        "SELECT name FROM tags WHERE repo_id = 1 AND digest = 'x' ORDER BY name",
        "SELECT m.payload FROM tags t JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = "
        "t.digest WHERE t.repo_id = 1 AND t.name = 'x'",
        "SELECT name FROM tags WHERE repo_id = 1 AND name > '' ORDER BY name LIMIT 10",
        "SELECT name FROM repositories WHERE name > '' ORDER BY name LIMIT 10",
    };
    for (const char* sql : queries) {
        const auto plan = query_plan(file(), sql);
        EXPECT_EQ(plan.find("SCAN"), std::string::npos) << sql << "\n" << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
    }
}

TEST_F(SqliteStoreTest, ForeignKeysCascadeAsASecondLine) {
    ASSERT_TRUE(open_sqlite_metadata_store(file()));
    execute(file(),
            "PRAGMA foreign_keys = ON;"
            "INSERT INTO repositories (id, name, created_at) VALUES (1, 'r', 0);"
            "INSERT INTO manifests (repo_id, digest, media_type, payload, pushed_at) "
            "VALUES (1, 'd', 'm', x'00', 0);"
            "INSERT INTO tags VALUES (1, 't', 'd', 0);"
            "DELETE FROM repositories WHERE id = 1;");
    EXPECT_EQ(query(file(), "SELECT count(*) FROM tags"), "0");
    EXPECT_EQ(query(file(), "SELECT count(*) FROM manifests"), "0");
}

TEST_F(SqliteStoreTest, CorruptRowIsInternalNotACrash) {
    auto store = open_sqlite_metadata_store(file()).value();
    execute(file(),
            "INSERT INTO repositories (id, name, created_at) VALUES (1, 'r', 0);"
            "INSERT INTO manifests (repo_id, digest, media_type, payload, pushed_at) "
            "VALUES (1, 'not-a-digest', 'm', x'00', 0);"
            "INSERT INTO tags VALUES (1, 't', 'not-a-digest', 0);");
    auto result = store->read([](MetadataTx& tx) -> Result<void> {
        auto m = tx.manifests().find_by_tag(1, model::Tag::parse("t").value());
        if (!m) {
            return m.error();
        }
        return ok();
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::internal);
    EXPECT_NE(result.error().message.find("not-a-digest"), std::string::npos);
}

TEST_F(SqliteStoreTest, NestedWriteIsRejectedInsteadOfDeadlocking) {
    auto store = open_sqlite_metadata_store(file()).value();
    Result<void> inner;
    auto outer = store->write([&](MetadataTx& tx) -> Result<void> {
        inner = store->write([](MetadataTx&) { return ok(); });
        auto r = tx.repositories().create(model::RepoName::parse("r").value(), from_unix_millis(0));
        if (!r) {
            return r.error();
        }
        return ok();
    });
    EXPECT_TRUE(outer) << outer.error().message;
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().code, Errc::internal);
}

TEST_F(SqliteStoreTest, ParentDirectoryIsCreated) {
    auto store = open_sqlite_metadata_store(dir_.path() / "a" / "b" / "meta.db");
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "a" / "b" / "meta.db"));
}

TEST_F(SqliteStoreTest, StatementCacheHandlesNestedUseOfTheSameSql) {
    auto db = sq::Connection::open(file()).value();
    auto outer = db->prepare("SELECT 1").value();
    ASSERT_TRUE(outer.step().value());
    {
        auto inner = db->prepare("SELECT 1").value();  // the cached one is busy: a one-off copy
        ASSERT_TRUE(inner.step().value());
        EXPECT_EQ(inner.column_int(0), 1);
    }
    EXPECT_EQ(outer.column_int(0), 1);
    EXPECT_FALSE(outer.step().value());
}

TEST_F(SqliteStoreTest, SqliteErrorsCarryTheMessage) {
    auto db = sq::Connection::open(file()).value();
    auto bad = db->prepare("SELECT * FROM no_such_table");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::internal);
    EXPECT_NE(bad.error().message.find("no such table"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace wharf::storage
