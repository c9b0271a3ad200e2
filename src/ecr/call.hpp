#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.hpp"
#include "common/result.hpp"
#include "model/names.hpp"
#include "registry/registry.hpp"

namespace wharf::ecr {

using json = nlohmann::json;

// Everything an operation may use; one per server.
struct EcrServices {
    registry::Registry& registry;
    auth::Authenticator& authenticator;
};

// One ECR API call as an operation sees it: the validated caller and the request document.
struct EcrCall {
    EcrServices& svc;
    registry::Caller caller;
    auth::Authenticated authenticated;
    const json& input;
    std::string base_url;  // for URLs Wharf hands out (GetDownloadUrlForLayer)
};

// Readers of request members: each says which member is wrong and why, in ECR's words
// (InvalidParameterException / ValidationException messages).
Result<std::string> required_string(const json& in, std::string_view name);
Result<std::optional<std::string>> optional_string(const json& in, std::string_view name);
Result<std::optional<bool>> optional_bool(const json& in, std::string_view name);
Result<std::optional<std::int64_t>> optional_int(const json& in, std::string_view name,
                                                 std::int64_t min, std::int64_t max);
Result<std::vector<std::string>> string_list(const json& in, std::string_view name, std::size_t min,
                                             std::size_t max);
Result<model::RepoName> repository_name(const json& in);  // "repositoryName"
// registryId, when present, must be this registry's id.
Result<void> check_registry_id(const json& in, const registry::Registry& reg);
// Rejects members the operation does not define (a typo must not be silently ignored).
Result<void> only_members(const json& in, std::span<const std::string_view> allowed);
inline Result<void> only_members(const json& in, std::initializer_list<std::string_view> allowed) {
    return only_members(in, std::span(allowed.begin(), allowed.size()));
}

// Pagination tokens: opaque to clients, the last key of the previous page.
std::string make_token(std::string_view last_key);
Result<std::string> read_token(const std::string& token);

}  // namespace wharf::ecr
