// The one-line reasons of decisions. Rules are named by priority, filters by what they match,
// ages in whole days (rounded down), so a person can check a decision against the policy text.
#include <fmt/format.h>

#include "lifecycle/detail.hpp"

namespace wharf::lifecycle::detail {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i == 0 ? "" : (i + 1 == items.size() ? " and " : ", ");
        out += items[i];
    }
    return out;
}

std::string days(std::int64_t n) {
    return fmt::format("{} {}", n, n == 1 ? "day" : "days");
}

std::string days_since(std::int64_t then, TimePoint now) {
    const std::int64_t age = millis(now) - then;
    return days(age > 0 ? age / kDayMillis : 0);
}

// "pushed 9 days ago", "not pulled for 40 days", "archived 120 days ago", ...
std::string age_phrase(CountType type, const ImageFacts& image, TimePoint now) {
    switch (type) {
        case CountType::image_count_more_than:
        case CountType::since_image_pushed:
            return fmt::format("{} {} ago", image.last_activated_at ? "restored" : "pushed",
                               days_since(activity_millis(image), now));
        case CountType::since_image_pulled: {
            const std::int64_t t = pull_millis(image);
            const std::string age = days_since(t, now);
            if (image.last_pulled_at && millis(*image.last_pulled_at) == t) {
                return fmt::format("not pulled for {}", age);
            }
            if (image.last_activated_at && millis(*image.last_activated_at) == t) {
                return fmt::format("not pulled since restored {} ago", age);
            }
            return fmt::format("never pulled, pushed {} ago", age);
        }
        case CountType::since_image_transitioned:
            if (!image.last_archived_at) {
                return "no archive time recorded";
            }
            return fmt::format("archived {} ago", days_since(millis(*image.last_archived_at), now));
    }
    return {};
}

// What a since* rule selects: "pushed more than 7 days ago".
std::string criterion(const Rule& rule) {
    switch (rule.count_type) {
        case CountType::image_count_more_than:
            return fmt::format("beyond the newest {}", rule.count_number);
        case CountType::since_image_pushed:
            return fmt::format("pushed more than {} ago", days(rule.count_number));
        case CountType::since_image_pulled:
            return fmt::format("not pulled for more than {}", days(rule.count_number));
        case CountType::since_image_transitioned:
            return fmt::format("archived more than {} ago", days(rule.count_number));
    }
    return {};
}

}  // namespace

std::string filter_label(const Rule& rule) {
    switch (rule.tag_status) {
        case TagStatus::any:
            return "any";
        case TagStatus::untagged:
            return "untagged";
        case TagStatus::tagged:
            break;
    }
    if (!rule.tag_patterns.empty()) {
        return "tagged " + join(rule.tag_patterns);
    }
    return fmt::format("tagged prefix{} {}", rule.tag_prefixes.size() == 1 ? "" : "es",
                       join(rule.tag_prefixes));
}

std::string_view past_tense(ActionType action) noexcept {
    return action == ActionType::expire ? "expired" : "archived";
}

std::string_view verb(ActionType action) noexcept {
    return action == ActionType::expire ? "expire" : "archive";
}

std::string ordinal(std::size_t n) {
    const std::size_t tens = n % 100;
    const char* suffix = "th";
    if (tens < 11 || tens > 13) {
        switch (n % 10) {
            case 1:
                suffix = "st";
                break;
            case 2:
                suffix = "nd";
                break;
            case 3:
                suffix = "rd";
                break;
            default:
                break;
        }
    }
    return fmt::format("{}{}", n, suffix);
}

std::string acted_reason(const Rule& rule, std::string_view label, const ImageFacts& image,
                         std::size_t rank, TimePoint now) {
    if (rule.count_type == CountType::image_count_more_than) {
        return fmt::format("{} by rule {}: {} newest of {} (keeps {})", past_tense(rule.action),
                           rule.priority, ordinal(rank + 1), label, rule.count_number);
    }
    return fmt::format("{} by rule {}: {}, {} > {}", past_tense(rule.action), rule.priority, label,
                       age_phrase(rule.count_type, image, now), rule.count_number);
}

std::string kept_reason(const Rule& rule, std::string_view label, const ImageFacts& image,
                        std::size_t rank, TimePoint now) {
    if (rule.count_type == CountType::image_count_more_than) {
        return fmt::format("kept: newest {} of rule {} (this is {})", rule.count_number,
                           rule.priority, ordinal(rank + 1));
    }
    return fmt::format("kept: rule {} selects {} images {}; {}", rule.priority, label,
                       criterion(rule), age_phrase(rule.count_type, image, now));
}

std::string protected_reason(const Rule& first, std::string_view first_label, const Rule& lower) {
    return fmt::format("kept: protected by rule {} ({}); rule {} would {} it", first.priority,
                       first_label, lower.priority, verb(lower.action));
}

}  // namespace wharf::lifecycle::detail
