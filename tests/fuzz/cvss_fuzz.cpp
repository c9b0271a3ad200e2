// CVSS 3.x base score on the input: when a score comes out it is in [0, 10] with one decimal,
// and the severity decision built on it is consistent with the score bands.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scan/vulndb/severity.hpp"
#include "fuzz_check.hpp"

namespace {
using namespace wharf::scan::vulndb;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto score = cvss3_base_score(text);
    if (score) {
        check(*score >= 0.0 && *score <= 10.0);
        check(std::fabs(*score * 10.0 - std::round(*score * 10.0)) < 1e-9);
        check(text.starts_with("CVSS:3."));
    }
    const auto d = decide_severity({"", "", {std::string(text)}});
    check(d.score == score);
    check(score ? d.severity == severity_from_score(*score) && d.source == "cvss3"
                : d.severity == Severity::undefined && d.source.empty());
    check(parse_severity(to_string(d.severity)) == d.severity);
    return 0;
}
