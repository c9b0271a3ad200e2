// Python versions per PEP 440, parsed with the spellings the PyPA `packaging` library accepts
// (its VERSION_PATTERN: case-insensitive, optional separators, alpha/c/pre/preview/rev/r/-N
// aliases) and ordered by its _cmpkey.
#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_digit;

// Pre-release letters after normalisation: a < b < rc.
enum class Pre { a, b, rc };

struct Pep440 {
    std::string_view epoch;  // digits; empty is 0
    std::vector<std::string_view> release;
    std::optional<Pre> pre;
    std::string_view pre_n;  // digits; empty is 0
    std::optional<std::string_view> post;
    std::optional<std::string_view> dev;
    std::optional<std::vector<std::string>> local;  // lower-cased segments
};

bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_sep(char c) {
    return c == '-' || c == '_' || c == '.';
}

class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    bool done() const { return i_ == s_.size(); }
    char peek(std::size_t ahead = 0) const {
        return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0';
    }
    std::size_t pos() const { return i_; }
    void seek(std::size_t pos) { i_ = pos; }
    std::string_view digits() {
        const std::size_t start = i_;
        while (i_ < s_.size() && is_digit(s_[i_])) {
            ++i_;
        }
        return s_.substr(start, i_ - start);
    }
    bool sep() {
        if (is_sep(peek())) {
            ++i_;
            return true;
        }
        return false;
    }
    // Case-insensitive literal.
    bool word(std::string_view w) {
        if (s_.size() - i_ < w.size()) {
            return false;
        }
        for (std::size_t k = 0; k < w.size(); ++k) {
            if (detail::to_lower(s_[i_ + k]) != w[k]) {
                return false;
            }
        }
        i_ += w.size();
        return true;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

// Each optional part either matches entirely or leaves the reader where it was. Taking a
// trailing separator greedily is safe: every later part may begin with its own separator.
std::optional<Pre> read_pre(Reader& r, std::string_view& n) {
    const std::size_t start = r.pos();
    r.sep();
    // Longest spelling first; no shorter choice can let a later part match instead.
    static constexpr std::pair<std::string_view, Pre> kSpellings[] = {
        {"preview", Pre::rc}, {"alpha", Pre::a}, {"beta", Pre::b}, {"pre", Pre::rc},
        {"rc", Pre::rc},      {"a", Pre::a},     {"b", Pre::b},    {"c", Pre::rc}};
    for (const auto& [spelling, pre] : kSpellings) {
        if (r.word(spelling)) {
            r.sep();
            n = r.digits();
            return pre;
        }
    }
    r.seek(start);
    return std::nullopt;
}

std::optional<std::string_view> read_post(Reader& r) {
    const std::size_t start = r.pos();
    if (r.peek() == '-' && is_digit(r.peek(1))) {
        r.sep();
        return r.digits();
    }
    r.sep();
    if (r.word("post") || r.word("rev") || r.word("r")) {
        r.sep();
        return r.digits();
    }
    r.seek(start);
    return std::nullopt;
}

std::optional<std::string_view> read_dev(Reader& r) {
    const std::size_t start = r.pos();
    r.sep();
    if (r.word("dev")) {
        r.sep();
        return r.digits();
    }
    r.seek(start);
    return std::nullopt;
}

// [v][N!]N(.N)*[pre][post][dev]: the public version, without the local part.
std::optional<Pep440> parse_public(std::string_view text) {
    Reader r(text);
    Pep440 v;
    if (detail::to_lower(r.peek()) == 'v') {
        r.seek(1);
    }
    auto first = r.digits();
    if (first.empty()) {
        return std::nullopt;
    }
    if (r.peek() == '!') {
        v.epoch = first;
        r.seek(r.pos() + 1);
        first = r.digits();
        if (first.empty()) {
            return std::nullopt;
        }
    }
    v.release.push_back(first);
    while (r.peek() == '.' && is_digit(r.peek(1))) {
        r.seek(r.pos() + 1);
        v.release.push_back(r.digits());
    }
    v.pre = read_pre(r, v.pre_n);
    v.post = read_post(r);
    v.dev = read_dev(r);
    if (!r.done()) {
        return std::nullopt;
    }
    return v;
}

// Whitespace is allowed around the whole version only.
std::optional<Pep440> parse(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    if (const auto plus = text.find('+'); plus != std::string_view::npos) {
        // Local: alphanumeric segments split by single separators.
        std::vector<std::string> local(1);
        for (const char c : text.substr(plus + 1)) {
            if (is_sep(c)) {
                if (local.back().empty()) {
                    return std::nullopt;
                }
                local.emplace_back();
            } else if (detail::is_alnum(c)) {
                local.back().push_back(detail::to_lower(c));
            } else {
                return std::nullopt;
            }
        }
        if (local.back().empty()) {
            return std::nullopt;
        }
        text = text.substr(0, plus);
        auto v = parse_public(text);
        if (v) {
            v->local = std::move(local);
        }
        return v;
    }
    return parse_public(text);
}

int compare_release(const std::vector<std::string_view>& a,
                    const std::vector<std::string_view>& b) {
    // Trailing zeros do not count: 1.0 == 1.0.0. A missing component is 0.
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view x = i < a.size() ? a[i] : std::string_view{};
        const std::string_view y = i < b.size() ? b[i] : std::string_view{};
        if (const int r = detail::compare_numeric(x, y); r != 0) {
            return r;
        }
    }
    return 0;
}

// packaging's _cmpkey turns each part into a value with -inf/+inf stand-ins; `rank` is that
// stand-in (-1, 0 with the number, +1) so parts compare without floats.
struct Keyed {
    int rank;
    int letter;
    std::string_view number;
};

int compare_keyed(const Keyed& a, const Keyed& b) {
    if (a.rank != b.rank) {
        return a.rank < b.rank ? -1 : 1;
    }
    if (a.rank != 0) {
        return 0;
    }
    if (a.letter != b.letter) {
        return a.letter < b.letter ? -1 : 1;
    }
    return detail::compare_numeric(a.number, b.number);
}

Keyed pre_key(const Pep440& v) {
    if (!v.pre && !v.post && v.dev) {
        return {-1, 0, {}};  // 1.0.dev1 sorts before 1.0a1
    }
    if (!v.pre) {
        return {1, 0, {}};
    }
    return {0, static_cast<int>(*v.pre), v.pre_n};
}

Keyed post_key(const Pep440& v) {
    return v.post ? Keyed{0, 0, *v.post} : Keyed{-1, 0, {}};
}
Keyed dev_key(const Pep440& v) {
    return v.dev ? Keyed{0, 0, *v.dev} : Keyed{1, 0, {}};
}

int compare_local(const Pep440& a, const Pep440& b) {
    if (!a.local || !b.local) {
        return static_cast<int>(a.local.has_value()) - static_cast<int>(b.local.has_value());
    }
    const auto& x = *a.local;
    const auto& y = *b.local;
    const auto numeric = [](const std::string& s) {
        return s.find_first_not_of("0123456789") == std::string::npos;
    };
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
        const bool xn = numeric(x[i]);
        const bool yn = numeric(y[i]);
        int r = 0;
        if (xn && yn) {
            r = detail::compare_numeric(x[i], y[i]);
        } else if (xn != yn) {
            r = xn ? 1 : -1;  // numeric segments sort after alphanumeric ones
        } else {
            r = detail::compare_bytes(x[i], y[i]);
        }
        if (r != 0) {
            return r;
        }
    }
    return (x.size() > y.size()) - (x.size() < y.size());
}

}  // namespace

std::optional<int> compare_pep440(std::string_view a, std::string_view b) {
    const auto x = parse(a);
    const auto y = parse(b);
    if (!x || !y) {
        return std::nullopt;
    }
    if (const int r = detail::compare_numeric(x->epoch, y->epoch); r != 0) {
        return r;
    }
    if (const int r = compare_release(x->release, y->release); r != 0) {
        return r;
    }
    if (const int r = compare_keyed(pre_key(*x), pre_key(*y)); r != 0) {
        return r;
    }
    if (const int r = compare_keyed(post_key(*x), post_key(*y)); r != 0) {
        return r;
    }
    if (const int r = compare_keyed(dev_key(*x), dev_key(*y)); r != 0) {
        return r;
    }
    return compare_local(*x, *y);
}

}  // namespace wharf::scan::version
