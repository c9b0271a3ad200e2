// Policy::parse: the policy grammar (Version, Id, Statement; Sid, Effect, Action/NotAction,
// Resource/NotResource, Principal/NotPrincipal, Condition) checked and compiled into
// detail::Document. Every message names the statement (index, and Sid when it has one) and the
// element that is wrong.
#include "policy/policy.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "policy/detail.hpp"

namespace wharf::policy {
namespace {

using detail::quote;
using nlohmann::json;

constexpr std::string_view kTopElements[] = {"Version", "Id", "Statement"};
constexpr std::string_view kStatementElements[] = {"Sid",       "Effect",       "Action",
                                                   "NotAction", "Resource",     "NotResource",
                                                   "Principal", "NotPrincipal", "Condition"};

template <std::size_t N>
bool known(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

Error bad(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A string, or a non-empty array of strings. With `coerce`, numbers and booleans are accepted
// and become their JSON text (Condition values).
bool string_list(const json& j, bool coerce, std::vector<std::string>& out, std::string& why) {
    out.clear();
    const auto add = [&](const json& v) {
        if (v.is_string()) {
            out.push_back(v.get_ref<const std::string&>());
            return true;
        }
        if (coerce && (v.is_number() || v.is_boolean())) {
            out.push_back(v.dump());
            return true;
        }
        why = fmt::format("must be {} or an array of them, not {}",
                          coerce ? "strings, numbers or booleans" : "a string", v.type_name());
        return false;
    };
    if (!j.is_array()) {
        return add(j);
    }
    if (j.empty()) {
        why = "is an empty array";
        return false;
    }
    return std::all_of(j.begin(), j.end(), add);
}

bool valid_action(std::string_view action, std::string& why) {
    if (action == "*") {
        return true;
    }
    const auto colon = action.find(':');
    const auto service = action.substr(0, colon);
    const auto name =
        colon == std::string_view::npos ? std::string_view{} : action.substr(colon + 1);
    const bool ok = colon != std::string_view::npos && !service.empty() && !name.empty() &&
                    std::all_of(service.begin(), service.end(),
                                [](char c) { return is_alnum(c) || c == '-'; }) &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                        return is_alnum(c) || c == '*' || c == '?' || c == '-' || c == '_';
                    });
    if (!ok) {
        why = fmt::format(
            "{} is not \"*\" or \"<service>:<action>\" (e.g. \"ecr:PutImage\", \"ecr:Batch*\")",
            quote(action));
    }
    return ok;
}

bool valid_resource(std::string_view resource, std::string& why) {
    const bool ok =
        resource == "*" ||
        (resource.starts_with("arn:") &&
         (std::count(resource.begin(), resource.end(), ':') >= 5 || resource.back() == '*'));
    if (!ok) {
        why = fmt::format(
            "{} is not \"*\" or an ARN such as "
            "\"arn:aws:ecr:us-east-1:123456789012:repository/team/app\"",
            quote(resource));
    }
    return ok;
}

class StatementParser {
public:
    StatementParser(PolicyKind kind, std::size_t index) : kind_(kind), index_(index) {}

    Result<detail::Statement> parse(const json& j) {
        if (!j.is_object()) {
            return fail("", fmt::format("must be an object, not {}", j.type_name()));
        }
        if (auto sid = parse_sid(j); !sid) {
            return sid.error();
        }
        for (const auto& [name, value] : j.items()) {
            if (!known(kStatementElements, name)) {
                return fail("", fmt::format("has unknown element {}; statements may have Sid, "
                                            "Effect, Action/NotAction, Resource/NotResource, "
                                            "Principal/NotPrincipal and Condition",
                                            quote(name)));
            }
        }
        if (auto r = parse_effect(j); !r) {
            return r.error();
        }
        if (auto r = parse_patterns(j, "Action", "NotAction", true); !r) {
            return r.error();
        }
        if (auto r = parse_patterns(j, "Resource", "NotResource", kind_ == PolicyKind::identity);
            !r) {
            return r.error();
        }
        if (auto r = parse_principal(j); !r) {
            return r.error();
        }
        if (auto r = parse_conditions(j); !r) {
            return r.error();
        }
        return std::move(out_);
    }

private:
    Error fail(std::string_view element, std::string_view why) const {
        const std::string who = sid_.empty()
                                    ? fmt::format("statement #{}", index_)
                                    : fmt::format("statement #{} ({})", index_, quote(sid_));
        if (element.empty()) {
            return bad(fmt::format("policy {} {}", who, why));
        }
        return bad(fmt::format("policy {}: {} {}", who, element, why));
    }

    Result<void> parse_sid(const json& j) {
        const auto it = j.find("Sid");
        if (it != j.end()) {
            if (!it->is_string()) {
                return fail("Sid", fmt::format("must be a string, not {}", it->type_name()));
            }
            sid_ = it->get<std::string>();
            if (kind_ == PolicyKind::identity && !std::all_of(sid_.begin(), sid_.end(), is_alnum)) {
                return fail("Sid",
                            "may contain only letters A-Z, a-z and digits 0-9 in an "
                            "identity-based policy");
            }
        }
        out_.label = sid_.empty() ? fmt::format("#{}", index_) : sid_;
        return ok();
    }

    Result<void> parse_effect(const json& j) {
        const auto it = j.find("Effect");
        if (it == j.end()) {
            return fail("Effect", "is missing; it must be \"Allow\" or \"Deny\"");
        }
        if (it->is_string() && *it == "Allow") {
            out_.effect = detail::Effect::allow;
        } else if (it->is_string() && *it == "Deny") {
            out_.effect = detail::Effect::deny;
        } else {
            return fail("Effect", fmt::format("must be \"Allow\" or \"Deny\" (case-sensitive), "
                                              "not {}",
                                              it->is_string() ? quote(it->get<std::string>())
                                                              : std::string(it->type_name())));
        }
        return ok();
    }

    // Action/NotAction or Resource/NotResource: at most one of the pair, exactly one if required.
    Result<void> parse_patterns(const json& j, std::string_view positive, std::string_view negative,
                                bool required) {
        const auto pos = j.find(positive);
        const auto neg = j.find(negative);
        if (pos != j.end() && neg != j.end()) {
            return fail(positive, fmt::format("and {} cannot both be present", negative));
        }
        if (pos == j.end() && neg == j.end()) {
            if (required) {
                return fail(positive, fmt::format("is missing; a statement needs {} or {}",
                                                  positive, negative));
            }
            return ok();
        }
        const bool is_action = positive == "Action";
        const bool inverted = pos == j.end();
        const auto element = inverted ? negative : positive;
        std::vector<std::string> values;
        std::string why;
        if (!string_list(inverted ? *neg : *pos, false, values, why)) {
            return fail(element, why);
        }
        auto& globs = is_action ? out_.actions : out_.resources;
        for (const auto& v : values) {
            if (!(is_action ? valid_action(v, why) : valid_resource(v, why))) {
                return fail(element, fmt::format("value {}", why));
            }
            globs.push_back(detail::make_glob(v, is_action));
        }
        (is_action ? out_.not_action : out_.not_resource) = inverted;
        if (!is_action) {
            out_.has_resource = true;
        }
        return ok();
    }

    Result<void> parse_principal(const json& j) {
        const auto pos = j.find("Principal");
        const auto neg = j.find("NotPrincipal");
        if (kind_ == PolicyKind::identity) {
            if (pos != j.end() || neg != j.end()) {
                return fail(pos != j.end() ? "Principal" : "NotPrincipal",
                            "is not allowed in an identity-based policy (the principal is the "
                            "identity the policy is attached to)");
            }
            return ok();
        }
        if (pos != j.end() && neg != j.end()) {
            return fail("Principal", "and NotPrincipal cannot both be present");
        }
        if (pos == j.end() && neg == j.end()) {
            return fail("Principal",
                        "is missing; a resource-based policy statement needs Principal or "
                        "NotPrincipal");
        }
        out_.has_principal = true;
        out_.not_principal = pos == j.end();
        std::string why;
        if (!detail::compile_principals(out_.not_principal ? *neg : *pos, out_.principals, why)) {
            return fail(out_.not_principal ? "NotPrincipal" : "Principal", why);
        }
        return ok();
    }

    Result<void> parse_conditions(const json& j) {
        const auto it = j.find("Condition");
        if (it == j.end()) {
            return ok();
        }
        if (!it->is_object()) {
            return fail("Condition", fmt::format("must be an object such as {{\"StringEquals\": "
                                                 "{{\"aws:username\": \"alice\"}}}}, not {}",
                                                 it->type_name()));
        }
        std::string why;
        std::vector<std::string> values;
        for (const auto& [op, block] : it->items()) {
            if (!block.is_object()) {
                return fail("Condition", fmt::format("operator {} must map to an object of keys, "
                                                     "not {}",
                                                     quote(op), block.type_name()));
            }
            for (const auto& [key, value] : block.items()) {
                if (!string_list(value, true, values, why)) {
                    return fail("Condition",
                                fmt::format("{} key {} {}", quote(op), quote(key), why));
                }
                detail::Condition c;
                if (!detail::compile_condition(op, key, values, c, why)) {
                    return fail("Condition", why);
                }
                out_.conditions.push_back(std::move(c));
            }
        }
        return ok();
    }

    PolicyKind kind_;
    std::size_t index_;
    std::string sid_;
    detail::Statement out_;
};

Result<detail::Document> compile(const json& root, detail::Document doc) {
    if (!root.is_object()) {
        return bad(fmt::format("policy must be a JSON object, not {}", root.type_name()));
    }
    for (const auto& [name, value] : root.items()) {
        if (!known(kTopElements, name)) {
            return bad(
                fmt::format("policy has unknown top-level element {}; a policy has "
                            "Version, Id and Statement",
                            quote(name)));
        }
    }
    if (const auto it = root.find("Version"); it != root.end()) {
        if (!it->is_string() || (*it != "2012-10-17" && *it != "2008-10-17")) {
            return bad(
                fmt::format("policy Version must be \"2012-10-17\" or \"2008-10-17\", "
                            "not {}",
                            it->is_string() ? quote(it->get<std::string>()) : it->dump()));
        }
        doc.version = it->get<std::string>();
    }
    if (const auto it = root.find("Id"); it != root.end()) {
        if (!it->is_string()) {
            return bad(fmt::format("policy Id must be a string, not {}", it->type_name()));
        }
        doc.id = it->get<std::string>();
    }
    const auto statements = root.find("Statement");
    if (statements == root.end()) {
        return bad("policy has no Statement");
    }
    if (statements->is_array() && statements->empty()) {
        return bad("policy Statement is an empty array; it needs at least one statement");
    }
    const bool many = statements->is_array();
    const std::size_t count = many ? statements->size() : 1;
    std::set<std::string> sids;
    for (std::size_t i = 0; i < count; ++i) {
        auto statement = StatementParser(doc.kind, i).parse(many ? (*statements)[i] : *statements);
        if (!statement) {
            return statement.error();
        }
        if (doc.kind == PolicyKind::identity && statement->label.front() != '#' &&
            !sids.insert(statement->label).second) {
            return bad(
                fmt::format("policy statement #{} ({}): Sid is used by an earlier "
                            "statement; Sids must be unique in a policy",
                            i, quote(statement->label)));
        }
        doc.statements.push_back(std::move(*statement));
    }
    return doc;
}

}  // namespace

Result<Policy> Policy::parse(std::string_view text, PolicyKind kind) {
    try {
        json root;
        try {
            root = json::parse(text.begin(), text.end());
        } catch (const json::parse_error& e) {
            std::string_view what = e.what();
            if (const auto end = what.find("] "); end != std::string_view::npos) {
                what.remove_prefix(end + 2);
            }
            return bad(fmt::format("policy is not valid JSON: {}", detail::printable(what)));
        }
        detail::Document doc;
        doc.text = std::string(text);
        doc.kind = kind;
        auto compiled = compile(root, std::move(doc));
        if (!compiled) {
            return compiled.error();
        }
        return Policy(std::make_shared<const detail::Document>(std::move(*compiled)));
    } catch (const json::exception& e) {
        return bad(fmt::format("policy could not be read: {}", detail::printable(e.what())));
    }
}

const std::string& Policy::text() const {
    return doc_->text;
}
PolicyKind Policy::kind() const {
    return doc_->kind;
}
const std::string& Policy::id() const {
    return doc_->id;
}
const std::string& Policy::version() const {
    return doc_->version;
}
std::size_t Policy::statement_count() const {
    return doc_->statements.size();
}
bool Policy::has_conditions() const {
    for (const auto& s : doc_->statements) {
        if (!s.conditions.empty()) {
            return true;
        }
    }
    return false;
}

}  // namespace wharf::policy
