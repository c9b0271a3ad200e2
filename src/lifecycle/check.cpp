// The combinations: storage class, count type and action within a rule; and across rules, in
// document order so the message names the later of two rules that clash: unique priorities,
// `any` only on the last rule of its storage class, one untagged rule and unique prefixes per
// storage class.
#include <fmt/format.h>

#include "lifecycle/detail.hpp"
#include "model/text.hpp"

namespace wharf::lifecycle::detail {
namespace {

Error bad(const ParsedRule& rule, std::string_view field, std::string_view why) {
    return Error{Errc::bad_request, fmt::format("{}: '{}' {}", rule_label(rule), field, why)};
}

Result<void> check_pair(const ParsedRule& earlier, const ParsedRule& later) {
    const Rule& a = earlier.rule;
    const Rule& b = later.rule;
    if (a.priority == b.priority) {
        return bad(later, "rulePriority",
                   fmt::format("{} is also used by {}; each rule needs a unique priority",
                               b.priority, rule_label(earlier)));
    }
    if (a.storage_class != b.storage_class) {
        return ok();
    }
    if (a.tag_status == TagStatus::untagged && b.tag_status == TagStatus::untagged) {
        return bad(later, "selection.tagStatus",
                   fmt::format("\"untagged\" is also selected by {} for {} images; only one rule "
                               "per storage class may select untagged images, merge the two",
                               rule_label(earlier), to_string(b.storage_class)));
    }
    for (const auto& prefix : b.tag_prefixes) {
        for (const auto& other : a.tag_prefixes) {
            if (prefix == other) {
                return bad(later, "selection.tagPrefixList",
                           fmt::format("entry {} is also listed by {}; prefixes must be unique "
                                       "across the rules of a storage class ({})",
                                       model::detail::quote(prefix), rule_label(earlier),
                                       to_string(b.storage_class)));
            }
        }
    }
    return ok();
}

}  // namespace

Result<void> check_rule(const ParsedRule& parsed) {
    const Rule& rule = parsed.rule;
    if (rule.count_type == CountType::since_image_transitioned) {
        if (rule.storage_class != StorageClass::archive) {
            return bad(parsed, "selection.storageClass",
                       "must be \"archive\" when countType is sinceImageTransitioned (only "
                       "archived images have a transition time); add \"storageClass\": "
                       "\"archive\"");
        }
        if (rule.action != ActionType::expire) {
            return bad(parsed, "action.type",
                       "must be \"expire\" when countType is sinceImageTransitioned; archived "
                       "images can only be expired");
        }
        if (rule.count_number < 90) {
            return bad(parsed, "selection.countNumber",
                       fmt::format("is {}; with countType sinceImageTransitioned it must be at "
                                   "least 90 (archived images are kept at least 90 days)",
                                   rule.count_number));
        }
        return ok();
    }
    if (rule.storage_class == StorageClass::archive) {
        return bad(parsed, "selection.storageClass",
                   fmt::format("\"archive\" is only allowed with countType "
                               "sinceImageTransitioned, not {}; {} rules select standard images "
                               "(omit storageClass or set it to \"standard\")",
                               to_string(rule.count_type), to_string(rule.count_type)));
    }
    if (rule.count_type == CountType::since_image_pulled && rule.action != ActionType::transition) {
        return bad(parsed, "action.type",
                   "must be \"transition\" when countType is sinceImagePulled; to delete images "
                   "by pull age, transition them to archive and expire archived images with a "
                   "sinceImageTransitioned rule");
    }
    return ok();
}

Result<void> check_rules(const std::vector<ParsedRule>& rules) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (auto r = check_pair(rules[j], rules[i]); !r) {
                return r;
            }
        }
    }
    // `any` selects every image of its storage class, so it must come last among those rules
    // (ECR: "must have the highest value for rulePriority and be evaluated last").
    for (const auto& rule : rules) {
        if (rule.rule.tag_status != TagStatus::any) {
            continue;
        }
        for (const auto& other : rules) {
            if (other.rule.storage_class == rule.rule.storage_class &&
                other.rule.priority > rule.rule.priority) {
                return bad(rule, "selection.tagStatus",
                           fmt::format("\"any\" is only allowed on the rule with the highest "
                                       "rulePriority among the {} rules, but {} has priority {}; "
                                       "give this rule the highest priority",
                                       to_string(rule.rule.storage_class), rule_label(other),
                                       other.rule.priority));
            }
        }
    }
    return ok();
}

}  // namespace wharf::lifecycle::detail
