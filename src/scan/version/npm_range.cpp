// node-semver ranges (classes/range.js) as the Node.js Security WG writes them, desugared the way
// node-semver does into OR-of-AND comparator sets. Prerelease versions are matched like any other
// (node-semver's includePrerelease, which npm audit uses): "<2.0.0" contains "2.0.0-beta".
#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_digit;
using Op = NpmRange::Comparator::Op;

bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < s.size() && !is_space(s[i])) {
            ++i;
        }
        if (i > start) {
            out.push_back(s.substr(start, i - start));
        }
    }
    return out;
}

// Decimal string + 1, for the exclusive upper bounds ("^1.2.3" is below 2.0.0-0).
std::string increment(std::string n) {
    for (std::size_t i = n.size(); i-- > 0;) {
        if (n[i] != '9') {
            ++n[i];
            return n;
        }
        n[i] = '0';
    }
    return "1" + n;
}

// node-semver's XRANGEPLAIN: [v=]* then up to three parts, each a number, 'x', 'X' or '*'; a
// pre-release and build only after a third part. A missing part is an X.
struct Partial {
    std::optional<std::string> major, minor, patch;  // nullopt: X
    std::string pre;                                 // without the '-'
};

bool is_x(std::string_view s) {
    return s == "x" || s == "X" || s == "*";
}

std::optional<Partial> parse_partial(std::string_view s) {
    while (!s.empty() && (s.front() == 'v' || s.front() == '=')) {
        s.remove_prefix(1);
    }
    Partial p;
    std::optional<std::string>* const parts[] = {&p.major, &p.minor, &p.patch};
    for (std::size_t k = 0; k < 3; ++k) {
        std::size_t n = 0;
        while (n < s.size() && s[n] != '.' && s[n] != '-' && s[n] != '+') {
            ++n;
        }
        const auto part = s.substr(0, n);
        if (is_x(part)) {
            *parts[k] = std::nullopt;
        } else if (!part.empty() &&
                   part.find_first_not_of("0123456789") == std::string_view::npos &&
                   (part.size() == 1 || part.front() != '0')) {
            *parts[k] = std::string(part);
        } else {
            return std::nullopt;
        }
        s.remove_prefix(n);
        if (k < 2) {
            if (s.empty()) {
                return p;  // the rest are X
            }
            if (s.front() != '.') {
                return std::nullopt;
            }
            s.remove_prefix(1);
        }
    }
    if (s.empty()) {
        return p;
    }
    // The pre-release and build must make "0.0.0<rest>" a valid SemVer.
    const std::string check = "0.0.0" + std::string(s);
    const auto parsed = detail::parse_semver(check);
    if (!parsed) {
        return std::nullopt;
    }
    const auto plus = s.find('+');
    if (s.front() == '-') {
        p.pre = std::string(s.substr(1, plus == std::string_view::npos ? s.npos : plus - 1));
    }
    return p;
}

std::string full(const std::string& major, const std::string& minor, const std::string& patch,
                 const std::string& pre = {}) {
    return major + "." + minor + "." + patch + (pre.empty() ? "" : "-" + pre);
}

using Set = std::vector<NpmRange::Comparator>;

void add(Set& set, Op op, std::string version) {
    set.push_back(NpmRange::Comparator{op, std::move(version)});
}

// "^M" and "~M" alike: any version of that major. False when more than the major is given.
bool major_only(Set& set, const std::string& M, const Partial& p) {
    if (p.minor) {
        return false;
    }
    add(set, Op::ge, full(M, "0", "0", "0"));
    add(set, Op::lt, full(increment(M), "0", "0", "0"));
    return true;
}

// "^M.m.p": changes that do not modify the left-most non-zero part.
void caret(Set& set, const Partial& p) {
    if (!p.major || major_only(set, *p.major, p)) {
        return;
    }
    const std::string& M = *p.major;
    const std::string& m = *p.minor;
    if (!p.patch) {
        add(set, Op::ge, full(M, m, "0", "0"));
        add(set, Op::lt,
            M == "0" ? full(M, increment(m), "0", "0") : full(increment(M), "0", "0", "0"));
        return;
    }
    const std::string& pt = *p.patch;
    add(set, Op::ge, full(M, m, pt, p.pre));
    if (M != "0") {
        add(set, Op::lt, full(increment(M), "0", "0", "0"));
    } else if (m != "0") {
        add(set, Op::lt, full(M, increment(m), "0", "0"));
    } else {
        add(set, Op::lt, full(M, m, increment(pt), "0"));
    }
}

// "~M.m.p": patch-level changes (minor-level when only the major is given).
void tilde(Set& set, const Partial& p) {
    if (!p.major || major_only(set, *p.major, p)) {
        return;
    }
    const std::string& M = *p.major;
    const std::string& m = *p.minor;
    // "~1.2" is "1.2.x", so it starts at 1.2.0-0 like the x-range; "~1.2.3" at 1.2.3 itself.
    add(set, Op::ge, p.patch ? full(M, m, *p.patch, p.pre) : full(M, m, "0", "0"));
    add(set, Op::lt, full(M, increment(m), "0", "0"));
}

// A comparator with X parts (replaceXRange), or a plain one. False when a number follows an X
// ("1.x.3", "x.1"), which node-semver refuses.
bool xrange(Set& set, std::string_view gtlt, const Partial& p) {
    if ((!p.major && p.minor) || (!p.minor && p.patch)) {
        return false;
    }
    const bool xM = !p.major;
    const bool xm = xM || !p.minor;
    const bool xp = xm || !p.patch;
    if (gtlt == "=" && xp) {
        gtlt = "";
    }
    if (xM) {
        if (gtlt == ">" || gtlt == "<") {
            add(set, Op::lt, "0.0.0-0");  // nothing is allowed
        }
        return true;  // otherwise nothing is forbidden
    }
    const std::string& M = *p.major;
    if (!xp) {
        const Op op = gtlt == "<"    ? Op::lt
                      : gtlt == "<=" ? Op::le
                      : gtlt == ">"  ? Op::gt
                      : gtlt == ">=" ? Op::ge
                                     : Op::eq;
        add(set, op, full(M, *p.minor, *p.patch, p.pre));
        return true;
    }
    if (gtlt.empty()) {
        if (xm) {
            add(set, Op::ge, full(M, "0", "0", "0"));
            add(set, Op::lt, full(increment(M), "0", "0", "0"));
        } else {
            add(set, Op::ge, full(M, *p.minor, "0", "0"));
            add(set, Op::lt, full(M, increment(*p.minor), "0", "0"));
        }
        return true;
    }
    std::string major = M;
    std::string minor = xm ? "0" : *p.minor;
    Op op = Op::ge;
    if (gtlt == ">") {  // >1 is >=2.0.0, >1.2 is >=1.3.0
        if (xm) {
            major = increment(major);
        } else {
            minor = increment(minor);
        }
    } else if (gtlt == "<=") {  // <=1.2 is <1.3.0-0
        op = Op::lt;
        if (xm) {
            major = increment(major);
        } else {
            minor = increment(minor);
        }
    } else if (gtlt == "<") {
        op = Op::lt;
    }
    // With prereleases included, every bound here is the lowest prerelease of its version.
    add(set, op, full(major, minor, "0", "0"));
    return true;
}

// "A - B", inclusive at both ends; an X in B makes the end exclusive of the next part.
void hyphen(Set& set, const Partial& from, const Partial& to) {
    if (from.major) {
        if (!from.minor) {
            add(set, Op::ge, full(*from.major, "0", "0", "0"));
        } else if (!from.patch) {
            add(set, Op::ge, full(*from.major, *from.minor, "0", "0"));
        } else {
            add(set, Op::ge,
                full(*from.major, *from.minor, *from.patch, from.pre.empty() ? "0" : from.pre));
        }
    }
    if (to.major) {
        if (!to.minor) {
            add(set, Op::lt, full(increment(*to.major), "0", "0", "0"));
        } else if (!to.patch) {
            add(set, Op::lt, full(*to.major, increment(*to.minor), "0", "0"));
        } else if (!to.pre.empty()) {
            add(set, Op::le, full(*to.major, *to.minor, *to.patch, to.pre));
        } else {
            add(set, Op::lt, full(*to.major, *to.minor, increment(*to.patch), "0"));
        }
    }
}

bool is_operator(std::string_view t) {
    return t == "<" || t == ">" || t == "<=" || t == ">=" || t == "=" || t == "~" || t == "~>" ||
           t == "^";
}

std::optional<Set> parse_set(std::string_view text) {
    Set set;
    auto tokens = split_spaces(text);
    if (tokens.size() == 3 && tokens[1] == "-") {
        const auto from = parse_partial(tokens[0]);
        const auto to = parse_partial(tokens[2]);
        if (from && to) {
            hyphen(set, *from, *to);
            return set;
        }
    }
    // "> 1.2.3" is ">1.2.3": an operator standing alone takes the next token.
    std::vector<std::string> joined;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (is_operator(tokens[i]) && i + 1 < tokens.size()) {
            joined.push_back(std::string(tokens[i]) + std::string(tokens[i + 1]));
            ++i;
        } else {
            joined.emplace_back(tokens[i]);
        }
    }
    for (std::string_view t : joined) {
        std::string_view op;
        bool is_caret = false;
        bool is_tilde = false;
        if (t.starts_with("^")) {
            is_caret = true;
            t.remove_prefix(1);
        } else if (t.starts_with("~")) {
            is_tilde = true;
            t.remove_prefix(t.starts_with("~>") ? 2 : 1);
        } else {
            std::size_t n = 0;
            if (n < t.size() && (t[n] == '<' || t[n] == '>')) {
                ++n;
            }
            if (n < t.size() && t[n] == '=') {
                ++n;
            }
            op = t.substr(0, n);
            t.remove_prefix(n);
        }
        const auto partial = parse_partial(t);
        if (!partial) {
            return std::nullopt;
        }
        if (is_caret) {
            caret(set, *partial);
        } else if (is_tilde) {
            tilde(set, *partial);
        } else if (!xrange(set, op, *partial)) {
            return std::nullopt;
        }
    }
    return set;
}

bool satisfies(const detail::SemVer& v, const NpmRange::Comparator& c) {
    const auto bound = detail::parse_semver(c.version);
    if (!bound) {
        return false;  // parse() only builds valid versions
    }
    const int r = detail::compare_semver(v, *bound);
    switch (c.op) {
        case Op::lt:
            return r < 0;
        case Op::le:
            return r <= 0;
        case Op::gt:
            return r > 0;
        case Op::ge:
            return r >= 0;
        case Op::eq:
            return r == 0;
    }
    return false;
}

}  // namespace

std::optional<NpmRange> NpmRange::parse(std::string_view text) {
    NpmRange range;
    for (;;) {
        const auto bar = text.find("||");
        auto set = parse_set(trim(text.substr(0, bar)));
        if (!set) {
            return std::nullopt;
        }
        range.alternatives.push_back(std::move(*set));
        if (bar == std::string_view::npos) {
            break;
        }
        text.remove_prefix(bar + 2);
    }
    return range;
}

std::optional<bool> NpmRange::contains(std::string_view version) const {
    const auto v = detail::parse_semver(trim(version));
    if (!v) {
        return std::nullopt;
    }
    for (const auto& set : alternatives) {
        bool all = true;
        for (const auto& c : set) {
            if (!satisfies(*v, c)) {
                all = false;
                break;
            }
        }
        if (all) {
            return true;
        }
    }
    return false;
}

}  // namespace wharf::scan::version
