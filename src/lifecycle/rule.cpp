// One element of "rules": rulePriority, description, selection and action, each on its own; the
// combinations are checked by check.cpp. Every message names the rule ("rule 2 (rules[1])", or
// "rules[1]" while the priority is unknown) and the field ('selection.countUnit'), and says what to
// do.
#include <algorithm>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "lifecycle/detail.hpp"
#include "model/text.hpp"

namespace wharf::lifecycle::detail {
namespace {

using model::detail::quote;
using nlohmann::json;

constexpr std::string_view kRuleFields[] = {"rulePriority", "description", "selection", "action"};
constexpr std::string_view kSelectionFields[] = {"tagStatus",    "tagPatternList", "tagPrefixList",
                                                 "storageClass", "countType",      "countUnit",
                                                 "countNumber"};
constexpr std::string_view kActionFields[] = {"type", "targetStorageClass"};
constexpr int kMaxWildcards = 4;

template <std::size_t N>
std::string join_names(const std::string_view (&names)[N]) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
        out += i == 0 ? "" : (i + 1 == N ? " and " : ", ");
        out += fmt::format("'{}'", names[i]);
    }
    return out;
}

template <std::size_t N>
bool known(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// A JSON value for a message: strings quoted, scalars as written, containers by type.
std::string describe(const json& j) {
    if (j.is_string()) {
        return quote(j.get_ref<const std::string&>());
    }
    if (j.is_array() || j.is_object()) {
        return fmt::format("an {}", j.type_name());
    }
    return model::detail::printable(j.dump(), 40);
}

class RuleParser {
public:
    explicit RuleParser(std::size_t index) { out_.index = index; }

    Result<ParsedRule> parse(const json& j) {
        if (!j.is_object()) {
            return fail("", fmt::format("must be an object with 'rulePriority', 'selection' and "
                                        "'action', not {}",
                                        describe(j)));
        }
        if (auto r = parse_priority(j); !r) {
            return std::move(r).error();
        }
        for (const auto& [name, value] : j.items()) {
            if (!known(kRuleFields, name)) {
                return fail("", fmt::format("has unknown property {}; a rule may have {}",
                                            quote(name), join_names(kRuleFields)));
            }
        }
        if (const auto it = j.find("description"); it != j.end()) {
            if (!it->is_string()) {
                return fail("description", fmt::format("must be a string, not {}", describe(*it)));
            }
            out_.rule.description = it->get<std::string>();
        }
        if (auto r = parse_selection(j); !r) {
            return std::move(r).error();
        }
        if (auto r = parse_action(j); !r) {
            return std::move(r).error();
        }
        if (auto r = check_rule(out_); !r) {
            return std::move(r).error();
        }
        return std::move(out_);
    }

private:
    Error fail(std::string_view field, std::string_view why) const {
        const std::string who =
            has_priority_ ? rule_label(out_) : fmt::format("rules[{}]", out_.index);
        if (field.empty()) {
            return Error{Errc::bad_request, fmt::format("{} {}", who, why)};
        }
        return Error{Errc::bad_request, fmt::format("{}: '{}' {}", who, field, why)};
    }

    // An integer in 1..kMaxNumber, or an error saying what was there.
    Result<std::int64_t> positive_integer(const json& j, std::string_view field) const {
        const auto wrong = [&] {
            return fail(field, fmt::format("must be an integer from 1 to {}, not {}", kMaxNumber,
                                           describe(j)));
        };
        if (j.is_number_unsigned()) {
            const auto v = j.get<std::uint64_t>();
            if (v < 1 || v > static_cast<std::uint64_t>(kMaxNumber)) {
                return wrong();
            }
            return static_cast<std::int64_t>(v);
        }
        if (j.is_number_integer()) {
            const auto v = j.get<std::int64_t>();
            if (v < 1 || v > kMaxNumber) {
                return wrong();
            }
            return v;
        }
        return wrong();
    }

    Result<void> parse_priority(const json& j) {
        const auto it = j.find("rulePriority");
        if (it == j.end()) {
            return fail("rulePriority",
                        "is required; give each rule a unique integer priority (1 is applied "
                        "first)");
        }
        auto v = positive_integer(*it, "rulePriority");
        if (!v) {
            return std::move(v).error();
        }
        out_.rule.priority = *v;
        has_priority_ = true;
        return ok();
    }

    // A string field that must be one of `choices`; nullopt (not an error) when absent.
    Result<std::optional<std::string>> choice(const json& parent, std::string_view name,
                                              std::string_view field,
                                              std::initializer_list<std::string_view> choices) {
        const auto it = parent.find(name);
        if (it == parent.end()) {
            return std::optional<std::string>{};
        }
        if (it->is_string()) {
            const auto& s = it->get_ref<const std::string&>();
            if (std::find(choices.begin(), choices.end(), s) != choices.end()) {
                return std::optional<std::string>{s};
            }
        }
        std::string allowed;
        std::size_t i = 0;
        for (const auto c : choices) {
            allowed += i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", ");
            allowed += fmt::format("\"{}\"", c);
            ++i;
        }
        return fail(field,
                    fmt::format("must be {} (case-sensitive), not {}", allowed, describe(*it)));
    }

    Result<void> parse_list(const json& selection, std::string_view name,
                            std::vector<std::string>& out, bool& present) {
        const auto it = selection.find(name);
        present = it != selection.end();
        if (!present) {
            return ok();
        }
        const std::string field = fmt::format("selection.{}", name);
        if (!it->is_array()) {
            return fail(field, fmt::format("must be an array of strings such as [\"prod\"], not {}",
                                           describe(*it)));
        }
        if (it->empty()) {
            return fail(field, "is empty; list at least one tag " +
                                   std::string(name == "tagPatternList" ? "pattern" : "prefix") +
                                   " (or use tagStatus \"untagged\" or \"any\")");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& v = (*it)[i];
            if (!v.is_string()) {
                return fail(field,
                            fmt::format("entry {} must be a string, not {}", i, describe(v)));
            }
            const auto& s = v.get_ref<const std::string&>();
            if (s.empty()) {
                return fail(field, fmt::format("entry {} is an empty string; remove it", i));
            }
            if (name == "tagPatternList") {
                const auto stars = std::count(s.begin(), s.end(), '*');
                if (stars > kMaxWildcards) {
                    return fail(field, fmt::format("entry {} has {} wildcards; a pattern may have "
                                                   "at most {} '*'",
                                                   quote(s), stars, kMaxWildcards));
                }
            }
            out.push_back(s);
        }
        return ok();
    }

    Result<void> parse_selection(const json& j) {
        const auto it = j.find("selection");
        if (it == j.end()) {
            return fail("selection",
                        "is required; it says which images the rule selects (tagStatus, "
                        "countType, countNumber, ...)");
        }
        if (!it->is_object()) {
            return fail("selection", fmt::format("must be an object, not {}", describe(*it)));
        }
        const json& s = *it;
        for (const auto& [name, value] : s.items()) {
            if (!known(kSelectionFields, name)) {
                return fail("selection", fmt::format("has unknown property {}; a selection may "
                                                     "have {}",
                                                     quote(name), join_names(kSelectionFields)));
            }
        }
        Rule& rule = out_.rule;

        auto status = choice(s, "tagStatus", "selection.tagStatus", {"tagged", "untagged", "any"});
        if (!status) {
            return std::move(status).error();
        }
        if (!status->has_value()) {
            return fail("selection.tagStatus",
                        "is required; use \"tagged\" (with a tag list), \"untagged\" or \"any\"");
        }
        rule.tag_status = **status == "tagged"     ? TagStatus::tagged
                          : **status == "untagged" ? TagStatus::untagged
                                                   : TagStatus::any;

        bool has_patterns = false;
        bool has_prefixes = false;
        if (auto r = parse_list(s, "tagPatternList", rule.tag_patterns, has_patterns); !r) {
            return std::move(r).error();
        }
        if (auto r = parse_list(s, "tagPrefixList", rule.tag_prefixes, has_prefixes); !r) {
            return std::move(r).error();
        }
        if (rule.tag_status == TagStatus::tagged) {
            if (has_patterns && has_prefixes) {
                return fail("selection.tagPatternList",
                            "and 'selection.tagPrefixList' cannot both be set in one rule; keep "
                            "one of them (another rule may use the other)");
            }
            if (!has_patterns && !has_prefixes) {
                return fail("selection.tagPatternList",
                            "or 'selection.tagPrefixList' is required when tagStatus is "
                            "\"tagged\"; list the tags to select, e.g. [\"prod*\"]");
            }
        } else if (has_patterns || has_prefixes) {
            return fail(has_patterns ? "selection.tagPatternList" : "selection.tagPrefixList",
                        fmt::format("is only allowed when tagStatus is \"tagged\", not \"{}\"; "
                                    "remove it or set tagStatus to \"tagged\"",
                                    to_string(rule.tag_status)));
        }

        auto storage = choice(s, "storageClass", "selection.storageClass", {"standard", "archive"});
        if (!storage) {
            return std::move(storage).error();
        }
        rule.storage_class = storage->value_or("standard") == "archive" ? StorageClass::archive
                                                                        : StorageClass::standard;

        auto type = choice(s, "countType", "selection.countType",
                           {"imageCountMoreThan", "sinceImagePushed", "sinceImagePulled",
                            "sinceImageTransitioned"});
        if (!type) {
            return std::move(type).error();
        }
        if (!type->has_value()) {
            return fail("selection.countType",
                        "is required; use \"imageCountMoreThan\", \"sinceImagePushed\", "
                        "\"sinceImagePulled\" or \"sinceImageTransitioned\"");
        }
        const std::string& t = **type;
        rule.count_type = t == "imageCountMoreThan" ? CountType::image_count_more_than
                          : t == "sinceImagePushed" ? CountType::since_image_pushed
                          : t == "sinceImagePulled" ? CountType::since_image_pulled
                                                    : CountType::since_image_transitioned;

        const auto unit = s.find("countUnit");
        if (rule.count_type == CountType::image_count_more_than) {
            if (unit != s.end()) {
                return fail("selection.countUnit",
                            "is not allowed when countType is imageCountMoreThan (countNumber is "
                            "a number of images); remove it");
            }
        } else if (unit == s.end()) {
            return fail("selection.countUnit", fmt::format("is required when countType is {}; "
                                                           "set it to \"days\"",
                                                           t));
        } else if (!unit->is_string() || *unit != "days") {
            return fail("selection.countUnit",
                        fmt::format("must be \"days\", not {}", describe(*unit)));
        }

        const auto number = s.find("countNumber");
        if (number == s.end()) {
            return fail("selection.countNumber",
                        rule.count_type == CountType::image_count_more_than
                            ? "is required; it is how many images the rule keeps"
                            : "is required; it is the age in days past which the rule acts");
        }
        auto n = positive_integer(*number, "selection.countNumber");
        if (!n) {
            return std::move(n).error();
        }
        rule.count_number = *n;
        return ok();
    }

    Result<void> parse_action(const json& j) {
        const auto it = j.find("action");
        if (it == j.end()) {
            return fail("action",
                        "is required; use {\"type\": \"expire\"} or {\"type\": "
                        "\"transition\", \"targetStorageClass\": \"archive\"}");
        }
        if (!it->is_object()) {
            return fail("action", fmt::format("must be an object, not {}", describe(*it)));
        }
        const json& a = *it;
        for (const auto& [name, value] : a.items()) {
            if (!known(kActionFields, name)) {
                return fail("action", fmt::format("has unknown property {}; an action may have {}",
                                                  quote(name), join_names(kActionFields)));
            }
        }
        auto type = choice(a, "type", "action.type", {"expire", "transition"});
        if (!type) {
            return std::move(type).error();
        }
        if (!type->has_value()) {
            return fail("action.type", "is required; use \"expire\" or \"transition\"");
        }
        out_.rule.action = **type == "expire" ? ActionType::expire : ActionType::transition;

        const auto target = a.find("targetStorageClass");
        if (out_.rule.action == ActionType::expire) {
            if (target != a.end()) {
                return fail("action.targetStorageClass",
                            "is only allowed when action.type is \"transition\"; remove it");
            }
        } else if (target == a.end()) {
            return fail("action.targetStorageClass",
                        "is required when action.type is \"transition\"; set it to \"archive\"");
        } else if (!target->is_string() || *target != "archive") {
            return fail("action.targetStorageClass",
                        fmt::format("must be \"archive\", not {}", describe(*target)));
        }
        return ok();
    }

    ParsedRule out_;
    bool has_priority_ = false;
};

}  // namespace

std::string rule_label(const ParsedRule& rule) {
    return fmt::format("rule {} (rules[{}])", rule.rule.priority, rule.index);
}

Result<ParsedRule> parse_rule(const json& j, std::size_t index) {
    return RuleParser(index).parse(j);
}

}  // namespace wharf::lifecycle::detail
