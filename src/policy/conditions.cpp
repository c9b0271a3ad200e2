// Condition operators: compiling "Operator": {"key": values} at parse time and testing it against
// a request's ConditionContext.
//
// Semantics (AWS's, where AWS defines them):
//   - several values for one key are ORed; for a negated operator (StringNotEquals, NotIpAddress,
//     ...) a request value satisfies it when it matches none of them (NOR);
//   - a key absent from the context: false, except ...IfExists (true), ForAllValues (true), Null;
//   - without a set prefix, a multi-valued key satisfies a positive operator when any of its
//     values matches, and a negated operator when none of its values matches any policy value
//     (the negation of the positive test; the same as AWS for a single value);
//   - ForAnyValue: some request value satisfies the (possibly negated) operator;
//     ForAllValues: every request value does (vacuously true for an absent or empty key);
//   - a request value that does not parse as the operator's type (number, date, IP address,
//     Bool) satisfies neither the operator nor its negation.
#include <fmt/format.h>

#include "policy/detail.hpp"

namespace wharf::policy::detail {
namespace {

struct OperatorInfo {
    std::string_view name;
    Family family;
    Compare compare;
    bool negated;
};

constexpr OperatorInfo kOperators[] = {
    {"StringEquals", Family::string, Compare::eq, false},
    {"StringNotEquals", Family::string, Compare::eq, true},
    {"StringEqualsIgnoreCase", Family::string_ignore_case, Compare::eq, false},
    {"StringNotEqualsIgnoreCase", Family::string_ignore_case, Compare::eq, true},
    {"StringLike", Family::string_like, Compare::eq, false},
    {"StringNotLike", Family::string_like, Compare::eq, true},
    {"NumericEquals", Family::numeric, Compare::eq, false},
    {"NumericNotEquals", Family::numeric, Compare::eq, true},
    {"NumericLessThan", Family::numeric, Compare::lt, false},
    {"NumericLessThanEquals", Family::numeric, Compare::le, false},
    {"NumericGreaterThan", Family::numeric, Compare::gt, false},
    {"NumericGreaterThanEquals", Family::numeric, Compare::ge, false},
    {"DateEquals", Family::date, Compare::eq, false},
    {"DateNotEquals", Family::date, Compare::eq, true},
    {"DateLessThan", Family::date, Compare::lt, false},
    {"DateLessThanEquals", Family::date, Compare::le, false},
    {"DateGreaterThan", Family::date, Compare::gt, false},
    {"DateGreaterThanEquals", Family::date, Compare::ge, false},
    {"Bool", Family::boolean, Compare::eq, false},
    {"BinaryEquals", Family::binary, Compare::eq, false},
    {"IpAddress", Family::ip, Compare::eq, false},
    {"NotIpAddress", Family::ip, Compare::eq, true},
    {"ArnEquals", Family::arn, Compare::eq, false},
    {"ArnLike", Family::arn, Compare::eq, false},
    {"ArnNotEquals", Family::arn, Compare::eq, true},
    {"ArnNotLike", Family::arn, Compare::eq, true},
    {"Null", Family::null, Compare::eq, false},
};

constexpr std::string_view kAnyValue = "ForAnyValue:";
constexpr std::string_view kAllValues = "ForAllValues:";
constexpr std::string_view kIfExists = "IfExists";

template <typename T>
bool compare(Compare how, T request, T policy) noexcept {
    switch (how) {
        case Compare::eq:
            return request == policy;
        case Compare::lt:
            return request < policy;
        case Compare::le:
            return request <= policy;
        case Compare::gt:
            return request > policy;
        case Compare::ge:
            return request >= policy;
    }
    return false;
}

bool parse_bool(std::string_view text, bool& out) noexcept {
    if (iequals(text, "true")) {
        out = true;
        return true;
    }
    if (iequals(text, "false")) {
        out = false;
        return true;
    }
    return false;
}

bool compile_operand(const Condition& c, const std::string& text, Operand& out, std::string& why) {
    out.text = text;
    const auto bad = [&](std::string_view expected) {
        why = fmt::format("value {} of {} for key {} is not {}", quote(text), c.op, quote(c.key),
                          expected);
        return false;
    };
    switch (c.family) {
        case Family::string:
        case Family::string_ignore_case:
            return true;
        case Family::string_like:
            out.glob = make_glob(text, false);
            return true;
        case Family::numeric:
            return parse_number(text, out.number) || bad("a number");
        case Family::date:
            return parse_date(text, out.millis) ||
                   bad("a date (ISO 8601 such as \"2026-01-01T00:00:00Z\", or epoch seconds)");
        case Family::boolean:
        case Family::null:
            return parse_bool(text, out.flag) || bad("\"true\" or \"false\"");
        case Family::binary:
            return decode_base64(text, out.text) || bad("base64");
        case Family::ip:
            return parse_cidr(text, out.cidr) || bad("an IPv4 or IPv6 address or CIDR block "
                                                     "(\"203.0.113.0/24\", \"2001:db8::/32\")");
        case Family::arn:
            out.arn = make_arn_pattern(text);
            return true;
    }
    return false;
}

// Whether one request value matches any of the policy's values; `ok` is false when the value
// does not parse as the operator's type.
bool any_operand_matches(const Condition& c, std::string_view value, bool& ok) noexcept {
    ok = true;
    switch (c.family) {
        case Family::string:
            for (const auto& v : c.values) {
                if (v.text == value) {
                    return true;
                }
            }
            return false;
        case Family::string_ignore_case:
            for (const auto& v : c.values) {
                if (iequals(v.text, value)) {
                    return true;
                }
            }
            return false;
        case Family::string_like:
            for (const auto& v : c.values) {
                if (matches(v.glob, value)) {
                    return true;
                }
            }
            return false;
        case Family::numeric: {
            double number = 0;
            if (!(ok = parse_number(value, number))) {
                return false;
            }
            for (const auto& v : c.values) {
                if (compare(c.compare, number, v.number)) {
                    return true;
                }
            }
            return false;
        }
        case Family::date: {
            std::int64_t millis = 0;
            if (!(ok = parse_date(value, millis))) {
                return false;
            }
            for (const auto& v : c.values) {
                if (compare(c.compare, millis, v.millis)) {
                    return true;
                }
            }
            return false;
        }
        case Family::boolean: {
            bool flag = false;
            if (!(ok = parse_bool(value, flag))) {
                return false;
            }
            for (const auto& v : c.values) {
                if (v.flag == flag) {
                    return true;
                }
            }
            return false;
        }
        case Family::binary:
            for (const auto& v : c.values) {
                if (v.text == value) {
                    return true;
                }
            }
            return false;
        case Family::ip: {
            Cidr address;
            if (!(ok = parse_ip(value, address))) {
                return false;
            }
            for (const auto& v : c.values) {
                if (cidr_contains(v.cidr, address)) {
                    return true;
                }
            }
            return false;
        }
        case Family::arn:
            for (const auto& v : c.values) {
                if (matches(v.arn, value)) {
                    return true;
                }
            }
            return false;
        case Family::null:
            return false;  // handled by holds()
    }
    return false;
}

// One request value against the (possibly negated) operator.
bool satisfies(const Condition& c, std::string_view value) noexcept {
    bool ok = true;
    const bool hit = any_operand_matches(c, value, ok);
    return ok && hit != c.negated;
}

}  // namespace

bool compile_condition(std::string_view op, std::string_view key,
                       const std::vector<std::string>& values, Condition& out, std::string& why) {
    out = Condition{};
    out.op = std::string(op);
    out.key = std::string(key);
    std::string_view base = op;
    if (base.starts_with(kAnyValue)) {
        out.set = SetMode::any_value;
        base.remove_prefix(kAnyValue.size());
    } else if (base.starts_with(kAllValues)) {
        out.set = SetMode::all_values;
        base.remove_prefix(kAllValues.size());
    }
    if (base.ends_with(kIfExists) && base.size() > kIfExists.size()) {
        out.if_exists = true;
        base.remove_suffix(kIfExists.size());
    }
    const OperatorInfo* info = nullptr;
    for (const auto& candidate : kOperators) {
        if (candidate.name == base) {
            info = &candidate;
        }
    }
    if (info == nullptr) {
        why = fmt::format(
            "Condition operator {} is unknown (operators are case-sensitive, e.g. StringEquals, "
            "StringLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, ArnLike, Null, with "
            "an optional IfExists suffix and ForAnyValue:/ForAllValues: prefix)",
            quote(op));
        return false;
    }
    out.family = info->family;
    out.compare = info->compare;
    out.negated = info->negated;
    if (out.family == Family::null && (out.if_exists || out.set != SetMode::none)) {
        why = fmt::format("Condition operator {}: Null takes neither IfExists nor a set prefix",
                          quote(op));
        return false;
    }
    if (key.empty()) {
        why = fmt::format("Condition operator {} has an empty key", quote(op));
        return false;
    }
    if (values.empty()) {
        why = fmt::format("Condition {} for key {} has no values", quote(op), quote(key));
        return false;
    }
    out.values.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!compile_operand(out, values[i], out.values[i], why)) {
            return false;
        }
    }
    return true;
}

bool holds(const Condition& c, const ConditionContext* context) noexcept {
    const std::vector<std::string>* values = context ? context->find(c.key) : nullptr;
    const bool present = values != nullptr && !values->empty();
    if (c.family == Family::null) {
        for (const auto& v : c.values) {
            if (v.flag != present) {  // "true": the key must be absent
                return true;
            }
        }
        return false;
    }
    if (!present) {
        return c.if_exists || c.set == SetMode::all_values;
    }
    const bool all = c.set == SetMode::all_values || (c.set == SetMode::none && c.negated);
    for (const auto& value : *values) {
        const bool s = satisfies(c, value);
        if (all && !s) {
            return false;
        }
        if (!all && s) {
            return true;
        }
    }
    return all;
}

}  // namespace wharf::policy::detail
