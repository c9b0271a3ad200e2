// Alias folding. Debian publishes a CVE record and a DSA that lists it; PyPA's PYSEC record
// aliases the CVE and the GHSA. Reporting each would count one vulnerability two or three
// times, so records are grouped by shared ids, and the group is named by its CVE.
#include "scan/vulndb/fold.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb::detail {
namespace {

// The hit's id and aliases.
std::vector<const std::string*> keys_of(const Hit& h) {
    std::vector<const std::string*> keys{&h.advisory.id};
    for (const auto& a : h.advisory.aliases) {
        keys.push_back(&a);
    }
    return keys;
}

std::set<std::string> cves_of(const Hit& h) {
    std::set<std::string> cves;
    for (const auto* k : keys_of(h)) {
        if (is_cve(*k)) {
            cves.insert(*k);
        }
    }
    return cves;
}

struct UnionFind {
    std::vector<std::size_t> parent;
    std::vector<std::string> cve;  // the component's CVE, "" when none

    std::size_t find(std::size_t i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
    // Joins two components unless they are about different CVEs.
    void join(std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a == b || (!cve[a].empty() && !cve[b].empty() && cve[a] != cve[b])) {
            return;
        }
        if (b < a) {
            std::swap(a, b);
        }
        parent[b] = a;
        if (cve[a].empty()) {
            cve[a] = cve[b];
        }
    }
};

void name_group(Group& g, const std::vector<Hit>& hits, const std::string& cve,
                std::optional<version::Scheme> scheme) {
    // The id: a member that is the CVE, else the CVE the members name, else the first member.
    g.primary = g.members.front();
    for (std::size_t m : g.members) {
        if (!cve.empty() && hits[m].advisory.id == cve) {
            g.primary = m;
            break;
        }
    }
    g.id = cve.empty() ? hits[g.primary].advisory.id : cve;
    std::set<std::string> related;
    for (std::size_t m : g.members) {
        for (const auto* k : keys_of(hits[m])) {
            related.insert(*k);
        }
        g.fixed_in = higher_fix(g.fixed_in, hits[m].fixed_in, scheme);
    }
    // A bundle contributes its own id only: the other CVEs it lists are other findings.
    for (std::size_t b : g.bundles) {
        related.insert(hits[b].advisory.id);
        g.fixed_in = higher_fix(g.fixed_in, hits[b].fixed_in, scheme);
    }
    related.erase(g.id);
    g.related.assign(related.begin(), related.end());
}

}  // namespace

std::string higher_fix(const std::string& a, const std::string& b,
                       std::optional<version::Scheme> scheme) {
    if (a.empty()) {
        return b;
    }
    if (b.empty() || !scheme) {
        return a;
    }
    const auto c = version::compare(*scheme, a, b);
    return c && *c < 0 ? b : a;
}

std::vector<Group> fold(const std::vector<Hit>& hits, std::optional<version::Scheme> scheme) {
    const std::size_t n = hits.size();
    std::vector<bool> bundle(n);
    UnionFind uf;
    uf.parent.resize(n);
    std::iota(uf.parent.begin(), uf.parent.end(), std::size_t{0});
    uf.cve.resize(n);
    std::map<std::string_view, std::size_t> first_with_key;
    for (std::size_t i = 0; i < n; ++i) {
        const auto cves = cves_of(hits[i]);
        bundle[i] = cves.size() > 1;
        if (bundle[i]) {
            continue;
        }
        uf.cve[i] = cves.empty() ? std::string() : *cves.begin();
        for (const auto* k : keys_of(hits[i])) {
            const auto [it, inserted] = first_with_key.try_emplace(*k, i);
            if (!inserted) {
                uf.join(it->second, i);
            }
        }
    }
    std::map<std::size_t, Group> by_root;
    for (std::size_t i = 0; i < n; ++i) {
        if (!bundle[i]) {
            by_root[uf.find(i)].members.push_back(i);
        }
    }
    // Bundles: attached to every matched CVE they list; alone (grouped by their own id, for
    // duplicates) otherwise.
    std::map<std::string, Group> lone_bundles;
    for (std::size_t i = 0; i < n; ++i) {
        if (!bundle[i]) {
            continue;
        }
        std::set<std::size_t> targets;
        for (const auto& cve : cves_of(hits[i])) {
            if (const auto it = first_with_key.find(cve); it != first_with_key.end()) {
                const std::size_t root = uf.find(it->second);
                if (uf.cve[root] == cve) {
                    targets.insert(root);
                }
            }
        }
        for (std::size_t root : targets) {
            by_root[root].bundles.push_back(i);
        }
        if (targets.empty()) {
            lone_bundles[hits[i].advisory.id].members.push_back(i);
        }
    }
    std::vector<Group> out;
    out.reserve(by_root.size() + lone_bundles.size());
    for (auto& [root, g] : by_root) {
        name_group(g, hits, uf.cve[root], scheme);
        out.push_back(std::move(g));
    }
    for (auto& [id, g] : lone_bundles) {
        name_group(g, hits, std::string(), scheme);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace wharf::scan::vulndb::detail
