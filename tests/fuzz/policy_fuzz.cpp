// IAM policy documents: Policy::parse as both kinds on the same input, then evaluate() on a few
// fixed requests whose facts come from the input too, checking the Decision's invariants.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "policy/policy.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::policy;

// A refusal must be bad_request, printable as JSON and say something short.
void check_error(const wharf::Error& e) {
    check(e.code == wharf::Errc::bad_request);
    check(!e.message.empty());
    check(e.message.size() < 1024);
    (void)nlohmann::json({{"message", e.message}, {"detail", e.detail}}).dump();
}

void check_decision(const Decision& d, bool resource_given) {
    if (d.outcome == Outcome::implicit_deny) {
        check(d.source == Source::none && d.statement.empty());
    } else {
        check(d.source != Source::none && !d.statement.empty());
        check(resource_given || d.source == Source::identity);
    }
    check(!explain(d, "ecr:PutImage").empty());
}

void evaluate_all(const Policy& policy, std::string_view text) {
    // Facts from the input: the same bytes as action, resource, principal and context values.
    const std::string_view piece = text.substr(0, 64);
    ConditionContext context;
    context.set("aws:SourceIp", std::string(piece));
    context.set("aws:CurrentTime", "2026-01-01T00:00:00Z");
    context.set("aws:username", std::vector<std::string>{std::string(piece), "alice"});
    const AccessRequest requests[] = {
        {"ecr:PutImage", "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
         "arn:aws:iam::123456789012:user/alice", "123456789012", &context},
        {"ecr:GetAuthorizationToken", "*", "", "", nullptr},
        {piece, piece, piece, piece, &context},
    };
    const Policy* one[] = {&policy};
    for (const auto& r : requests) {
        if (policy.kind() == PolicyKind::identity) {
            check_decision(evaluate(r, one, {}), false);
        } else {
            check_decision(evaluate(r, {}, one), true);
        }
        const auto both = evaluate(r, one, one);
        check_decision(both, true);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto kind : {PolicyKind::identity, PolicyKind::resource}) {
        auto policy = Policy::parse(text, kind);
        if (!policy) {
            check_error(policy.error());
            continue;
        }
        check(policy->text() == text);
        check(policy->kind() == kind);
        check(policy->statement_count() > 0);
        const Policy copy = *policy;  // shares the parsed state
        check(&copy.document() == &policy->document());
        evaluate_all(copy, text);
    }
    return 0;
}
