// Alpine versions, as apk-tools (src/version.c, apk_version_compare) orders them:
//   digits{.digits}[letter]{_suffix[digits]}[~hash][-r digits]
// Strings apk_version_validate would refuse get nullopt rather than apk's partial comparison.
#include <array>

#include "scan/version/version.hpp"

#include "scan/version/detail.hpp"

namespace wharf::scan::version {

namespace {

using detail::is_digit;
using detail::is_lower;

// Token kinds in the order apk-tools declares them: the order matters, a version that stops
// at a later kind is the smaller one ("1.0 < 1.0.1", "1.0_p1 > 1.0").
enum class Kind { initial_digit, digit, letter, suffix, suffix_no, commit_hash, revision_no, end };

// Suffix ranks: pre-releases below none, post-releases above.
enum Suffix { alpha, beta, pre, rc, none, cvs, svn, git, hg, p, invalid };

Suffix suffix_of(std::string_view s) {
    static constexpr std::array<std::string_view, 10> kNames = {"alpha", "beta", "pre", "rc", "",
                                                                "cvs",   "svn",  "git", "hg", "p"};
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (i != none && s == kNames[i]) {
            return static_cast<Suffix>(i);
        }
    }
    return invalid;
}

struct Token {
    Kind kind = Kind::initial_digit;
    Suffix suffix = none;
    std::string_view value;
};

class Tokenizer {
public:
    explicit Tokenizer(std::string_view text) : rest_(text) {}

    // The next token, or nullopt when the text is not a valid apk version.
    std::optional<Token> next() {
        if (first_) {
            first_ = false;
            return digits(Kind::initial_digit);
        }
        if (rest_.empty()) {
            kind_ = Kind::end;
            return Token{Kind::end, none, {}};
        }
        const char c = rest_.front();
        if (is_lower(c)) {
            if (kind_ > Kind::digit) {
                return std::nullopt;
            }
            kind_ = Kind::letter;
            Token t{Kind::letter, none, rest_.substr(0, 1)};
            rest_.remove_prefix(1);
            return t;
        }
        if (c == '.' || is_digit(c)) {
            if (c == '.') {
                if (kind_ > Kind::digit) {
                    return std::nullopt;
                }
                rest_.remove_prefix(1);
            }
            if (kind_ == Kind::initial_digit || kind_ == Kind::digit) {
                return digits(Kind::digit);
            }
            if (kind_ == Kind::suffix) {
                return digits(Kind::suffix_no);
            }
            return std::nullopt;
        }
        if (c == '_') {
            if (kind_ > Kind::suffix_no) {
                return std::nullopt;
            }
            rest_.remove_prefix(1);
            const auto name = take_while(is_lower);
            const Suffix s = suffix_of(name);
            if (s == invalid) {
                return std::nullopt;
            }
            kind_ = Kind::suffix;
            return Token{Kind::suffix, s, name};
        }
        if (c == '~') {
            if (kind_ >= Kind::commit_hash) {
                return std::nullopt;
            }
            rest_.remove_prefix(1);
            const auto hash =
                take_while([](char h) { return is_digit(h) || (h >= 'a' && h <= 'f'); });
            if (hash.empty()) {
                return std::nullopt;
            }
            kind_ = Kind::commit_hash;
            return Token{Kind::commit_hash, none, hash};
        }
        if (c == '-') {
            if (kind_ >= Kind::revision_no || rest_.size() < 2 || rest_[1] != 'r') {
                return std::nullopt;
            }
            rest_.remove_prefix(2);
            return digits(Kind::revision_no);
        }
        return std::nullopt;
    }

private:
    template <typename Pred>
    std::string_view take_while(Pred pred) {
        std::size_t n = 0;
        while (n < rest_.size() && pred(rest_[n])) {
            ++n;
        }
        const auto taken = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return taken;
    }

    std::optional<Token> digits(Kind kind) {
        const auto value = take_while(is_digit);
        if (value.empty()) {
            return std::nullopt;
        }
        kind_ = kind;
        return Token{kind, none, value};
    }

    std::string_view rest_;
    Kind kind_ = Kind::initial_digit;
    bool first_ = true;
};

// apk-tools token_cmp: numbers numerically, except that a later dot-separated number with a
// leading zero on either side compares as a string (Gentoo's rule: 1.01 < 1.1, 1.010 > 1.01).
int token_cmp(const Token& a, const Token& b) {
    switch (a.kind) {
        case Kind::digit:
            if (a.value.front() == '0' || b.value.front() == '0') {
                return detail::compare_bytes(a.value, b.value);
            }
            return detail::compare_numeric(a.value, b.value);
        case Kind::initial_digit:
        case Kind::suffix_no:
        case Kind::revision_no:
            return detail::compare_numeric(a.value, b.value);
        case Kind::letter:
            return detail::compare_bytes(a.value, b.value);
        case Kind::suffix:
            return (a.suffix > b.suffix) - (a.suffix < b.suffix);
        case Kind::commit_hash:
        case Kind::end:
            break;
    }
    return detail::compare_bytes(a.value, b.value);
}

bool valid(std::string_view text) {
    Tokenizer t(text);
    for (;;) {
        const auto token = t.next();
        if (!token) {
            return false;
        }
        if (token->kind == Kind::end) {
            return true;
        }
    }
}

}  // namespace

std::optional<int> compare_apk(std::string_view a, std::string_view b) {
    if (!valid(a) || !valid(b)) {
        return std::nullopt;
    }
    Tokenizer ta(a);
    Tokenizer tb(b);
    Token x = *ta.next();
    Token y = *tb.next();
    while (x.kind == y.kind && x.kind != Kind::end) {
        if (const int r = token_cmp(x, y); r != 0) {
            return r;
        }
        x = *ta.next();
        y = *tb.next();
    }
    if (x.kind == y.kind) {
        return 0;
    }
    // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
    if (x.kind == Kind::suffix && x.suffix < none) {
        return -1;
    }
    if (y.kind == Kind::suffix && y.suffix < none) {
        return 1;
    }
    return x.kind > y.kind ? -1 : 1;
}

}  // namespace wharf::scan::version
