// Maven versions, as Maven 3.8's org.apache.maven.artifact.versioning.ComparableVersion orders
// them. ComparableVersion builds nested lists: every '-' and every digit/letter switch opens a
// sub-list as the last item of the current one. So the tree is a chain of levels (plain items,
// then at most one child list) and is kept here as a vector, which keeps parsing, normalising
// and comparing iterative: no recursion depth that an input can choose.
#include <array>

#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_digit;

struct Item {
    bool numeric = false;
    std::string value;  // numeric: digits without leading zeros ("" is 0); else the qualifier
};

struct Level {
    std::vector<Item> items;
    bool has_child = false;  // the next level is this one's last element
};

// Qualifier order; unknown qualifiers come after all of them, alphabetically.
constexpr std::array<std::string_view, 7> kQualifiers = {"alpha",    "beta", "milestone", "rc",
                                                         "snapshot", "",     "sp"};
constexpr std::string_view kRelease = "5";  // the index of "" above

std::string comparable_qualifier(const std::string& q) {
    for (std::size_t i = 0; i < kQualifiers.size(); ++i) {
        if (q == kQualifiers[i]) {
            return std::to_string(i);
        }
    }
    return std::to_string(kQualifiers.size()) + "-" + q;
}

Item make_number(std::string_view digits) {
    const auto first = digits.find_first_not_of('0');
    return Item{true, first == std::string_view::npos ? "" : std::string(digits.substr(first))};
}

// StringItem: "a1", "b1", "m1" abbreviate alpha, beta, milestone; ga, final and release are the
// release itself and cr is rc.
Item make_qualifier(std::string_view text, bool followed_by_digit) {
    std::string q(text);
    if (followed_by_digit && q.size() == 1) {
        if (q == "a") {
            q = "alpha";
        } else if (q == "b") {
            q = "beta";
        } else if (q == "m") {
            q = "milestone";
        }
    }
    if (q == "ga" || q == "final" || q == "release") {
        q.clear();
    } else if (q == "cr") {
        q = "rc";
    }
    return Item{false, std::move(q)};
}

bool is_null(const Item& item) {
    return item.numeric ? item.value.empty() : comparable_qualifier(item.value) == kRelease;
}

// Item.compareTo(null): how an item compares with a missing one.
int compare_with_missing(const Item& item) {
    if (item.numeric) {
        return item.value.empty() ? 0 : 1;
    }
    return detail::compare_bytes(comparable_qualifier(item.value), kRelease);
}

int compare_items(const Item& a, const Item& b) {
    if (a.numeric != b.numeric) {
        return a.numeric ? 1 : -1;  // 1.1 > 1-sp... a number beats a qualifier
    }
    if (a.numeric) {
        return detail::compare_numeric(a.value, b.value);
    }
    return detail::compare_bytes(comparable_qualifier(a.value), comparable_qualifier(b.value));
}

class Parsed {
public:
    explicit Parsed(std::string_view version) {
        std::string lower(version);
        for (char& c : lower) {
            c = detail::to_lower(c);
        }
        levels_.emplace_back();
        bool digit = false;
        std::size_t start = 0;
        for (std::size_t i = 0; i < lower.size(); ++i) {
            const char c = lower[i];
            const std::string_view token(lower.data() + start, i - start);
            if (c == '.' || c == '-') {
                if (token.empty()) {
                    add(Item{true, ""});
                } else {
                    add(digit ? make_number(token) : make_qualifier(token, false));
                }
                start = i + 1;
                if (c == '-') {
                    open_list();
                }
            } else if (is_digit(c)) {
                if (!digit && i > start) {
                    // "1.0.0.X1 < 1.0.0-X2": a qualifier after items starts a list, as '-' does.
                    if (!levels_.back().items.empty()) {
                        open_list();
                    }
                    add(make_qualifier(token, true));
                    start = i;
                    open_list();
                }
                digit = true;
            } else {
                if (digit && i > start) {
                    add(make_number(token));
                    start = i;
                    open_list();
                }
                digit = false;
            }
        }
        if (lower.size() > start) {
            const std::string_view token(lower.data() + start, lower.size() - start);
            if (!digit && !levels_.back().items.empty()) {
                open_list();  // the same for a trailing qualifier: 1.0.alpha == 1.0-alpha
            }
            add(digit ? make_number(token) : make_qualifier(token, false));
        }
        normalize();
    }

    const std::vector<Level>& levels() const { return levels_; }

private:
    void add(Item item) { levels_.back().items.push_back(std::move(item)); }
    void open_list() {
        levels_.back().has_child = true;
        levels_.emplace_back();
    }

    // ListItem.normalize, innermost list first: an empty child list goes, then trailing null
    // items (0, "", "ga", ...) go, looking past a non-empty child.
    void normalize() {
        for (std::size_t k = levels_.size(); k-- > 0;) {
            Level& level = levels_[k];
            if (level.has_child && levels_[k + 1].items.empty() && !levels_[k + 1].has_child) {
                level.has_child = false;
                levels_.pop_back();
            }
            while (!level.items.empty() && is_null(level.items.back())) {
                level.items.pop_back();
            }
        }
    }

    std::vector<Level> levels_;
};

// ListItem.compareTo(null) for the list at `k`: the first of its elements, nested ones included,
// that differs from nothing (MNG-6964: "1-0.1" > "1").
int list_with_missing(const std::vector<Level>& levels, std::size_t k) {
    for (; k < levels.size(); ++k) {
        for (const Item& item : levels[k].items) {
            if (const int r = compare_with_missing(item); r != 0) {
                return r;
            }
        }
        if (!levels[k].has_child) {
            break;
        }
    }
    return 0;
}

int compare_parsed(const Parsed& pa, const Parsed& pb) {
    const auto& a = pa.levels();
    const auto& b = pb.levels();
    std::size_t ka = 0;
    std::size_t kb = 0;
    for (;;) {
        const Level& la = a[ka];
        const Level& lb = b[kb];
        const std::size_t na = la.items.size() + (la.has_child ? 1 : 0);
        const std::size_t nb = lb.items.size() + (lb.has_child ? 1 : 0);
        bool descend = false;
        for (std::size_t i = 0; i < std::max(na, nb); ++i) {
            const bool a_list = i == la.items.size() && la.has_child;
            const bool b_list = i == lb.items.size() && lb.has_child;
            int r = 0;
            if (i >= na) {
                r = b_list ? -list_with_missing(b, kb + 1) : -compare_with_missing(lb.items[i]);
            } else if (i >= nb) {
                r = a_list ? list_with_missing(a, ka + 1) : compare_with_missing(la.items[i]);
            } else if (a_list && b_list) {
                descend = true;  // both children are the last elements: compare them next
                break;
            } else if (a_list) {
                r = lb.items[i].numeric ? -1 : 1;  // a list is below a number, above a qualifier
            } else if (b_list) {
                r = la.items[i].numeric ? 1 : -1;
            } else {
                r = compare_items(la.items[i], lb.items[i]);
            }
            if (r != 0) {
                return r;
            }
        }
        if (!descend) {
            return 0;
        }
        ++ka;
        ++kb;
    }
}

}  // namespace

std::optional<int> compare_maven(std::string_view a, std::string_view b) {
    return compare_parsed(Parsed(a), Parsed(b));
}

}  // namespace wharf::scan::version
