#include "ecr/call.hpp"

#include <fmt/format.h>

#include "common/base64.hpp"

namespace wharf::ecr {
namespace {

Error invalid(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

}  // namespace

Result<std::optional<std::string>> optional_string(const json& in, std::string_view name) {
    auto it = in.find(name);
    if (it == in.end() || it->is_null()) {
        return std::optional<std::string>{};
    }
    if (!it->is_string()) {
        return invalid(
            fmt::format("Invalid parameter at '{}' failed to satisfy constraint: "
                        "'Member must be a string'",
                        name));
    }
    return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> required_string(const json& in, std::string_view name) {
    auto value = optional_string(in, name);
    if (!value) {
        return value.error();
    }
    if (!*value) {
        return invalid(
            fmt::format("1 validation error detected: Value null at '{}' failed to "
                        "satisfy constraint: Member must not be null",
                        name));
    }
    return std::move(**value);
}

Result<std::optional<bool>> optional_bool(const json& in, std::string_view name) {
    auto it = in.find(name);
    if (it == in.end() || it->is_null()) {
        return std::optional<bool>{};
    }
    if (!it->is_boolean()) {
        return invalid(fmt::format("Invalid parameter at '{}': expected true or false", name));
    }
    return std::optional<bool>{it->get<bool>()};
}

Result<std::optional<std::int64_t>> optional_int(const json& in, std::string_view name,
                                                 std::int64_t min, std::int64_t max) {
    auto it = in.find(name);
    if (it == in.end() || it->is_null()) {
        return std::optional<std::int64_t>{};
    }
    if (!it->is_number_integer()) {
        return invalid(fmt::format("Invalid parameter at '{}': expected an integer", name));
    }
    const auto v = it->get<std::int64_t>();
    if (v < min || v > max) {
        return invalid(
            fmt::format("1 validation error detected: Value '{}' at '{}' failed to "
                        "satisfy constraint: Member must have value between {} and {}",
                        v, name, min, max));
    }
    return std::optional<std::int64_t>{v};
}

Result<std::vector<std::string>> string_list(const json& in, std::string_view name, std::size_t min,
                                             std::size_t max) {
    std::vector<std::string> out;
    auto it = in.find(name);
    if (it == in.end() || it->is_null()) {
        if (min > 0) {
            return invalid(
                fmt::format("1 validation error detected: Value null at '{}' failed "
                            "to satisfy constraint: Member must not be null",
                            name));
        }
        return out;
    }
    if (!it->is_array()) {
        return invalid(fmt::format("Invalid parameter at '{}': expected a list", name));
    }
    if (it->size() < min || it->size() > max) {
        return invalid(
            fmt::format("1 validation error detected: Value at '{}' failed to satisfy "
                        "constraint: Member must have length between {} and {}",
                        name, min, max));
    }
    for (const auto& v : *it) {
        if (!v.is_string()) {
            return invalid(
                fmt::format("Invalid parameter at '{}': every item must be a string", name));
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

Result<model::RepoName> repository_name(const json& in) {
    auto text = required_string(in, "repositoryName");
    if (!text) {
        return text.error();
    }
    auto name = model::RepoName::parse(*text);
    if (!name || text->size() < 2 || text->size() > 256) {
        return invalid(fmt::format(
            "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy "
            "regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' "
            "and be 2-256 characters' (got '{}')",
            *text));
    }
    return std::move(*name);
}

Result<void> check_registry_id(const json& in, const registry::Registry& reg) {
    auto id = optional_string(in, "registryId");
    if (!id) {
        return id.error();
    }
    const auto& mine = reg.ctx.options.account.account_id;
    if (*id && **id != mine) {
        return invalid(
            fmt::format("Invalid parameter at 'registryId': this registry is '{}', "
                        "not '{}'",
                        mine, **id));
    }
    return ok();
}

Result<void> only_members(const json& in, std::span<const std::string_view> allowed) {
    for (const auto& [key, value] : in.items()) {
        bool known = false;
        for (auto a : allowed) {
            known = known || key == a;
        }
        if (!known) {
            return invalid(fmt::format("Unknown parameter in input: \"{}\", must be one of: {}",
                                       key, fmt::join(allowed, ", ")));
        }
    }
    return ok();
}

std::string make_token(std::string_view last_key) {
    return base64url_encode(std::string("v1:") + std::string(last_key));
}

Result<std::string> read_token(const std::string& token) {
    auto decoded = base64url_decode(token);
    if (!decoded || decoded->rfind("v1:", 0) != 0) {
        return invalid("Invalid parameter at 'nextToken': not a token this API returned");
    }
    return decoded->substr(3);
}


}  // namespace wharf::ecr
