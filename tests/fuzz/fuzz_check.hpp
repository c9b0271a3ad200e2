#pragma once

// The one assertion every fuzz target uses: a broken invariant traps, so libFuzzer (and the
// corpus replay driver) report the input that broke it.

namespace wharf::fuzz {

inline void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

}  // namespace wharf::fuzz

using wharf::fuzz::check;
