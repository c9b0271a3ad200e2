#pragma once

// IAM policy documents (identity-based and repository/registry policies): parse, validate and
// evaluate with AWS's single-account logic. Pure: the current time, source address and every
// other request fact come in through ConditionContext.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace wharf::policy {

// resource = repository/registry policy: needs Principal/NotPrincipal; identity: must not have them
enum class PolicyKind { identity, resource };

// Request facts for Condition ("aws:SourceIp", "aws:CurrentTime", "aws:PrincipalTag/team", ...).
// Keys are case-insensitive; a key may have several values (e.g. "aws:TagKeys"). Values of keys
// tested with BinaryEquals are the raw bytes (the policy holds them base64-encoded).
class ConditionContext {
public:
    void set(std::string_view key, std::string value);                 // replaces earlier values
    void set(std::string_view key, std::vector<std::string> values);   // replaces earlier values
    const std::vector<std::string>* find(std::string_view key) const;  // nullptr when absent

private:
    std::vector<std::pair<std::string, std::vector<std::string>>> entries_;
};

namespace detail {
struct Document;
}

// A parsed, validated document; cheap to copy (copies share the parsed state, which is
// immutable, so a Policy may be used from several threads at once).
class Policy {
public:
    // Errc::bad_request with a message naming the statement (Sid or index) and the field that is
    // wrong. JSON syntax errors say where (line and column).
    static Result<Policy> parse(std::string_view json, PolicyKind kind);

    const std::string& text() const;  // the document exactly as given to parse()
    PolicyKind kind() const;
    const std::string& id() const;       // the "Id" element, "" when absent
    const std::string& version() const;  // "2012-10-17", "2008-10-17", or "" when absent
    std::size_t statement_count() const;
    // Whether any statement has a Condition: callers may skip building a ConditionContext
    // (evaluate() with a null context) when no policy of a request has one.
    bool has_conditions() const;

    const detail::Document& document() const { return *doc_; }  // for evaluate()

private:
    explicit Policy(std::shared_ptr<const detail::Document> doc) : doc_(std::move(doc)) {}
    std::shared_ptr<const detail::Document> doc_;
};

struct AccessRequest {
    std::string_view action;             // "ecr:PutImage"
    std::string_view resource;           // "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
                                         // or "*"
    std::string_view principal_arn;      // "arn:aws:iam::123456789012:user/alice"; "" = anonymous
    std::string_view principal_account;  // "123456789012" ("" = anonymous)
    const ConditionContext* context = nullptr;  // nullptr = no keys at all
};

enum class Outcome { allow, explicit_deny, implicit_deny };
enum class Source { none, identity, resource };  // which kind of policy decided

struct Decision {
    Outcome outcome = Outcome::implicit_deny;
    Source source = Source::none;  // for explicit_deny / allow: where the deciding statement is
    std::string statement;  // Sid of the deciding statement, or "#<index>" (0-based) without one
};

// AWS's single-account evaluation: an explicit Deny in any applicable policy wins (identity
// policies are searched first); otherwise an Allow in an identity policy or in a resource policy
// allows; otherwise implicit deny. A resource-policy Allow whose principal matches only through
// an account principal ("123456789012" or ":root") does not allow by itself: the account
// delegates to its identity policies. Null entries in the spans are skipped. Does not allocate
// except for Decision::statement.
Decision evaluate(const AccessRequest& request, std::span<const Policy* const> identity_policies,
                  std::span<const Policy* const> resource_policies);

// Human text used in AccessDenied messages: "because no identity-based policy allows the
// ecr:PutImage action", "with an explicit deny in a resource-based policy", "with an explicit
// deny in an identity-based policy"; for allow: "because an identity-based policy allows ...".
std::string explain(const Decision& d, std::string_view action);

std::string_view to_string(Outcome outcome) noexcept;  // "allow", "explicit_deny", ...

}  // namespace wharf::policy
