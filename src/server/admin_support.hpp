#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "config/config.hpp"
#include "server/runtime.hpp"

// What every `wharf admin` command shares: how it reports a problem, prints JSON and opens
// the runtime.
namespace wharf::server::admin {

// Prints the message to stderr; exit code 1 for internal failures, 2 for anything the user
// can fix.
inline int fail(const Error& e) {
    std::fprintf(stderr, "wharf admin: %s\n", e.message.c_str());
    return e.code == Errc::internal ? 1 : 2;
}

inline void print(const nlohmann::json& j) {
    std::fputs((j.dump(4) + "\n").c_str(), stdout);
}

// An instant given on the command line ("2026-11-22T10:00:00Z", UTC); `flag` names the option
// in the message.
Result<TimePoint> parse_instant(const std::string& text, std::string_view flag);

// The whole of a file named on the command line ("-" = standard input).
Result<std::string> read_input(const std::string& file);

// Opens the runtime or explains why not; the callback gets the services.
template <typename F>
int with_runtime(const config::Config& c, F&& fn) {
    auto rt = open_runtime(c);
    if (!rt) {
        return fail(rt.error());
    }
    return fn(**rt);
}

}  // namespace wharf::server::admin
