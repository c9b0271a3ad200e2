#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "model/manifest.hpp"
#include "registry/scans.hpp"
#include "scan/image_inventory.hpp"
#include "scan/vulndb/match.hpp"

// Running a scan: the manifest (or each platform manifest of an index) -> layers -> inventory
// (cached per layer) -> findings matched against the current database -> one stored record.
namespace wharf::registry {
namespace {

using nlohmann::json;

// The analysed-layer cache in the metadata store.
class MetaLayerCache final : public scan::LayerCache {
public:
    MetaLayerCache(storage::MetadataStore& meta, const Clock& clock) : meta_(meta), clock_(clock) {}

    Result<std::optional<scan::LayerRecord>> get(const model::Digest& layer) override {
        std::optional<std::string> text;
        auto read = meta_.read([&](storage::MetadataTx& tx) -> Result<void> {
            auto row = tx.scans().find_layer(layer, scan::kAnalyzerRevision);
            if (!row) {
                return row.error();
            }
            text = std::move(*row);
            return ok();
        });
        if (!read) {
            return read.error();
        }
        if (!text) {
            return std::optional<scan::LayerRecord>{};
        }
        auto record = scan::layer_record_from_json(json::parse(*text, nullptr, false));
        if (!record) {
            return std::optional<scan::LayerRecord>{};  // a damaged row: analyse again
        }
        return std::optional<scan::LayerRecord>{std::move(*record)};
    }

    Result<void> put(const model::Digest& layer, const scan::LayerRecord& record) override {
        const std::string text = scan::to_json(record).dump();
        return meta_.write([&](storage::MetadataTx& tx) {
            return tx.scans().put_layer(layer, scan::kAnalyzerRevision, text, clock_.now());
        });
    }

private:
    storage::MetadataStore& meta_;
    const Clock& clock_;
};

std::vector<scan::LayerRef> layers_of(const model::ParsedManifest& m) {
    std::vector<scan::LayerRef> out;
    for (const model::Descriptor& d : m.layers) {
        out.push_back(scan::LayerRef{d.digest, d.media_type});
    }
    return out;
}

json finding_json(const scan::vulndb::Finding& f, const scan::Inventory& inv) {
    const scan::Package* p =
        f.package_index < inv.packages.size() ? &inv.packages[f.package_index] : nullptr;
    json package = {{"type", scan::to_string(f.package_type)},
                    {"name", f.package_name},
                    {"version", f.package_version},
                    {"sourceName", f.source_name},
                    {"path", p ? p->found_in : std::string()},
                    {"arch", p ? p->arch : std::string()},
                    {"layer", f.package_index < inv.layers.size() ? inv.layers[f.package_index]
                                                                  : std::string()}};
    json j = {{"id", f.id},
              {"related", f.related},
              {"severity", scan::vulndb::to_string(f.severity.severity)},
              {"severitySource", f.severity.source},
              {"vector", f.severity.vector},
              {"fixedIn", f.fixed_in},
              {"summary", f.summary},
              {"description", f.description},
              {"uri", f.uri},
              {"ecosystem", f.ecosystem},
              {"package", std::move(package)}};
    j["score"] = f.severity.score ? json(*f.severity.score) : json(nullptr);
    return j;
}

json severity_counts(const json& findings) {
    std::map<std::string, int> counts;
    for (const json& f : findings) {
        ++counts[f.value("severity", std::string("UNDEFINED"))];
    }
    json out = json::object();
    for (const auto& [severity, n] : counts) {
        out[severity] = n;
    }
    return out;
}

// One line per finding identity, for telling new findings from known ones.
std::set<std::string> finding_keys(const json& findings) {
    std::set<std::string> keys;
    for (const json& f : findings) {
        keys.insert(f.value("id", std::string()) + " " +
                    f["package"].value("name", std::string()) + " " +
                    f["package"].value("version", std::string()));
    }
    return keys;
}

struct Matched {
    json findings = json::array();
    std::int64_t db_version = 0;
    std::optional<TimePoint> db_updated_at;
};

Result<Matched> match_inventory(const scan::vulndb::Database& db, const scan::Inventory& inv) {
    auto found = scan::vulndb::match(db, inv.os, inv.packages);
    if (!found) {
        return found.error();
    }
    Matched m;
    for (const scan::vulndb::Finding& f : *found) {
        m.findings.push_back(finding_json(f, inv));
    }
    m.db_version = db.status().version;
    m.db_updated_at = parse_rfc3339(db.status().built_at);
    return m;
}

// One batch of scan digests from a read transaction (the worker's queue, the re-match list).
template <typename Query>
Result<std::vector<model::Digest>> read_digests(storage::MetadataStore& meta, Query query) {
    std::vector<model::Digest> batch;
    auto read = meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto due = query(tx.scans());
        if (!due) {
            return due.error();
        }
        batch = std::move(*due);
        return ok();
    });
    if (!read) {
        return read.error();
    }
    return batch;
}

}  // namespace

std::shared_ptr<const scan::vulndb::Database> ScanService::database() const {
    return database_ ? database_() : nullptr;
}

Result<std::size_t> ScanService::run_queued(std::size_t max) {
    std::size_t ran = 0;
    while (ran < max) {
        auto batch = read_digests(ctx_.meta, [&](storage::ScanTable& scans) {
            return scans.unfinished(std::min<std::size_t>(max - ran, 16));
        });
        if (!batch) {
            return batch.error();
        }
        if (batch->empty()) {
            break;
        }
        for (const model::Digest& d : *batch) {
            (void)run_one(d);  // the outcome is stored in the record either way
            ++ran;
        }
    }
    return ran;
}

Result<ImageScan> ScanService::scan_now(const model::RepoName& repo, const model::Digest& digest) {
    auto queued = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = tx.scans().find(digest);
        if (!existing) {
            return existing.error();
        }
        storage::ImageScanRecord scan =
            existing->value_or(storage::ImageScanRecord(digest, repo));
        scan.repository = repo;
        scan.status = "PENDING";
        scan.description.clear();
        scan.queued_at = ctx_.clock.now();
        return tx.scans().put(scan);
    });
    if (!queued) {
        return queued.error();
    }
    return run_one(digest);
}

Result<ImageScan> ScanService::run_one(const model::Digest& digest) {
    storage::ImageScanRecord scan(digest, model::RepoName::parse("unknown").value());
    std::vector<std::pair<model::Digest, model::ParsedManifest>> platforms;
    std::string unavailable;  // why the image cannot be scanned, when it cannot
    std::string status_if_unavailable = "FAILED";
    auto loaded = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto found = tx.scans().find(digest);
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return Error{Errc::not_found, fmt::format("no scan of {} is queued", digest.str()),
                         {{"kind", "scan"}}};
        }
        scan = std::move(**found);
        auto repo = tx.repositories().find(scan.repository);
        if (!repo) {
            return repo.error();
        }
        auto manifest = *repo ? tx.manifests().find((*repo)->id, digest)
                              : Result<std::optional<storage::ManifestRecord>>{std::nullopt};
        if (!manifest) {
            return manifest.error();
        }
        if (!*manifest) {
            unavailable = "the image was deleted before it was scanned";
        } else if ((*manifest)->status == storage::ImageStatus::archived) {
            unavailable = "archived images cannot be scanned; restore the image first";
            status_if_unavailable = "IMAGE_ARCHIVED";
        } else {
            auto parsed = model::parse_manifest((*manifest)->payload, (*manifest)->media_type);
            if (!parsed) {
                unavailable = "the manifest cannot be read: " + parsed.error().message;
            } else if (model::is_index(parsed->kind)) {
                for (const model::Descriptor& child : parsed->manifests) {
                    auto c = tx.manifests().find((*repo)->id, child.digest);
                    if (!c) {
                        return c.error();
                    }
                    if (!*c) {
                        continue;
                    }
                    auto pc = model::parse_manifest((*c)->payload, (*c)->media_type);
                    if (pc && !model::is_index(pc->kind)) {
                        platforms.emplace_back(child.digest, std::move(*pc));
                    }
                }
            } else {
                platforms.emplace_back(digest, std::move(*parsed));
            }
        }
        scan.status = "IN_PROGRESS";
        return tx.scans().put(scan);
    });
    if (!loaded) {
        return loaded.error();
    }

    auto finish = [&](std::string status, std::string description,
                      const scan::Inventory* inv, Matched matched) -> Result<ImageScan> {
        scan.status = std::move(status);
        scan.description = std::move(description);
        scan.completed_at = ctx_.clock.now();
        scan.inventory_json = inv ? scan::to_json(*inv).dump() : std::string();
        json counts = severity_counts(matched.findings);
        scan.findings_json = matched.findings.dump();
        scan.counts_json = counts.dump();
        scan.vulndb_version = matched.db_version;
        scan.vulndb_updated_at = matched.db_updated_at;
        if (auto stored = ctx_.meta.write([&](storage::MetadataTx& tx) {
                return tx.scans().put(scan);
            });
            !stored) {
            return stored.error();
        }
        if (scan.status == "COMPLETE") {
            counters_.completed.fetch_add(1);
        } else if (scan.status == "UNSUPPORTED_IMAGE") {
            counters_.unsupported.fetch_add(1);
        } else {
            counters_.failed.fetch_add(1);
        }
        return ImageScan(scan, std::move(matched.findings), std::move(counts));
    };

    if (!unavailable.empty()) {
        return finish(status_if_unavailable, unavailable, nullptr, {});
    }
    auto db = database();
    if (!db) {
        return finish("FAILED", "no vulnerability database is configured", nullptr, {});
    }
    MetaLayerCache cache(ctx_.meta, ctx_.clock);
    auto store_platform = [&](const model::Digest& child, const scan::Inventory& inv,
                              const scan::vulndb::Database& database) -> Result<void> {
        auto matched = match_inventory(database, inv);
        if (!matched) {
            return matched.error();
        }
        storage::ImageScanRecord record(child, scan.repository);
        record.status = inv.packages.empty() ? "UNSUPPORTED_IMAGE" : "COMPLETE";
        record.description = inv.packages.empty() ? "no packages were found in this platform image"
                                                  : "Scanned as part of index " + digest.str();
        record.queued_at = scan.queued_at;
        record.completed_at = ctx_.clock.now();
        record.inventory_json = scan::to_json(inv).dump();
        record.findings_json = matched->findings.dump();
        record.counts_json = severity_counts(matched->findings).dump();
        record.vulndb_version = matched->db_version;
        record.vulndb_updated_at = matched->db_updated_at;
        return ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
            auto existing = tx.scans().find(child);
            if (!existing) {
                return existing.error();
            }
            if (*existing) {
                record.manual_scan_at = (*existing)->manual_scan_at;
            }
            return tx.scans().put(record);
        });
    };
    scan::Inventory combined;
    std::vector<std::string> skipped;
    std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
    for (const auto& [platform_digest, manifest] : platforms) {
        scan::InventoryStats stats;
        auto inv = scan::build_inventory(layers_of(manifest), ctx_.blobs, cache, limits_, &stats);
        counters_.layers_read.fetch_add(stats.layers_read);
        counters_.layers_cached.fetch_add(stats.layers_cached);
        if (!inv) {
            if (inv.error().code == Errc::unsupported) {
                skipped.push_back(platform_digest.str() + ": " + inv.error().message);
                continue;
            }
            return finish("FAILED", inv.error().message, nullptr, {});
        }
        if (platform_digest != digest) {
            // An index's platform image gets its own record too: pulled by digest, it is gated
            // and described on its own.
            if (auto stored = store_platform(platform_digest, *inv, *db); !stored) {
                return finish("FAILED", stored.error().message, nullptr, {});
            }
        }
        if (!combined.os) {
            combined.os = inv->os;
        }
        for (std::size_t i = 0; i < inv->packages.size(); ++i) {
            const scan::Package& p = inv->packages[i];
            if (seen.emplace(std::string(scan::to_string(p.type)), p.name, p.version, p.found_in)
                    .second) {
                combined.packages.push_back(p);
                combined.layers.push_back(inv->layers[i]);
            }
        }
        combined.notes.insert(combined.notes.end(), inv->notes.begin(), inv->notes.end());
    }
    if (combined.packages.empty()) {
        std::string why = skipped.empty() ? std::string("no operating system or language "
                                                        "packages were found in the image")
                                           : skipped.front();
        if (combined.os && !combined.os->id.empty()) {
            why = fmt::format("no packages were found for operating system {} {}",
                              combined.os->id, combined.os->version_id);
        }
        return finish("UNSUPPORTED_IMAGE", why, &combined, {});
    }
    auto matched = match_inventory(*db, combined);
    if (!matched) {
        return finish("FAILED", matched.error().message, &combined, {});
    }
    std::string description = "The scan was completed successfully.";
    if (db->status().version == 0) {
        // The inventory is kept: the first `wharf admin vulndb import` re-matches it.
        description = "No vulnerability database has been imported yet (wharf admin vulndb "
                      "import); the packages were recorded and findings appear once one is.";
    }
    if (auto stored = attach_sboms(ctx_, scan.repository, digest, combined); !stored) {
        description += " The SBOM could not be stored: " + stored.error().message;
    }
    if (combined.os && !scan::vulndb::os_ecosystem(*combined.os)) {
        description = fmt::format(
            "Operating system {} {} is not supported; language packages were scanned.",
            combined.os->id, combined.os->version_id);
    }
    return finish("COMPLETE", description, &combined, std::move(*matched));
}

Result<std::size_t> ScanService::rematch_all() {
    auto db = database();
    if (!db) {
        return std::size_t{0};
    }
    std::size_t done = 0;
    for (;;) {
        auto batch = read_digests(ctx_.meta, [&](storage::ScanTable& scans) {
            return scans.matched_before(db->status().version, 64);
        });
        if (!batch) {
            return batch.error();
        }
        if (batch->empty()) {
            return done;
        }
        for (const model::Digest& d : *batch) {
            auto updated = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
                auto found = tx.scans().find(d);
                if (!found || !*found) {
                    return found ? ok() : Result<void>(found.error());
                }
                storage::ImageScanRecord scan = std::move(**found);
                auto inv = scan::inventory_from_json(json::parse(scan.inventory_json, nullptr, false));
                Matched matched;
                if (inv) {
                    auto m = match_inventory(*db, *inv);
                    if (!m) {
                        return m.error();
                    }
                    matched = std::move(*m);
                }
                const auto before = finding_keys(json::parse(scan.findings_json, nullptr, false));
                std::vector<std::string> fresh;
                for (const std::string& k : finding_keys(matched.findings)) {
                    if (!before.contains(k)) {
                        fresh.push_back(k.substr(0, k.find(' ')));
                    }
                }
                scan.findings_json = matched.findings.dump();
                scan.counts_json = severity_counts(matched.findings).dump();
                scan.vulndb_version = db->status().version;
                scan.vulndb_updated_at = matched.db_updated_at;
                scan.completed_at = ctx_.clock.now();
                if (auto put = tx.scans().put(scan); !put) {
                    return put;
                }
                if (!fresh.empty()) {
                    counters_.new_findings.fetch_add(fresh.size());
                    audit_.record_system(
                        "wharf:scanner", "scan:NewFindings",
                        fmt::format("{}@{}", scan.repository.str(), d.str()),
                        fmt::format("{} new finding(s) after the vulnerability database changed to "
                                    "version {}: {}",
                                    fresh.size(), db->status().version,
                                    fmt::join(fresh.begin(),
                                              fresh.begin() + std::min<std::size_t>(fresh.size(), 10),
                                              ", ")));
                }
                return ok();
            });
            if (!updated) {
                return updated.error();
            }
            counters_.rematched.fetch_add(1);
            ++done;
        }
    }
}

}  // namespace wharf::registry
