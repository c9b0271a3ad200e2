// CVSS 3.x base score, FIRST CVSS v3.1 specification section 7.1 and Appendix A (Roundup).
// v3.0 vectors use the same formula; the 3.1 Roundup only removes floating-point artefacts of
// 3.0's "round up to one decimal", so both versions score the same here as on NVD.
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "scan/vulndb/severity.hpp"

namespace wharf::scan::vulndb {
namespace {

// Base metrics in vector order, with their index in Metrics::value.
enum Base { kAV, kAC, kPR, kUI, kS, kC, kI, kA, kBaseCount };
constexpr std::array<std::string_view, kBaseCount> kBaseNames{"AV", "AC", "PR", "UI",
                                                              "S",  "C",  "I",  "A"};
// Temporal and environmental metrics may follow; they do not change the base score.
constexpr std::array<std::string_view, 14> kOtherNames{"E",   "RL",  "RC",  "CR", "IR", "AR", "MAV",
                                                       "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"};

// Spec Appendix A: avoids 3.0's floating-point surprises (e.g. 4.000000000000001 -> 4.1).
double roundup(double input) {
    const auto scaled = static_cast<std::int64_t>(std::llround(input * 100000.0));
    if (scaled % 10000 == 0) {
        return static_cast<double>(scaled) / 100000.0;
    }
    return static_cast<double>(scaled / 10000 + 1) / 10.0;
}

// The weight of `value` for base metric `m` (PR depends on scope); nullopt for a value the
// metric does not have.
std::optional<double> weight(int m, char value, bool scope_changed) {
    switch (m) {
        case kAV:
            switch (value) {
                case 'N':
                    return 0.85;
                case 'A':
                    return 0.62;
                case 'L':
                    return 0.55;
                case 'P':
                    return 0.2;
                default:
                    return std::nullopt;
            }
        case kAC:
            switch (value) {
                case 'L':
                    return 0.77;
                case 'H':
                    return 0.44;
                default:
                    return std::nullopt;
            }
        case kPR:
            switch (value) {
                case 'N':
                    return 0.85;
                case 'L':
                    return scope_changed ? 0.68 : 0.62;
                case 'H':
                    return scope_changed ? 0.5 : 0.27;
                default:
                    return std::nullopt;
            }
        case kUI:
            switch (value) {
                case 'N':
                    return 0.85;
                case 'R':
                    return 0.62;
                default:
                    return std::nullopt;
            }
        case kC:
        case kI:
        case kA:
            switch (value) {
                case 'H':
                    return 0.56;
                case 'L':
                    return 0.22;
                case 'N':
                    return 0.0;
                default:
                    return std::nullopt;
            }
        default:
            return std::nullopt;
    }
}

template <std::size_t N>
int index_of(const std::array<std::string_view, N>& names, std::string_view key) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == key) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

}  // namespace

std::optional<double> cvss3_base_score(std::string_view vector) {
    std::string_view rest;
    if (vector.starts_with("CVSS:3.1/")) {
        rest = vector.substr(9);
    } else if (vector.starts_with("CVSS:3.0/")) {
        rest = vector.substr(9);
    } else {
        return std::nullopt;
    }
    std::array<char, kBaseCount> base{};  // 0 = not given
    std::array<bool, kOtherNames.size()> other_seen{};
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (slash != std::string_view::npos && rest.empty()) {
            return std::nullopt;  // trailing "/"
        }
        const auto colon = part.find(':');
        if (colon == std::string_view::npos || colon + 2 != part.size()) {
            return std::nullopt;  // every value is one letter
        }
        const std::string_view key = part.substr(0, colon);
        const char value = part[colon + 1];
        if (const int m = index_of(kBaseNames, key); m >= 0) {
            if (base[static_cast<std::size_t>(m)] != 0) {
                return std::nullopt;  // repeated metric
            }
            base[static_cast<std::size_t>(m)] = value;
        } else if (const int o = index_of(kOtherNames, key); o >= 0) {
            if (other_seen[static_cast<std::size_t>(o)]) {
                return std::nullopt;
            }
            other_seen[static_cast<std::size_t>(o)] = true;
        } else {
            return std::nullopt;
        }
    }
    if (base[kS] != 'U' && base[kS] != 'C') {
        return std::nullopt;
    }
    const bool changed = base[kS] == 'C';
    std::array<double, kBaseCount> w{};
    for (int m = 0; m < kBaseCount; ++m) {
        if (m == kS) {
            continue;
        }
        const auto v = weight(m, base[static_cast<std::size_t>(m)], changed);
        if (!v) {
            return std::nullopt;  // missing (0) or an unknown value
        }
        w[static_cast<std::size_t>(m)] = *v;
    }
    const double iss = 1.0 - (1.0 - w[kC]) * (1.0 - w[kI]) * (1.0 - w[kA]);
    const double impact =
        changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
    const double exploitability = 8.22 * w[kAV] * w[kAC] * w[kPR] * w[kUI];
    if (impact <= 0) {
        return 0.0;
    }
    const double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
    return roundup(std::fmin(sum, 10.0));
}

}  // namespace wharf::scan::vulndb
