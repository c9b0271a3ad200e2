// match(): each package's advisories from the database, evaluated per OSV, folded by alias, with
// a severity decided from the distro urgency, the advisory's rating and the CVSS vectors of the
// advisory and of the records that alias it.
#include "scan/vulndb/match.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"
#include "scan/vulndb/fold.hpp"

namespace wharf::scan::vulndb {
namespace {

using detail::Group;
using detail::Hit;

bool is_os_package(PackageType t) {
    return t == PackageType::deb || t == PackageType::apk || t == PackageType::rpm;
}

// A name and version to look a package up by.
struct Query {
    std::string name;
    std::string version;
};

std::vector<Query> queries_for(const Package& p) {
    if (!is_os_package(p.type)) {
        return {{p.name, p.version}};
    }
    // Distro advisories name source packages and compare the source version (a binNMU
    // "5.2.15-2+b8" of source "5.2.15-2" is fixed when the source is). The binary name is
    // tried as well, with its own version, for advisories that name it.
    std::vector<Query> out;
    out.push_back({p.source_name.empty() ? p.name : p.source_name,
                   p.source_version.empty() ? p.version : p.source_version});
    if (!p.source_name.empty() && p.source_name != p.name) {
        out.push_back({p.name, p.version});
    }
    return out;
}

// Lookups memoised for one match() call: the binaries of one source package (a dozen for glibc
// or gcc) all look the source up, and decoding its records is most of a scan's time.
class Lookups {
public:
    explicit Lookups(const Database& db) : db_(db) {}
    Result<const std::vector<Advisory>*> get(const std::string& ecosystem,
                                             const std::string& name) {
        auto key = std::make_pair(ecosystem, name);
        if (const auto it = cache_.find(key); it != cache_.end()) {
            return &it->second;
        }
        auto advisories = db_.lookup(ecosystem, name);
        if (!advisories) {
            return std::move(advisories).error();
        }
        return &cache_.emplace(std::move(key), std::move(*advisories)).first->second;
    }

private:
    const Database& db_;
    std::map<std::pair<std::string, std::string>, std::vector<Advisory>> cache_;
};

// Adds the advisories affecting (ecosystem, query) to hits, merging records of one id.
Result<void> collect(Lookups& lookups, const std::string& ecosystem, const Query& q,
                     std::optional<version::Scheme> scheme, std::vector<Hit>& hits,
                     std::map<std::string, std::size_t>& by_id) {
    auto advisories = lookups.get(ecosystem, q.name);
    if (!advisories) {
        return std::move(advisories).error();
    }
    const std::string norm = detail::normalize_name(ecosystem, q.name);
    for (const Advisory& adv : **advisories) {
        if (!adv.informational.empty()) {
            continue;  // RustSec "unmaintained"/"unsound": not a vulnerability
        }
        bool affected = false;
        std::string urgency, fixed;
        std::vector<std::string> cvss;
        for (const auto& entry : adv.affected) {
            if (entry.ecosystem != ecosystem ||
                detail::normalize_name(ecosystem, entry.name) != norm) {
                continue;
            }
            std::string fix;
            if (affects(entry, q.version, &fix).value_or(false)) {
                if (!affected) {
                    urgency = entry.urgency;
                }
                affected = true;
                fixed = detail::higher_fix(fixed, fix, scheme);
                cvss.insert(cvss.end(), entry.cvss_v3.begin(), entry.cvss_v3.end());
            }
        }
        if (!affected) {
            continue;
        }
        const auto [it, inserted] = by_id.try_emplace(adv.id, hits.size());
        if (inserted) {
            hits.push_back(Hit{adv, std::move(urgency), std::move(cvss), fixed});
            continue;
        }
        Hit& h = hits[it->second];  // the same id from another source or lookup name
        h.fixed_in = detail::higher_fix(h.fixed_in, fixed, scheme);
        if (h.urgency.empty()) {
            h.urgency = std::move(urgency);
        }
        h.entry_cvss.insert(h.entry_cvss.end(), cvss.begin(), cvss.end());
        h.entry_cvss.insert(h.entry_cvss.end(), adv.cvss_v3.begin(), adv.cvss_v3.end());
    }
    return ok();
}

// CVSS vectors of every record that has `id` as id or alias, memoised across packages.
class AliasVectors {
public:
    explicit AliasVectors(const Database& db) : db_(db) {}
    Result<const std::vector<std::string>*> get(const std::string& id) {
        if (const auto it = cache_.find(id); it != cache_.end()) {
            return &it->second;
        }
        auto records = db_.by_alias(id);
        if (!records) {
            return std::move(records).error();
        }
        std::vector<std::string> vectors;
        for (const auto& r : *records) {
            vectors.insert(vectors.end(), r.cvss_v3.begin(), r.cvss_v3.end());
            for (const auto& e : r.affected) {
                vectors.insert(vectors.end(), e.cvss_v3.begin(), e.cvss_v3.end());
            }
        }
        return &cache_.emplace(id, std::move(vectors)).first->second;
    }

private:
    const Database& db_;
    std::map<std::string, std::vector<std::string>> cache_;
};

Result<SeverityDecision> severity_of(const Group& g, const std::vector<Hit>& hits,
                                     AliasVectors& aliases) {
    SeverityInputs in;
    in.urgency = hits[g.primary].urgency;
    in.rating = hits[g.primary].advisory.severity;
    std::set<std::string> ids{g.id};
    for (std::size_t m : g.members) {
        const Hit& h = hits[m];
        if (in.urgency.empty()) {
            in.urgency = h.urgency;
        }
        if (in.rating.empty()) {
            in.rating = h.advisory.severity;
        }
        in.cvss_v3.insert(in.cvss_v3.end(), h.advisory.cvss_v3.begin(), h.advisory.cvss_v3.end());
        in.cvss_v3.insert(in.cvss_v3.end(), h.entry_cvss.begin(), h.entry_cvss.end());
        ids.insert(h.advisory.id);
        ids.insert(h.advisory.aliases.begin(), h.advisory.aliases.end());
    }
    // Go and PyPA records carry no score: the CVE record of the same vulnerability usually does.
    for (const auto& id : ids) {
        auto vectors = aliases.get(id);
        if (!vectors) {
            return std::move(vectors).error();
        }
        in.cvss_v3.insert(in.cvss_v3.end(), (*vectors)->begin(), (*vectors)->end());
    }
    return decide_severity(in);
}

std::string uri_of(const Group& g, const Advisory& primary, std::string_view ecosystem) {
    if (!primary.references.empty()) {
        return primary.references.front();
    }
    if (detail::is_cve(g.id) && ecosystem.starts_with("Debian")) {
        return "https://security-tracker.debian.org/tracker/" + g.id;
    }
    return "https://osv.dev/vulnerability/" + g.id;
}

}  // namespace

Result<std::vector<Finding>> match(const Database& db, const std::optional<OsRelease>& os,
                                   const std::vector<Package>& packages) {
    const std::optional<std::string> os_eco = os ? os_ecosystem(*os) : std::nullopt;
    AliasVectors aliases(db);
    Lookups lookups(db);
    std::vector<Finding> findings;
    for (std::size_t index = 0; index < packages.size(); ++index) {
        const Package& p = packages[index];
        const auto ecosystem = is_os_package(p.type) ? os_eco : package_ecosystem(p.type);
        if (!ecosystem) {
            continue;
        }
        const auto scheme = version::scheme_for_ecosystem(*ecosystem);
        std::vector<Hit> hits;
        std::map<std::string, std::size_t> by_id;
        for (const auto& q : queries_for(p)) {
            if (auto r = collect(lookups, *ecosystem, q, scheme, hits, by_id); !r) {
                return std::move(r).error();
            }
        }
        for (const Group& g : detail::fold(hits, scheme)) {
            const Advisory& primary = hits[g.primary].advisory;
            auto severity = severity_of(g, hits, aliases);
            if (!severity) {
                return std::move(severity).error();
            }
            Finding f;
            f.id = g.id;
            f.related = g.related;
            f.package_name = p.name;
            f.package_version = p.version;
            f.source_name = is_os_package(p.type) ? p.source_name : std::string();
            f.ecosystem = *ecosystem;
            f.package_type = p.type;
            f.fixed_in = g.fixed_in;
            f.summary = primary.summary;
            f.description = primary.details.empty() ? primary.summary : primary.details;
            f.uri = uri_of(g, primary, *ecosystem);
            f.severity = std::move(*severity);
            f.package_path = p.found_in;
            f.package_index = index;
            findings.push_back(std::move(f));
        }
    }
    std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        const int ra = rank(a.severity.severity), rb = rank(b.severity.severity);
        if (ra != rb) {
            return ra > rb;
        }
        if (a.id != b.id) {
            return a.id < b.id;
        }
        if (a.package_name != b.package_name) {
            return a.package_name < b.package_name;
        }
        return a.package_index < b.package_index;
    });
    return findings;
}

}  // namespace wharf::scan::vulndb
