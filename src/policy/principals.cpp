// Principal and NotPrincipal of resource policies: which values are valid and whom they name.
#include <algorithm>

#include <fmt/format.h>

#include "policy/detail.hpp"

namespace wharf::policy::detail {
namespace {

using nlohmann::json;

constexpr std::string_view kPrincipalTypes[] = {"AWS", "Service", "Federated", "CanonicalUser"};

bool is_account_id(std::string_view text) noexcept {
    return text.size() == 12 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_root_of(std::string_view arn, std::string_view account) noexcept {
    std::array<std::string_view, 6> parts;
    return split_arn(arn, parts) && parts[0] == "arn" && parts[2] == "iam" && parts[4] == account &&
           parts[5] == "root";
}

bool contains(const std::vector<std::string>& list, std::string_view value) noexcept {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool add_aws(const std::string& value, Principals& out, std::string& why) {
    if (value == "*") {
        out.everyone = true;
        return true;
    }
    if (value.find_first_of("*?") != std::string::npos) {
        why = fmt::format(
            "\"AWS\" value {} has a wildcard; only a bare \"*\" may stand for principals. To "
            "match principals by pattern, use \"*\" with a Condition such as "
            "{{\"ArnLike\": {{\"aws:PrincipalArn\": \"arn:aws:iam::123456789012:role/ci-*\"}}}}",
            quote(value));
        return false;
    }
    if (is_account_id(value)) {
        out.accounts.push_back(value);
        return true;
    }
    std::array<std::string_view, 6> parts;
    if (value.starts_with("arn:") && split_arn(value, parts) && !parts[1].empty() &&
        (parts[2] == "iam" || parts[2] == "sts") && parts[3].empty() && is_account_id(parts[4]) &&
        !parts[5].empty()) {
        if (parts[2] == "iam" && parts[5] == "root") {
            out.accounts.emplace_back(parts[4]);
        } else {
            out.arns.push_back(value);
        }
        return true;
    }
    why = fmt::format(
        "\"AWS\" value {} is neither \"*\", a 12-digit account ID, nor an IAM or STS ARN such "
        "as \"arn:aws:iam::123456789012:role/name\"",
        quote(value));
    return false;
}

bool add_values(std::string_view type, const json& values, Principals& out, std::string& why) {
    if (values.is_array() && values.empty()) {
        why = fmt::format("{} has no values", quote(type));
        return false;
    }
    const auto add = [&](const json& v) {
        if (!v.is_string()) {
            why = fmt::format("{} values must be strings, not {}", quote(type), v.type_name());
            return false;
        }
        const auto& text = v.get_ref<const std::string&>();
        if (text.empty()) {
            why = fmt::format("{} has an empty value", quote(type));
            return false;
        }
        // Service, Federated and CanonicalUser principals are accepted but never name a user or
        // role, the only requesters Wharf has.
        return type != "AWS" || add_aws(text, out, why);
    };
    if (!values.is_array()) {
        return add(values);
    }
    return std::all_of(values.begin(), values.end(), add);
}

}  // namespace

bool compile_principals(const json& principal, Principals& out, std::string& why) {
    out = Principals{};
    if (principal.is_string()) {
        if (principal.get_ref<const std::string&>() == "*") {
            out.everyone = true;
            return true;
        }
        why = fmt::format(
            "must be \"*\" or an object such as {{\"AWS\": "
            "\"arn:aws:iam::123456789012:user/name\"}}, not {}",
            quote(principal.get_ref<const std::string&>()));
        return false;
    }
    if (!principal.is_object() || principal.empty()) {
        why = "must be \"*\" or a non-empty object such as {\"AWS\": [\"123456789012\"]}";
        return false;
    }
    for (const auto& [type, values] : principal.items()) {
        if (std::find(std::begin(kPrincipalTypes), std::end(kPrincipalTypes), type) ==
            std::end(kPrincipalTypes)) {
            why = fmt::format(
                "has unknown principal type {}; expected \"AWS\", \"Service\", \"Federated\" or "
                "\"CanonicalUser\"",
                quote(type));
            return false;
        }
        if (!add_values(type, values, out, why)) {
            return false;
        }
    }
    return true;
}

PrincipalMatch match_principal(const Principals& p, std::string_view arn,
                               std::string_view account) noexcept {
    if (p.everyone || (!arn.empty() && contains(p.arns, arn))) {
        return PrincipalMatch::direct;
    }
    if (!account.empty() && contains(p.accounts, account)) {
        return is_root_of(arn, account) ? PrincipalMatch::direct : PrincipalMatch::account;
    }
    return PrincipalMatch::none;
}

bool exempt_by_not_principal(const Principals& p, std::string_view arn,
                             std::string_view account) noexcept {
    if (p.everyone) {
        return true;
    }
    if (account.empty() || !contains(p.accounts, account)) {
        return false;
    }
    return is_root_of(arn, account) || (!arn.empty() && contains(p.arns, arn));
}

}  // namespace wharf::policy::detail
