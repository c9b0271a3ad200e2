#include "storage/meta/sqlite/sqlite_rows.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace wharf::storage::sqlite {
namespace {

Error corrupt(std::string_view what, const std::string& value, const Error& why) {
    return Error{Errc::internal,
                 fmt::format("database holds an invalid {} '{}': {}", what, value, why.message)};
}

}  // namespace

Result<model::Digest> column_digest(const Statement& row, int column) {
    const std::string text = row.column_text(column);
    auto digest = model::Digest::parse(text);
    if (!digest) {
        return corrupt("digest", text, digest.error());
    }
    return digest;
}

Result<std::optional<model::Digest>> column_optional_digest(const Statement& row, int column) {
    if (row.is_null(column)) {
        return std::optional<model::Digest>{};
    }
    auto digest = column_digest(row, column);
    if (!digest) {
        return digest.error();
    }
    return std::optional<model::Digest>{std::move(*digest)};
}

Result<model::RepoName> column_repo_name(const Statement& row, int column) {
    const std::string text = row.column_text(column);
    auto name = model::RepoName::parse(text);
    if (!name) {
        return corrupt("repository name", text, name.error());
    }
    return name;
}

Result<model::Tag> column_tag(const Statement& row, int column) {
    const std::string text = row.column_text(column);
    auto tag = model::Tag::parse(text);
    if (!tag) {
        return corrupt("tag", text, tag.error());
    }
    return tag;
}

TimePoint column_time(const Statement& row, int column) {
    return from_unix_millis(row.column_int(column));
}

std::int64_t sql_limit(std::size_t limit) noexcept {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(limit, kMax));
}

Result<std::vector<model::Digest>> collect_digests(Statement& stmt) {
    return collect_rows<model::Digest>(stmt,
                                       [](const Statement& row) { return column_digest(row, 0); });
}

Result<std::vector<model::Tag>> collect_tags(Statement& stmt) {
    return collect_rows<model::Tag>(stmt, [](const Statement& row) { return column_tag(row, 0); });
}

std::string tags_to_json(const ResourceTags& tags) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [key, value] : tags) {
        out.push_back({{"Key", key}, {"Value", value}});
    }
    return out.dump();
}

ResourceTags tags_from_json(const std::string& text) {
    ResourceTags tags;
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (!parsed.is_array()) {
        return tags;
    }
    for (const auto& item : parsed) {
        if (item.is_object() && item.value("Key", nlohmann::json()).is_string() &&
            item.value("Value", nlohmann::json()).is_string()) {
            tags.emplace_back(item["Key"].get<std::string>(), item["Value"].get<std::string>());
        }
    }
    return tags;
}

Result<std::vector<std::pair<std::string, std::string>>> collect_pairs(Statement& stmt) {
    using Pair = std::pair<std::string, std::string>;
    return collect_rows<Pair>(stmt, [](const Statement& row) -> Result<Pair> {
        return Pair{row.column_text(0), row.column_text(1)};
    });
}

Error map_foreign_key(Error error, Errc code, std::string message) {
    if (!is_foreign_key_violation(error)) {
        return error;
    }
    return Error{code, std::move(message)};
}

}  // namespace wharf::storage::sqlite
