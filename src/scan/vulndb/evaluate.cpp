// OSV's "Evaluation" (osv-schema docs/schema.md): a version is affected when it is listed in
// versions[] or some ECOSYSTEM/SEMVER range contains it. Events are sorted by version first
// (files need not list them in order), then walked: introduced sets, fixed/last_affected clear,
// limit ends the range.
#include "scan/vulndb/match.hpp"

#include <algorithm>

#include "scan/version/version.hpp"

namespace wharf::scan::vulndb {
namespace {

using version::Scheme;

// Far more events than any real range has; beyond it a range is not evaluated, which keeps the
// quadratic insertion sort below bounded on hostile input.
constexpr std::size_t kMaxEvents = 256;

struct Event {
    enum Kind { introduced, last_affected, fixed, limit } kind;  // tie order at equal versions
    std::string_view version;
};

Event event_of(const RangeEvent& e) {
    if (!e.introduced.empty()) {
        return {Event::introduced, e.introduced};
    }
    if (!e.fixed.empty()) {
        return {Event::fixed, e.fixed};
    }
    if (!e.last_affected.empty()) {
        return {Event::last_affected, e.last_affected};
    }
    return {Event::limit, e.limit};
}

class Comparer {
public:
    explicit Comparer(Scheme scheme) : scheme_(scheme) {}
    // "0" as introduced means "from the start" and sorts below everything, in every scheme.
    std::optional<int> operator()(const Event& a, const Event& b) const {
        const bool a_zero = a.kind == Event::introduced && a.version == "0";
        const bool b_zero = b.kind == Event::introduced && b.version == "0";
        if (a_zero || b_zero) {
            return a_zero == b_zero ? 0 : (a_zero ? -1 : 1);
        }
        return version::compare(scheme_, a.version, b.version);
    }
    std::optional<int> operator()(std::string_view v, std::string_view w) const {
        return version::compare(scheme_, v, w);
    }

private:
    Scheme scheme_;
};

// Insertion sort: never reads out of bounds even if a comparison were inconsistent, and ranges
// have a handful of events. nullopt when two events cannot be compared.
std::optional<std::vector<Event>> sorted_events(const Range& range, const Comparer& cmp) {
    std::vector<Event> events;
    events.reserve(range.events.size());
    for (const auto& e : range.events) {
        const Event ev = event_of(e);
        if (ev.version.empty()) {
            continue;
        }
        std::size_t at = events.size();
        while (at > 0) {
            const auto c = cmp(events[at - 1], ev);
            if (!c) {
                return std::nullopt;
            }
            if (*c < 0 || (*c == 0 && events[at - 1].kind <= ev.kind)) {
                break;
            }
            --at;
        }
        events.insert(events.begin() + static_cast<std::ptrdiff_t>(at), ev);
    }
    return events;
}

std::optional<bool> in_event_range(const Range& range, std::string_view v, const Comparer& cmp,
                                   std::string* fixed_in) {
    if (range.events.size() > kMaxEvents) {
        return std::nullopt;
    }
    const auto events = sorted_events(range, cmp);
    if (!events) {
        return std::nullopt;
    }
    bool vulnerable = false;
    std::size_t i = 0;
    for (; i < events->size(); ++i) {
        const Event& e = (*events)[i];
        if (e.kind == Event::introduced && e.version == "0") {
            vulnerable = true;
            continue;
        }
        const auto c = cmp(v, e.version);  // v <=> event
        if (!c) {
            return std::nullopt;
        }
        if (*c < 0) {
            break;  // sorted: no later event can change the state at v
        }
        switch (e.kind) {
            case Event::introduced:
                vulnerable = true;
                break;
            case Event::fixed:
                vulnerable = false;
                break;
            case Event::last_affected:
                vulnerable = vulnerable && *c == 0;
                break;
            case Event::limit:
                return false;
        }
    }
    if (vulnerable && fixed_in != nullptr) {
        fixed_in->clear();
        // The event right above v closes the interval v is in; when it is a fix, that is the
        // version to upgrade to (a last_affected or limit names none).
        if (i < events->size() && (*events)[i].kind == Event::fixed) {
            *fixed_in = std::string((*events)[i].version);
        }
    }
    return vulnerable;
}

// The lowest lower bound of a patched alternative above v: "^7.10.1 || ^8.1.4" at 7.9.0 -> 7.10.1.
std::string npm_fix(const version::NpmRange& patched, std::string_view v) {
    std::string best;
    for (const auto& alternative : patched.alternatives) {
        for (const auto& c : alternative) {
            using Op = version::NpmRange::Comparator::Op;
            if (c.op != Op::ge && c.op != Op::eq && c.op != Op::gt) {
                continue;
            }
            const auto above = version::compare_semver(c.version, v);
            if (!above || *above <= 0) {
                continue;
            }
            const auto lower =
                best.empty() ? std::optional<int>(-1) : version::compare_semver(c.version, best);
            if (lower && *lower < 0) {
                best = c.version;
            }
        }
    }
    return best;
}

std::optional<bool> in_npm_range(const Range& range, std::string_view v, std::string* fixed_in) {
    const auto vulnerable = version::NpmRange::parse(range.npm_vulnerable);
    if (!vulnerable) {
        return std::nullopt;
    }
    const auto in = vulnerable->contains(v);
    if (!in || !*in) {
        return in;
    }
    if (range.npm_patched.empty()) {
        return true;
    }
    const auto patched = version::NpmRange::parse(range.npm_patched);
    if (!patched) {
        return true;  // an unreadable "patched" does not un-affect a version that is vulnerable
    }
    if (patched->contains(v).value_or(false)) {
        return false;
    }
    if (fixed_in != nullptr) {
        *fixed_in = npm_fix(*patched, v);
    }
    return true;
}

}  // namespace

std::optional<bool> affects(const Affected& affected, std::string_view version,
                            std::string* fixed_in) {
    const auto eco_scheme = version::scheme_for_ecosystem(affected.ecosystem);
    bool unknown = false;
    for (const auto& range : affected.ranges) {
        std::optional<bool> hit;
        std::string fix;
        if (!range.npm_vulnerable.empty()) {
            hit = in_npm_range(range, version, &fix);
        } else if (range.type == "SEMVER") {
            // SEMVER ranges are semver whatever the ecosystem; Go's scheme is semver that also
            // takes the "v" its module versions carry.
            const Scheme s = eco_scheme == Scheme::go ? Scheme::go : Scheme::semver;
            hit = in_event_range(range, version, Comparer(s), &fix);
        } else if (range.type == "ECOSYSTEM") {
            if (!eco_scheme) {
                unknown = true;  // an ecosystem we cannot order
                continue;
            }
            hit = in_event_range(range, version, Comparer(*eco_scheme), &fix);
        } else {
            continue;  // GIT ranges name commits, not package versions
        }
        if (!hit) {
            unknown = true;
        } else if (*hit) {
            if (fixed_in != nullptr) {
                *fixed_in = std::move(fix);
            }
            return true;
        }
    }
    if (std::find(affected.versions.begin(), affected.versions.end(), version) !=
        affected.versions.end()) {
        if (fixed_in != nullptr) {
            fixed_in->clear();
        }
        return true;
    }
    if (unknown) {
        return std::nullopt;
    }
    return false;
}

}  // namespace wharf::scan::vulndb
