// Advisory readers: parse_osv_json, parse_osv_yaml, parse_alpine_secdb and parse_nodejs_wg on the
// input. A refusal must be a short bad_request; an advisory must satisfy the model's invariants,
// survive the database's stored form, and be evaluable by affects() for a few versions of
// several schemes without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scan/vulndb/advisory.hpp"
#include "scan/vulndb/detail.hpp"
#include "scan/vulndb/match.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::scan::vulndb;

void check_error(const wharf::Error& e) {
    check(e.code == wharf::Errc::bad_request);
    check(!e.message.empty());
    check(e.message.size() < 4096);
}

const std::vector<std::string> kVersions{"0",       "1.0.0",    "v1.2.3",         "1.0a1",
                                         "2:1.2-3", "3.1.1-r0", "2.36-9+deb12u3", ""};

void check_advisory(const Advisory& a) {
    check(!a.id.empty());
    for (const auto& entry : a.affected) {
        check(!entry.ecosystem.empty() && !entry.name.empty());
        for (const auto& range : entry.ranges) {
            for (const auto& e : range.events) {
                const int set = !e.introduced.empty() + !e.fixed.empty() +
                                !e.last_affected.empty() + !e.limit.empty();
                check(set == 1 || !range.npm_vulnerable.empty());
            }
        }
        std::vector<std::string> versions = kVersions;
        for (const auto& range : entry.ranges) {
            for (const auto& e : range.events) {
                versions.push_back(e.introduced + e.fixed + e.last_affected + e.limit);
            }
        }
        for (const auto& v : versions) {
            std::string fixed;
            const auto hit = affects(entry, v, &fixed);
            check(fixed.empty() || hit.value_or(false));
        }
    }
    // The stored form keeps what matching reads.
    const auto back = wharf::scan::vulndb::detail::decode(wharf::scan::vulndb::detail::encode(a));
    check(back.has_value());
    check(back->affected.size() == a.affected.size());
    check(back->aliases.size() == a.aliases.size());
}

template <typename R>
void one(const R& result) {
    if (!result) {
        check_error(result.error());
        return;
    }
    check_advisory(*result);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    one(parse_osv_json(text));
    one(parse_osv_yaml(text));
    one(parse_nodejs_wg(text, "1", false));
    one(parse_nodejs_wg(text, "1", true));
    auto secdb = parse_alpine_secdb(text);
    if (!secdb) {
        check_error(secdb.error());
    } else {
        // A secdb file yields hundreds of advisories of one shape; a few are enough to check.
        for (std::size_t i = 0; i < secdb->size() && i < 8; ++i) {
            check_advisory((*secdb)[i]);
        }
    }
    return 0;
}
