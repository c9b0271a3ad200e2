// ECR lifecycle policies: LifecyclePolicy::parse on the input; when it is valid, evaluate() over a
// small fixed image set (tags, archive, an index with children, a referrer), checking the
// decisions' invariants.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/lifecycle.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::lifecycle;
using wharf::TimePoint;

// A refusal must be bad_request, printable as JSON and say something short.
void check_error(const wharf::Error& e) {
    check(e.code == wharf::Errc::bad_request);
    check(!e.message.empty());
    check(e.message.size() < 1024);
    (void)nlohmann::json({{"message", e.message}, {"detail", e.detail}}).dump();
}

const TimePoint kNow = wharf::from_unix_millis(1'790'000'000'000);

TimePoint days_ago(int days) {
    return kNow - std::chrono::hours(24 * days);
}

std::vector<ImageFacts> fixed_images() {
    std::vector<ImageFacts> images;
    images.reserve(16);  // `add` hands out pointers into it
    const auto add = [&](std::string digest, std::vector<std::string> tags, int pushed) {
        ImageFacts f;
        f.digest = std::move(digest);
        f.tags = std::move(tags);
        f.pushed_at = days_ago(pushed);
        images.push_back(std::move(f));
        return &images.back();
    };
    add("sha256:01", {"prod", "latest"}, 1);
    add("sha256:02", {"prod-1"}, 40)->last_pulled_at = days_ago(35);
    add("sha256:03", {"v1.0", "v1"}, 100);
    add("sha256:04", {}, 3);
    add("sha256:05", {}, 400);
    add("sha256:06", {"ci-17", "release-rc"}, 12)->last_activated_at = days_ago(2);
    auto* archived = add("sha256:07", {"old"}, 500);
    archived->storage_class = StorageClass::archive;
    archived->last_archived_at = days_ago(200);
    add("sha256:idx", {"multi"}, 30);
    add("sha256:amd", {}, 30)->parents = {"sha256:idx"};
    add("sha256:arm", {"multi-arm"}, 30)->parents = {"sha256:idx", "sha256:missing"};
    add("sha256:sig", {}, 29)->subject = "sha256:amd";
    add("sha256:a", {}, 5)->parents = {"sha256:b"};  // a cycle
    add("sha256:b", {}, 5)->parents = {"sha256:a"};
    return images;
}

void evaluate_all(const LifecyclePolicy& policy) {
    static const std::vector<ImageFacts> images = fixed_images();
    const auto decisions = evaluate(policy, images, kNow);
    check(decisions.size() == images.size());
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        const Decision& d = decisions[i];
        check(d.image == i);
        check(!d.reason.empty());
        check((d.outcome == Outcome::kept) == d.reason.starts_with("kept: "));
        check(d.outcome == Outcome::kept || d.rule_priority.has_value());
        check(d.outcome != Outcome::transition ||
              images[i].storage_class == StorageClass::standard);
        (void)to_string(d.outcome);
    }
    // Children follow their index; the referrer follows its subject.
    const auto& idx = decisions[7];
    if (idx.outcome == Outcome::kept) {
        check(decisions[8].outcome == Outcome::kept && decisions[9].outcome == Outcome::kept);
    }
    check(decisions[10].outcome == decisions[8].outcome);
    check(decisions[11].outcome == Outcome::kept && decisions[12].outcome == Outcome::kept);
    // Same input, same decisions.
    const auto again = evaluate(policy, images, kNow);
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        check(again[i].outcome == decisions[i].outcome && again[i].reason == decisions[i].reason);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto policy = LifecyclePolicy::parse(text);
    if (!policy) {
        check_error(policy.error());
        return 0;
    }
    check(policy->text() == text);
    const auto& rules = policy->rules();
    check(!rules.empty() && rules.size() <= 50);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        check(rules[i].priority >= 1 && rules[i].count_number >= 1);
        check(i == 0 || rules[i - 1].priority < rules[i].priority);
        check(rules[i].tag_status == TagStatus::tagged
                  ? rules[i].tag_patterns.empty() != rules[i].tag_prefixes.empty()
                  : rules[i].tag_patterns.empty() && rules[i].tag_prefixes.empty());
        (void)to_string(rules[i].tag_status);
        (void)to_string(rules[i].count_type);
        (void)to_string(rules[i].storage_class);
    }
    const LifecyclePolicy copy = *policy;  // shares the parsed rules
    check(&copy.rules() == &policy->rules());
    evaluate_all(copy);
    return 0;
}
