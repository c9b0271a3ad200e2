#include <regex>

#include <fmt/format.h>

#include "registry/mutability.hpp"
#include "registry/scans.hpp"

namespace wharf::registry {
namespace {

constexpr std::string_view kConfigKey = "registry_scanning_configuration";

Error validation(std::string message) {
    return Error{Errc::bad_request, std::move(message), {{"kind", "validation"}}};
}

nlohmann::json to_json(const ScanningConfiguration& c) {
    nlohmann::json rules = nlohmann::json::array();
    for (const ScanningRule& r : c.rules) {
        rules.push_back({{"scanFrequency", r.frequency}, {"filters", r.filters}});
    }
    return {{"scanType", c.scan_type}, {"rules", std::move(rules)}};
}

ScanningConfiguration from_json(const nlohmann::json& j) {
    ScanningConfiguration c;
    c.scan_type = j.value("scanType", std::string("BASIC"));
    for (const auto& r : j.value("rules", nlohmann::json::array())) {
        c.rules.push_back(ScanningRule{r.value("scanFrequency", std::string()),
                                       r.value("filters", std::vector<std::string>{})});
    }
    return c;
}

Result<ScanningConfiguration> read_configuration(storage::MetadataTx& tx) {
    auto stored = tx.documents().get(std::string(kConfigKey));
    if (!stored) {
        return stored.error();
    }
    if (!*stored) {
        return ScanningConfiguration{};
    }
    auto j = nlohmann::json::parse(**stored, nullptr, false);
    if (!j.is_object()) {
        return Error{Errc::internal, "the stored registry scanning configuration is damaged"};
    }
    return from_json(j);
}

}  // namespace

bool scan_filter_matches(std::string_view filter, std::string_view repository) {
    if (filter.find('*') == std::string_view::npos) {
        return repository.find(filter) != std::string_view::npos;
    }
    return wildcard_match(filter, repository);
}

Result<void> validate(const ScanningConfiguration& c) {
    if (c.scan_type != "BASIC" && c.scan_type != "ENHANCED") {
        return validation(fmt::format(
            "1 validation error detected: Value '{}' at 'scanType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [BASIC, ENHANCED]",
            c.scan_type));
    }
    if (c.rules.size() > 2) {
        return validation(
            "1 validation error detected: Value at 'rules' failed to satisfy constraint: Member "
            "must have length less than or equal to 2");
    }
    static const std::regex kFilter("^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$");
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < c.rules.size(); ++i) {
        const ScanningRule& r = c.rules[i];
        if (r.frequency != "SCAN_ON_PUSH" && r.frequency != "CONTINUOUS_SCAN" &&
            r.frequency != "MANUAL") {
            return validation(fmt::format(
                "1 validation error detected: Value '{}' at 'rules.{}.member.scanFrequency' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                "[SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL]",
                r.frequency, i + 1));
        }
        if (c.scan_type == "BASIC" && r.frequency != "SCAN_ON_PUSH") {
            return validation(fmt::format(
                "Scan frequency {} is not supported for scan type BASIC: basic scanning supports "
                "SCAN_ON_PUSH rules (other repositories are scanned manually with StartImageScan)",
                r.frequency));
        }
        if (c.scan_type == "ENHANCED" && r.frequency == "MANUAL") {
            return validation(
                "Scan frequency MANUAL is not supported for scan type ENHANCED: use SCAN_ON_PUSH "
                "or CONTINUOUS_SCAN");
        }
        if (std::find(seen.begin(), seen.end(), r.frequency) != seen.end()) {
            return validation(
                fmt::format("Only one rule per scan frequency is allowed; {} appears twice",
                            r.frequency));
        }
        seen.push_back(r.frequency);
        if (r.filters.size() > 100) {
            return validation(fmt::format(
                "1 validation error detected: Value at 'rules.{}.member.repositoryFilters' failed "
                "to satisfy constraint: Member must have length less than or equal to 100",
                i + 1));
        }
        for (const std::string& f : r.filters) {
            if (f.empty() || f.size() > 256 || !std::regex_match(f, kFilter)) {
                return validation(fmt::format(
                    "1 validation error detected: Value '{}' at "
                    "'rules.{}.member.repositoryFilters.member.filter' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: "
                    "^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$",
                    f, i + 1));
            }
        }
    }
    return ok();
}

Result<ScanningConfiguration> ScanService::configuration() {
    ScanningConfiguration out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto c = read_configuration(tx);
        if (!c) {
            return c.error();
        }
        out = std::move(*c);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

Result<ScanningConfiguration> ScanService::put_configuration(const ScanningConfiguration& config) {
    if (auto valid = validate(config); !valid) {
        return valid.error();
    }
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        return tx.documents().put(std::string(kConfigKey), to_json(config).dump(),
                                  ctx_.clock.now());
    });
    if (!done) {
        return done.error();
    }
    return config;
}

Result<bool> ScanService::queue_on_push(storage::MetadataTx& tx,
                                        const storage::RepositoryRecord& repo,
                                        const model::Digest& digest, TimePoint now) {
    bool wanted = repo.settings.scan_on_push;
    if (!wanted) {
        auto config = read_configuration(tx);
        if (!config) {
            return config.error();
        }
        for (const ScanningRule& rule : config->rules) {
            if (rule.frequency != "SCAN_ON_PUSH" && rule.frequency != "CONTINUOUS_SCAN") {
                continue;
            }
            for (const std::string& f : rule.filters) {
                wanted = wanted || scan_filter_matches(f, repo.name.str());
            }
        }
    }
    if (!wanted) {
        return false;
    }
    auto existing = tx.scans().find(digest);
    if (!existing) {
        return existing.error();
    }
    storage::ImageScanRecord scan(digest, repo.name);
    if (*existing) {
        // The same content pushed again (or to another repository) is already scanned or queued.
        if ((*existing)->status != "FAILED") {
            return false;
        }
        scan = std::move(**existing);
    }
    scan.repository = repo.name;
    scan.status = "PENDING";
    scan.description.clear();
    scan.queued_at = now;
    if (auto put = tx.scans().put(scan); !put) {
        return put.error();
    }
    return true;
}

}  // namespace wharf::registry
