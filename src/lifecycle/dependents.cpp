// Images that depend on others of the same set: manifests listed by an index, and referrers
// (signatures, SBOMs, attestations) whose subject is present. An index is not acted on while its
// children stay, and a referrer is useless without its subject, so these follow what they depend
// on instead of being selected by rules of their own (see README.md for the choices).
#include <algorithm>

#include <fmt/format.h>

#include "lifecycle/detail.hpp"

namespace wharf::lifecycle::detail {
namespace {

using Role = Dependencies::Role;
constexpr std::uint32_t kAbsent = static_cast<std::uint32_t>(-1);

// Digest -> index, sorted for binary search; the first image wins when a digest repeats.
class DigestIndex {
public:
    explicit DigestIndex(std::span<const ImageFacts> images) {
        entries_.reserve(images.size());
        for (std::size_t i = 0; i < images.size(); ++i) {
            entries_.emplace_back(images[i].digest, static_cast<std::uint32_t>(i));
        }
        std::sort(entries_.begin(), entries_.end());
    }

    std::uint32_t find(std::string_view digest) const noexcept {
        const auto it =
            std::lower_bound(entries_.begin(), entries_.end(), digest,
                             [](const auto& e, std::string_view d) { return e.first < d; });
        return it != entries_.end() && it->first == digest ? it->second : kAbsent;
    }

private:
    std::vector<std::pair<std::string_view, std::uint32_t>> entries_;
};

std::string_view kind(const Dependencies& d, std::size_t image, std::uint32_t target) {
    return d.subject[image] == static_cast<std::int32_t>(target) ? "subject" : "index";
}

void settle_follower(const Dependencies& d, std::span<const ImageFacts> images, std::size_t i,
                     std::vector<Decision>& out) {
    const auto first = d.targets.begin() + d.begin[i];
    const auto last = d.targets.begin() + d.begin[i + 1];
    const std::int32_t subject = d.subject[i];
    // The dependency a person should look at: the subject when there is one, else the first
    // parent with the deciding outcome.
    std::uint32_t kept = kAbsent;
    std::uint32_t expired = kAbsent;
    std::uint32_t archived = kAbsent;
    for (auto it = first; it != last; ++it) {
        auto& slot = out[*it].outcome == Outcome::kept         ? kept
                     : out[*it].outcome == Outcome::transition ? archived
                                                               : expired;
        if (slot == kAbsent) {
            slot = *it;
        }
    }
    Decision& decision = out[i];
    if (kept != kAbsent) {
        if (subject >= 0 && out[static_cast<std::size_t>(subject)].outcome == Outcome::kept) {
            kept = static_cast<std::uint32_t>(subject);
        }
        decision.outcome = Outcome::kept;
        decision.rule_priority = out[kept].rule_priority;
        decision.reason =
            fmt::format("kept: follows its {} {}", kind(d, i, kept), images[kept].digest);
        return;
    }
    const Outcome outcome = archived != kAbsent ? Outcome::transition : Outcome::expire;
    const std::uint32_t named = subject >= 0 ? static_cast<std::uint32_t>(subject)
                                : outcome == Outcome::transition ? archived
                                                                 : expired;
    decision.rule_priority = out[named].rule_priority;
    if (outcome == Outcome::transition && images[i].storage_class == StorageClass::archive) {
        decision.outcome = Outcome::kept;
        decision.reason = fmt::format("kept: already archived, as its {} {} will be",
                                      kind(d, i, named), images[named].digest);
        return;
    }
    decision.outcome = outcome;
    decision.reason =
        fmt::format("{} with its {} {}", outcome == Outcome::transition ? "archived" : "expired",
                    kind(d, i, named), images[named].digest);
}

void settle_tagged_child(const Dependencies& d, std::span<const ImageFacts> images, std::size_t i,
                         std::vector<Decision>& out) {
    const auto first = d.targets.begin() + d.begin[i];
    const auto last = d.targets.begin() + d.begin[i + 1];
    const auto kept =
        std::find_if(first, last, [&](std::uint32_t t) { return out[t].outcome == Outcome::kept; });
    if (kept == last) {
        return;  // every index that lists it goes too: the rule's action stands
    }
    Decision& decision = out[i];
    decision.reason = fmt::format(
        "kept: rule {} would {} it but its index {} is kept", decision.rule_priority.value_or(0),
        decision.outcome == Outcome::transition ? "archive" : "expire", images[*kept].digest);
    decision.outcome = Outcome::kept;
}

}  // namespace

Dependencies find_dependencies(std::span<const ImageFacts> images) {
    Dependencies d;
    const bool any = std::any_of(images.begin(), images.end(), [](const ImageFacts& image) {
        return !image.parents.empty() || image.subject.has_value();
    });
    if (!any) {
        return d;
    }
    const DigestIndex index(images);
    const std::size_t n = images.size();
    d.role.assign(n, Role::independent);
    d.subject.assign(n, -1);
    d.begin.assign(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto self = static_cast<std::uint32_t>(i);
        const ImageFacts& image = images[i];
        const auto start = d.targets.size();
        const auto add = [&](std::uint32_t target) {
            if (target != kAbsent && target != self &&
                std::find(d.targets.begin() + static_cast<std::ptrdiff_t>(start), d.targets.end(),
                          target) == d.targets.end()) {
                d.targets.push_back(target);
                return true;
            }
            return false;
        };
        bool has_parent = false;
        for (const auto& parent : image.parents) {
            has_parent = add(index.find(parent)) || has_parent;
        }
        if (image.subject) {
            const auto subject = index.find(*image.subject);
            if (subject != kAbsent && subject != self) {
                add(subject);  // may already be there as a parent
                d.subject[i] = static_cast<std::int32_t>(subject);
            }
        }
        d.begin[i + 1] = static_cast<std::uint32_t>(d.targets.size());
        if (d.subject[i] >= 0 || (has_parent && image.tags.empty())) {
            d.role[i] = Role::follower;
        } else if (has_parent) {
            d.role[i] = Role::tagged_child;
        }
    }
    return d;
}

void resolve_dependents(const Dependencies& d, std::span<const ImageFacts> images,
                        std::vector<Decision>& out) {
    if (d.role.empty()) {
        return;
    }
    const std::size_t n = images.size();
    std::vector<std::uint8_t> settled(n, 1);
    std::vector<std::uint32_t> pending;
    for (std::size_t i = 0; i < n; ++i) {
        // A tagged child its rules keep stays kept whatever its parents do.
        if (d.role[i] == Role::follower ||
            (d.role[i] == Role::tagged_child && out[i].outcome != Outcome::kept)) {
            settled[i] = 0;
            pending.push_back(static_cast<std::uint32_t>(i));
        }
    }
    bool progress = true;
    while (progress && !pending.empty()) {
        progress = false;
        std::size_t kept_pending = 0;
        for (const std::uint32_t i : pending) {
            const auto first = d.targets.begin() + d.begin[i];
            const auto last = d.targets.begin() + d.begin[i + 1];
            if (!std::all_of(first, last, [&](std::uint32_t t) { return settled[t] != 0; })) {
                pending[kept_pending++] = i;
                continue;
            }
            if (d.role[i] == Role::follower) {
                settle_follower(d, images, i, out);
            } else {
                settle_tagged_child(d, images, i, out);
            }
            settled[i] = 1;
            progress = true;
        }
        pending.resize(kept_pending);
    }
    for (const std::uint32_t i : pending) {
        out[i].outcome = Outcome::kept;
        if (d.role[i] == Role::follower) {
            out[i].rule_priority.reset();
        }
        out[i].reason = "kept: it depends on an index or subject that depends back on it";
    }
}

}  // namespace wharf::lifecycle::detail
