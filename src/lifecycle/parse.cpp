// LifecyclePolicy::parse: the document level (length, JSON syntax, "rules"); each rule is read by
// rule.cpp and the rules are checked against each other by check.cpp.
#include "lifecycle/lifecycle.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lifecycle/detail.hpp"
#include "model/text.hpp"

namespace wharf::lifecycle {

struct LifecyclePolicy::State {
    std::string text;
    std::vector<Rule> rules;  // ascending priority
};

namespace {

using nlohmann::json;

constexpr std::size_t kMinChars = 100;
constexpr std::size_t kMaxChars = 30'720;
constexpr std::size_t kMaxRules = 50;

Error bad(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

// Characters, not bytes: UTF-8 continuation bytes do not count.
std::size_t char_count(std::string_view text) noexcept {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

Result<std::vector<Rule>> read_rules(const json& root) {
    if (!root.is_object()) {
        return bad(
            fmt::format("the policy must be a JSON object such as {{\"rules\": [...]}}, not {}",
                        root.type_name()));
    }
    for (const auto& [name, value] : root.items()) {
        if (name != "rules") {
            return bad(
                fmt::format("the policy has unknown property {}; the top level may only "
                            "have 'rules'",
                            model::detail::quote(name)));
        }
    }
    const auto rules = root.find("rules");
    if (rules == root.end()) {
        return bad("'rules' is required; a lifecycle policy needs at least one rule");
    }
    if (!rules->is_array()) {
        return bad(fmt::format("'rules' must be an array of rules, not {}", rules->type_name()));
    }
    if (rules->empty()) {
        return bad("'rules' is empty; a lifecycle policy needs at least one rule");
    }
    if (rules->size() > kMaxRules) {
        return bad(fmt::format("'rules' has {} rules; a lifecycle policy may have at most {}",
                               rules->size(), kMaxRules));
    }
    std::vector<detail::ParsedRule> parsed;
    parsed.reserve(rules->size());
    for (std::size_t i = 0; i < rules->size(); ++i) {
        auto rule = detail::parse_rule((*rules)[i], i);
        if (!rule) {
            return std::move(rule).error();
        }
        parsed.push_back(std::move(*rule));
    }
    if (auto ok = detail::check_rules(parsed); !ok) {
        return std::move(ok).error();
    }
    std::vector<Rule> out;
    out.reserve(parsed.size());
    for (auto& p : parsed) {
        out.push_back(std::move(p.rule));
    }
    std::sort(out.begin(), out.end(),
              [](const Rule& a, const Rule& b) { return a.priority < b.priority; });
    return out;
}

}  // namespace

Result<LifecyclePolicy> LifecyclePolicy::parse(std::string_view text) {
    const std::size_t chars = char_count(text);
    if (chars < kMinChars || chars > kMaxChars) {
        return bad(fmt::format("the policy text is {} characters; it must be {} to {} characters",
                               chars, kMinChars, kMaxChars));
    }
    try {
        json root;
        try {
            root = json::parse(text.begin(), text.end());
        } catch (const json::exception& e) {
            // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." (or a number
            // out of range) without the library's prefix.
            std::string_view what = e.what();
            if (const auto end = what.find("] "); end != std::string_view::npos) {
                what.remove_prefix(end + 2);
            }
            return bad(
                fmt::format("the policy is not valid JSON: {}", model::detail::printable(what)));
        }
        auto rules = read_rules(root);
        if (!rules) {
            return std::move(rules).error();
        }
        auto state = std::make_shared<State>();
        state->text = std::string(text);
        state->rules = std::move(*rules);
        return LifecyclePolicy(std::move(state));
    } catch (const std::exception& e) {
        // Only the JSON library throws here (besides allocation); report it as input trouble.
        return bad(
            fmt::format("the policy could not be read: {}", model::detail::printable(e.what())));
    }
}

const std::string& LifecyclePolicy::text() const {
    return state_->text;
}

const std::vector<Rule>& LifecyclePolicy::rules() const {
    return state_->rules;
}

}  // namespace wharf::lifecycle
