// evaluate(): ECR's rule precedence. Rules run in ascending priority over the whole set; each
// selects by its count type among all its candidates, but acts only on images no earlier rule
// matched. Dependents are settled afterwards (dependents.cpp).
#include <algorithm>

#include "lifecycle/detail.hpp"

namespace wharf::lifecycle {
namespace {

using detail::Dependencies;

// What the rules did to one image; rule numbers are indexes into policy.rules().
struct Slot {
    std::int32_t first = -1;    // the first rule whose candidates include the image
    std::int32_t acting = -1;   // the rule that acts on it (always `first` when set)
    std::int32_t blocked = -1;  // a later rule that selected it but may not act on it
    std::uint32_t rank = 0;     // 0-based place among `first`'s candidates, newest first
};

Decision decide(const std::vector<Rule>& rules, const std::vector<std::string>& labels,
                const ImageFacts& image, const Slot& slot, TimePoint now) {
    Decision d;
    if (slot.acting >= 0) {
        const Rule& rule = rules[static_cast<std::size_t>(slot.acting)];
        d.outcome = rule.action == ActionType::expire ? Outcome::expire : Outcome::transition;
        d.rule_priority = rule.priority;
        d.reason = detail::acted_reason(rule, labels[static_cast<std::size_t>(slot.acting)], image,
                                        slot.rank, now);
        return d;
    }
    if (slot.first < 0) {
        d.reason = "kept: no rule selects it";
        return d;
    }
    const auto first = static_cast<std::size_t>(slot.first);
    d.rule_priority = rules[first].priority;
    d.reason = slot.blocked >= 0
                   ? detail::protected_reason(rules[first], labels[first],
                                              rules[static_cast<std::size_t>(slot.blocked)])
                   : detail::kept_reason(rules[first], labels[first], image, slot.rank, now);
    return d;
}

}  // namespace

std::vector<Decision> evaluate(const LifecyclePolicy& policy, std::span<const ImageFacts> images,
                               TimePoint now) {
    const std::vector<Rule>& rules = policy.rules();
    const std::size_t n = images.size();
    const Dependencies dependencies = detail::find_dependencies(images);

    // imageCountMoreThan order: newest first by restore-or-push time, then by digest.
    std::vector<std::int64_t> activity(n);
    for (std::size_t i = 0; i < n; ++i) {
        activity[i] = detail::activity_millis(images[i]);
    }
    const auto newer = [&](std::uint32_t a, std::uint32_t b) {
        if (activity[a] != activity[b]) {
            return activity[a] > activity[b];
        }
        if (const int c = images[a].digest.compare(images[b].digest); c != 0) {
            return c < 0;
        }
        return a < b;
    };

    const std::int64_t now_ms = detail::millis(now);
    std::vector<Slot> slots(n);
    std::vector<std::uint32_t> candidates;
    candidates.reserve(n);
    for (std::size_t r = 0; r < rules.size(); ++r) {
        const Rule& rule = rules[r];
        candidates.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (dependencies.role_of(i) != Dependencies::Role::follower &&
                images[i].storage_class == rule.storage_class &&
                detail::tags_match(rule, images[i].tags)) {
                candidates.push_back(static_cast<std::uint32_t>(i));
            }
        }
        const bool by_count = rule.count_type == CountType::image_count_more_than;
        if (by_count) {
            std::sort(candidates.begin(), candidates.end(), newer);
        }
        // since*: older than N days means now - t > N * 24h, strictly.
        const std::int64_t cutoff = now_ms - rule.count_number * detail::kDayMillis;
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const std::uint32_t i = candidates[k];
            bool selected = false;
            if (by_count) {
                selected = static_cast<std::int64_t>(k) >= rule.count_number;
            } else {
                std::int64_t t = 0;
                selected = detail::since_millis(rule.count_type, images[i], t) && t < cutoff;
            }
            Slot& slot = slots[i];
            if (slot.first < 0) {
                slot.first = static_cast<std::int32_t>(r);
                slot.rank = static_cast<std::uint32_t>(k);
                if (selected) {
                    slot.acting = slot.first;
                }
            } else if (selected && slot.acting < 0 && slot.blocked < 0) {
                slot.blocked = static_cast<std::int32_t>(r);
            }
        }
    }

    std::vector<std::string> labels;
    labels.reserve(rules.size());
    for (const Rule& rule : rules) {
        labels.push_back(detail::filter_label(rule));
    }
    std::vector<Decision> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (dependencies.role_of(i) != Dependencies::Role::follower) {
            out[i] = decide(rules, labels, images[i], slots[i], now);
        }
        out[i].image = i;
    }
    detail::resolve_dependents(dependencies, images, out);
    return out;
}

}  // namespace wharf::lifecycle
