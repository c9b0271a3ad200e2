#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "storage/meta/records.hpp"

namespace wharf::registry {

// ECR's tag mutability settings: MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION (all immutable
// except tags matching a filter) and MUTABLE_WITH_EXCLUSION (all mutable except matching tags).
// Errc::bad_request naming what is wrong: unknown value; *_WITH_EXCLUSION without 1-5 filters or
// filters on the plain values; a filter outside ^[0-9a-zA-Z._*-]{1,128}$.
Result<void> validate_mutability(std::string_view mutability,
                                 const std::vector<std::string>& exclusion_filters);

// Whether the tag cannot be moved once it exists.
bool tag_is_immutable(const storage::RepositorySettings& settings, std::string_view tag);

// `*` matches any run of characters; everything else literally (ECR's WILDCARD filters).
bool wildcard_match(std::string_view pattern, std::string_view text);

}  // namespace wharf::registry
