#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "model/digest.hpp"
#include "model/names.hpp"
#include "storage/meta/records.hpp"
#include "storage/meta/sqlite/sqlite_connection.hpp"

// Row decoding and small helpers shared by the table files.
namespace wharf::storage::sqlite {

// Rows hold only values written through the validated types; one that does not parse means the
// file was edited or damaged: Errc::internal naming the column.
Result<model::Digest> column_digest(const Statement& row, int column);
Result<std::optional<model::Digest>> column_optional_digest(const Statement& row, int column);
Result<model::RepoName> column_repo_name(const Statement& row, int column);
Result<model::Tag> column_tag(const Statement& row, int column);
TimePoint column_time(const Statement& row, int column);
// LIMIT parameter: SQLite integers are signed 64-bit.
std::int64_t sql_limit(std::size_t limit) noexcept;
// Steps through every row of `stmt`, turning each into a T with `read(stmt)` (which returns a
// Result<T>); the first error stops the walk.
template <typename T, typename Read>
Result<std::vector<T>> collect_rows(Statement& stmt, Read read) {
    std::vector<T> out;
    for (;;) {
        auto row = stmt.step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        Result<T> value = read(stmt);
        if (!value) {
            return value.error();
        }
        out.push_back(std::move(*value));
    }
}

// Resource tags as a JSON array of {"Key","Value"} objects (ECR's shape) and back.
std::string tags_to_json(const ResourceTags& tags);
ResourceTags tags_from_json(const std::string& text);
// Runs a statement yielding (text, text) rows.
Result<std::vector<std::pair<std::string, std::string>>> collect_pairs(Statement& stmt);
// Runs a statement yielding one digest column per row.
Result<std::vector<model::Digest>> collect_digests(Statement& stmt);
Result<std::vector<model::Tag>> collect_tags(Statement& stmt);
// A step that hit a FOREIGN KEY violation becomes `code` with `message`; other errors pass.
Error map_foreign_key(Error error, Errc code, std::string message);

}  // namespace wharf::storage::sqlite
