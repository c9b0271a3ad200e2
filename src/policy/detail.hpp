#pragma once

// Internal to the policy module: the compiled form of a document. Everything evaluate() needs is
// prepared at parse time (lower-cased action patterns, parsed numbers, dates and CIDRs, split
// ARN patterns) so that evaluation does not allocate.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/text.hpp"
#include "policy/policy.hpp"

namespace wharf::policy::detail {

// A pattern where '*' matches any run of characters (also empty, also '/') and '?' exactly one.
struct Glob {
    enum class Kind : std::uint8_t { any, literal, prefix, pattern };
    std::string text;  // lower-cased when ignore_case; for prefix: without the trailing '*'
    Kind kind = Kind::literal;
    bool ignore_case = false;
};
Glob make_glob(std::string_view pattern, bool ignore_case);
bool matches(const Glob& glob, std::string_view value) noexcept;

// An ARN pattern compared per component: the first five ':' split six globs, so a wildcard in
// the service or account does not cross into the next component; the resource part (the sixth)
// may itself contain ':'. A pattern with fewer components is one glob over the whole value.
struct ArnPattern {
    std::vector<Glob> parts;  // 6 parts, or 1 for the whole-value fallback
};
ArnPattern make_arn_pattern(std::string_view pattern);
bool matches(const ArnPattern& pattern, std::string_view value) noexcept;
// Splits "arn:partition:service:region:account:resource" at its first five ':'.
bool split_arn(std::string_view arn, std::array<std::string_view, 6>& parts) noexcept;

struct Cidr {
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 0;  // bits that must match
    bool v6 = false;
};

// Values of Numeric*, Date*, IpAddress and Binary* conditions; all return false when `text` is
// not in the grammar.
bool parse_number(std::string_view text, double& out) noexcept;
// ISO 8601 ("2026-01-01", "2026-01-01T00:00:00Z", "...T00:00:00.5+02:00") or epoch seconds.
bool parse_date(std::string_view text, std::int64_t& millis) noexcept;
bool parse_cidr(std::string_view text, Cidr& out) noexcept;  // a plain address = /32 or /128
bool parse_ip(std::string_view text, Cidr& out) noexcept;    // an address, no prefix
bool cidr_contains(const Cidr& net, const Cidr& addr) noexcept;
bool decode_base64(std::string_view text, std::string& out);

enum class Family : std::uint8_t {
    string,
    string_ignore_case,
    string_like,
    numeric,
    date,
    boolean,
    binary,
    ip,
    arn,
    null
};
enum class Compare : std::uint8_t { eq, lt, le, gt, ge };
enum class SetMode : std::uint8_t { none, any_value, all_values };

struct Operand {
    std::string text;  // as written (binary: decoded bytes)
    Glob glob;         // string_like
    ArnPattern arn;    // arn
    Cidr cidr;         // ip
    double number = 0;
    std::int64_t millis = 0;
    bool flag = false;  // boolean / null
};

struct Condition {
    std::string op;   // as written, for messages
    std::string key;  // compared case-insensitively
    Family family = Family::string;
    Compare compare = Compare::eq;
    SetMode set = SetMode::none;
    bool negated = false;
    bool if_exists = false;
    std::vector<Operand> values;
};

// Parses one "Operator": {"key": value-or-array} entry of a Condition block; on failure returns
// false and sets `why` (the caller adds which statement).
bool compile_condition(std::string_view op, std::string_view key,
                       const std::vector<std::string>& values, Condition& out, std::string& why);
bool holds(const Condition& condition, const ConditionContext* context) noexcept;

enum class PrincipalMatch : std::uint8_t { none, account, direct };

struct Principals {
    bool everyone = false;              // "*" or {"AWS": "*"}
    std::vector<std::string> arns;      // users, roles, sessions: exact, case-sensitive
    std::vector<std::string> accounts;  // "123456789012" and "arn:aws:iam::123456789012:root"
};
// `principal` is the Principal or NotPrincipal element; on failure returns false and sets `why`.
bool compile_principals(const nlohmann::json& principal, Principals& out, std::string& why);
// Principal: how the requester is named by the list (direct = by "*" or its own ARN).
PrincipalMatch match_principal(const Principals& p, std::string_view arn,
                               std::string_view account) noexcept;
// NotPrincipal: AWS checks the account and then the user or role, so a requester is exempt only
// when both its account and its ARN are listed (or "*", or it is the listed account's root).
bool exempt_by_not_principal(const Principals& p, std::string_view arn,
                             std::string_view account) noexcept;

enum class Effect : std::uint8_t { allow, deny };

struct Statement {
    std::string label;  // Sid, or "#<index>"
    Effect effect = Effect::allow;
    bool not_action = false;
    std::vector<Glob> actions;  // lower-cased, matched case-insensitively
    bool has_resource = false;  // false in resource policies without Resource/NotResource
    bool not_resource = false;
    std::vector<Glob> resources;
    bool has_principal = false;
    bool not_principal = false;
    Principals principals;
    std::vector<Condition> conditions;
};

struct Document {
    std::string text;
    PolicyKind kind = PolicyKind::identity;
    std::string version;
    std::string id;
    std::vector<Statement> statements;
};

// Message and text helpers shared with the other parsers of outside input (model/text.hpp).
using model::detail::iequals;
using model::detail::printable;
using model::detail::quote;
using model::detail::to_lower;

}  // namespace wharf::policy::detail
