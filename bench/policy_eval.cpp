// Policy evaluation micro-benchmark: one request against a 20-statement identity policy (a mix
// of actions, resources and conditions) plus a 3-statement repository policy, for requests that
// end in allow, explicit deny and implicit deny. Target: well under 10 us per evaluation.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "policy/policy.hpp"

namespace {

using namespace wharf::policy;

std::string identity_document() {
    std::string statements;
    for (int i = 0; i < 20; ++i) {
        std::string body;
        switch (i % 5) {
            case 0:
                body = fmt::format(
                    R"("Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:Get*"], )"
                    R"("Resource": "arn:aws:ecr:*:123456789012:repository/team{}/*")",
                    i);
                break;
            case 1:
                body = fmt::format(
                    R"("Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*", "Condition": )"
                    R"({{"StringEquals": {{"aws:username": ["user{}", "ci"]}}, )"
                    R"("IpAddress": {{"aws:SourceIp": ["10.{}.0.0/16", "2001:db8::/32"]}}}})",
                    i, i);
                break;
            case 2:
                body = fmt::format(
                    R"("Effect": "Deny", "Action": "ecr:Delete*", )"
                    R"("Resource": "arn:aws:ecr:us-east-1:123456789012:repository/prod{}/*", )"
                    R"("Condition": {{"Bool": {{"aws:MultiFactorAuthPresent": "false"}}}})",
                    i);
                break;
            case 3:
                body = fmt::format(
                    R"("Effect": "Allow", "NotAction": ["iam:*", "kms:*"], )"
                    R"("Resource": "arn:aws:ecr:*:*:repository/sandbox{}-*", "Condition": )"
                    R"({{"DateLessThan": {{"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, )"
                    R"("ForAllValues:StringLike": {{"aws:TagKeys": ["team-*", "env"]}}}})",
                    i);
                break;
            default:
                body = fmt::format(
                    R"("Effect": "Deny", "Action": "ecr:*", "NotResource": )"
                    R"("arn:aws:ecr:*:123456789012:repository/*", "Condition": )"
                    R"({{"ArnNotLike": {{"aws:PrincipalArn": "arn:aws:iam::*:role/admin{}"}}}})",
                    i);
                break;
        }
        statements += fmt::format(R"({}{{"Sid": "S{}", {}}})", i == 0 ? "" : ", ", i, body);
    }
    return R"({"Version": "2012-10-17", "Statement": [)" + statements + "]}";
}

const char* kRepositoryPolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "ci", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},
   "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart"]},
  {"Sid": "account", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "ecr:*"},
  {"Sid": "nodelete", "Effect": "Deny", "Principal": "*", "Action": "ecr:DeleteRepository",
   "Condition": {"StringNotEquals": {"aws:PrincipalTag/role": "admin"}}}]})";

Policy must_parse(const std::string& text, PolicyKind kind) {
    auto p = Policy::parse(text, kind);
    if (!p) {
        std::fprintf(stderr, "%s\n", p.error().message.c_str());
        std::abort();
    }
    return *p;
}

void run(benchmark::State& state, const char* action, const char* resource, Outcome expected) {
    static const Policy identity = must_parse(identity_document(), PolicyKind::identity);
    static const Policy repository = must_parse(kRepositoryPolicy, PolicyKind::resource);
    ConditionContext context;
    context.set("aws:username", "alice");
    context.set("aws:SourceIp", "192.0.2.44");
    context.set("aws:CurrentTime", "2026-03-01T10:00:00Z");
    context.set("aws:MultiFactorAuthPresent", "false");
    context.set("aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice");
    context.set("aws:TagKeys", std::vector<std::string>{"team-a", "env"});
    const Policy* identities[] = {&identity};
    const Policy* resources[] = {&repository};
    const AccessRequest request{action, resource, "arn:aws:iam::123456789012:user/alice",
                                "123456789012", &context};
    if (evaluate(request, identities, resources).outcome != expected) {
        state.SkipWithError("unexpected decision");
        return;
    }
    for (auto _ : state) {
        auto d = evaluate(request, identities, resources);
        benchmark::DoNotOptimize(d);
    }
}

void BM_EvaluateAllow(benchmark::State& state) {  // allowed late: S18 sandbox, all Denys tested
    run(state, "ecr:PutImage", "arn:aws:ecr:us-east-1:123456789012:repository/sandbox18-x",
        Outcome::allow);
}
void BM_EvaluateExplicitDeny(benchmark::State& state) {  // S2 denies; stops there
    run(state, "ecr:DeleteRepository", "arn:aws:ecr:us-east-1:123456789012:repository/prod2/a",
        Outcome::explicit_deny);
}
void BM_EvaluateImplicitDeny(benchmark::State& state) {  // every statement tested, none applies
    run(state, "ecr:PutImage", "arn:aws:ecr:us-east-1:123456789012:repository/other/app",
        Outcome::implicit_deny);
}
void BM_ParseIdentityPolicy(benchmark::State& state) {
    const std::string text = identity_document();
    for (auto _ : state) {
        auto p = Policy::parse(text, PolicyKind::identity);
        benchmark::DoNotOptimize(p);
    }
}

BENCHMARK(BM_EvaluateAllow);
BENCHMARK(BM_EvaluateExplicitDeny);
BENCHMARK(BM_EvaluateImplicitDeny);
BENCHMARK(BM_ParseIdentityPolicy);

}  // namespace

BENCHMARK_MAIN();
