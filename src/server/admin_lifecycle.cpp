// `wharf admin lifecycle preview|run`, `wharf admin gc`, `wharf admin usage`.
#include <iterator>
#include <set>

#include <fmt/format.h>

#include "events/audit.hpp"
#include "gc/collector.hpp"
#include "server/admin.hpp"
#include "server/admin_support.hpp"

namespace wharf::server::admin {
namespace {

using json = nlohmann::json;

std::string short_digest(const model::Digest& d) {
    const auto& s = d.str();
    const auto colon = s.find(':');
    return s.substr(0, std::min(s.size(), colon + 13));
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        out += out.empty() ? i : "," + i;
    }
    return out.empty() ? "<untagged>" : out;
}

std::string human_bytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(bytes);
    std::size_t u = 0;
    while (v >= 1000.0 && u + 1 < std::size(units)) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

// Audit records of lifecycle actions go to the same log the server writes.
Result<std::unique_ptr<events::AuditLog>> attach_audit(const config::Config& c, Runtime& rt) {
    auto log = events::AuditLog::open(c.storage.data_dir / "audit", {});
    if (!log) {
        return log.error();
    }
    rt.registry->audit.attach(log->get());
    return log;
}

}  // namespace

int lifecycle_preview(const config::Config& c, const PreviewRequest& request) {
    return with_runtime(c, [&](Runtime& rt) {
        auto repo = model::RepoName::parse(request.repository);
        if (!repo) {
            return fail(repo.error());
        }
        std::optional<std::string> draft;
        if (!request.policy_file.empty()) {
            auto text = read_input(request.policy_file);
            if (!text) {
                return fail(text.error());
            }
            draft = std::move(*text);
        }
        TimePoint at = rt.clock.now();
        if (!request.at.empty()) {
            auto parsed = parse_instant(request.at, "--at");
            if (!parsed) {
                return fail(parsed.error());
            }
            at = *parsed;
        }
        auto plan = rt.registry->lifecycle.plan(*repo, draft, at);
        if (!plan) {
            Error e = plan.error();
            if (e.code == Errc::bad_request) {
                e.message = "invalid lifecycle policy: " + e.message;
            }
            return fail(e);
        }
        if (request.json) {
            json out = json::parse(registry::LifecycleService::results_json(*plan));
            json kept = json::array();
            for (const auto& image : plan->images) {
                if (image.decision.outcome != lifecycle::Outcome::kept) {
                    continue;
                }
                json k{{"imageDigest", image.digest.str()},
                       {"imageTags", image.tags},
                       {"imagePushedAt", to_unix_seconds(image.pushed_at)},
                       {"reason", image.decision.reason}};
                if (image.decision.rule_priority) {
                    k["protectingRulePriority"] = *image.decision.rule_priority;
                }
                kept.push_back(std::move(k));
            }
            out["keptImages"] = kept;
            out["evaluatedAt"] = to_rfc3339(at);
            print(out);
            return 0;
        }
        std::size_t expired = 0;
        std::size_t archived = 0;
        std::fputs(fmt::format("{:<20} {:<30} {:<20} {}\n", "IMAGE", "TAGS", "PUSHED", "DECISION")
                       .c_str(),
                   stdout);
        for (const auto& image : plan->images) {
            expired += image.decision.outcome == lifecycle::Outcome::expire ? 1 : 0;
            archived += image.decision.outcome == lifecycle::Outcome::transition ? 1 : 0;
            std::fputs(fmt::format("{:<20} {:<30} {:<20} {}\n", short_digest(image.digest),
                                   join(image.tags), to_rfc3339(image.pushed_at).substr(0, 19),
                                   image.decision.reason)
                           .c_str(),
                       stdout);
        }
        std::fputs(fmt::format("{} images: {} expire, {} move to the archive, {} kept (as of {})\n",
                               plan->images.size(), expired, archived,
                               plan->images.size() - expired - archived, to_rfc3339(at))
                       .c_str(),
                   stdout);
        return 0;
    });
}

int lifecycle_run(const config::Config& c, const std::string& repository, bool dry_run) {
    return with_runtime(c, [&](Runtime& rt) {
        auto audit = attach_audit(c, rt);
        if (!audit) {
            return fail(audit.error());
        }
        auto show = [](const registry::LifecycleRun& run, bool dry) {
            return json{{"repositoryName", run.repo.str()},
                        {dry ? "wouldExpire" : "expired", run.expired},
                        {dry ? "wouldArchive" : "archived", run.transitioned},
                        {"skipped", run.skipped},
                        {"expiredImageBytes", run.bytes_expired}};
        };
        json out = json::array();
        int status = 0;
        if (!repository.empty()) {
            auto repo = model::RepoName::parse(repository);
            if (!repo) {
                return fail(repo.error());
            }
            auto run = rt.registry->lifecycle.run(*repo, dry_run);
            if (!run) {
                rt.registry->audit.attach(nullptr);
                return fail(run.error());
            }
            out.push_back(show(*run, dry_run));
        } else {
            auto all = rt.registry->lifecycle.run_all(dry_run);
            if (!all) {
                rt.registry->audit.attach(nullptr);
                return fail(all.error());
            }
            for (const auto& run : all->runs) {
                out.push_back(show(run, dry_run));
            }
            for (const auto& [name, error] : all->failures) {
                out.push_back({{"repositoryName", name.str()}, {"error", error.message}});
                status = 1;
            }
        }
        rt.registry->audit.attach(nullptr);
        (*audit)->flush();
        print(out);
        return status;
    });
}

int gc(const config::Config& c, bool dry_run) {
    return with_runtime(c, [&](Runtime& rt) {
        gc::Collector collector(*rt.blobs, *rt.meta, rt.clock, gc_options(c));
        auto report = collector.collect(dry_run);
        if (!report) {
            return fail(report.error());
        }
        json deleted = json::array();
        for (const auto& d : report->deleted) {
            deleted.push_back(d.str());
        }
        print(json{{"dryRun", dry_run},
                   {"reviewed", report->reviewed},
                   {"linksDropped", report->links_dropped},
                   {dry_run ? "blobsToDelete" : "blobsDeleted", report->blobs_deleted},
                   {dry_run ? "bytesToFree" : "bytesFreed", report->bytes_freed},
                   {dry_run ? "uploadsToRemove" : "uploadsRemoved", report->uploads_removed},
                   {dry_run ? "scansToRemove" : "scansRemoved", report->scans_removed},
                   {dry_run ? "referrersToRemove" : "referrersRemoved", report->referrers_removed},
                   {"pendingReviews", report->pending},
                   {"blobs", deleted}});
        return 0;
    });
}

int usage(const config::Config& c, bool as_json) {
    return with_runtime(c, [&](Runtime& rt) {
        struct Row {
            std::string repo;
            std::size_t images = 0;
            std::uint64_t logical = 0;
            std::uint64_t stored = 0;
            std::uint64_t exclusive = 0;
            std::uint64_t stored_after = 0;
            bool has_policy = false;
        };
        std::vector<Row> rows;
        const TimePoint now = rt.clock.now();
        std::optional<model::RepoName> after;
        for (;;) {
            auto page = rt.registry->admin.list(after, 100);
            if (!page) {
                return fail(page.error());
            }
            for (const auto& record : page->first) {
                Row row;
                row.repo = record.name.str();
                auto plan = rt.registry->lifecycle.plan(record.name, std::nullopt, now);
                row.has_policy = static_cast<bool>(plan);
                if (!plan) {
                    if (plan.error().code != Errc::not_found) {
                        return fail(plan.error());
                    }
                    plan = rt.registry->lifecycle.inventory(record.name, now);
                    if (!plan) {
                        return fail(plan.error());
                    }
                }
                std::set<std::string> kept_blobs;
                std::uint64_t after_bytes = 0;
                auto done = rt.meta->read([&](storage::MetadataTx& tx) -> Result<void> {
                    auto links = tx.blob_links().usage(plan->repo_id);
                    if (!links) {
                        return links.error();
                    }
                    row.stored = links->stored_bytes;
                    row.exclusive = links->exclusive_bytes;
                    for (const auto& image : plan->images) {
                        if (!image.listed_by_index()) {
                            ++row.images;
                            row.logical += image.image_size;
                        }
                        if (image.decision.outcome == lifecycle::Outcome::expire) {
                            continue;
                        }
                        auto blobs = tx.manifests().blobs_of(plan->repo_id, image.digest);
                        if (!blobs) {
                            return blobs.error();
                        }
                        for (const auto& b : *blobs) {
                            if (!kept_blobs.insert(b.str()).second) {
                                continue;
                            }
                            auto size = tx.blob_links().find(plan->repo_id, b);
                            if (!size) {
                                return size.error();
                            }
                            after_bytes += size->value_or(0);
                        }
                    }
                    return ok();
                });
                if (!done) {
                    return fail(done.error());
                }
                row.stored_after = after_bytes;
                rows.push_back(std::move(row));
            }
            if (!page->second || page->first.empty()) {
                break;
            }
            after = page->first.back().name;
        }
        const double price = c.usage.price_per_gb_month;
        auto cost = [&](std::uint64_t bytes) { return static_cast<double>(bytes) / 1e9 * price; };
        if (as_json) {
            json out = json::array();
            for (const auto& r : rows) {
                out.push_back({{"repositoryName", r.repo},
                               {"images", r.images},
                               {"logicalBytes", r.logical},
                               {"storedBytes", r.stored},
                               {"exclusiveBytes", r.exclusive},
                               {"storedBytesAfterLifecycle", r.stored_after},
                               {"hasLifecyclePolicy", r.has_policy},
                               {"monthlyCost", cost(r.stored)},
                               {"monthlyCostAfterLifecycle", cost(r.stored_after)},
                               {"currency", c.usage.currency}});
            }
            print(out);
            return 0;
        }
        std::fputs(fmt::format("{:<40} {:>7} {:>10} {:>10} {:>10} {:>12} {:>12}\n", "REPOSITORY",
                               "IMAGES", "LOGICAL", "STORED", "EXCLUSIVE", "COST/MONTH",
                               "AFTER POLICY")
                       .c_str(),
                   stdout);
        std::uint64_t total_stored = 0;
        std::uint64_t total_after = 0;
        for (const auto& r : rows) {
            total_stored += r.stored;
            total_after += r.stored_after;
            std::fputs(fmt::format("{:<40} {:>7} {:>10} {:>10} {:>10} {:>12.2f} {:>12}\n", r.repo,
                                   r.images, human_bytes(r.logical), human_bytes(r.stored),
                                   human_bytes(r.exclusive), cost(r.stored),
                                   r.has_policy ? fmt::format("{:.2f}", cost(r.stored_after))
                                                : std::string("no policy"))
                           .c_str(),
                       stdout);
        }
        std::fputs(fmt::format("total: {} stored, {:.2f} {} per month; {:.2f} {} after the current "
                               "lifecycle policies (at {} {} per GB-month)\n",
                               human_bytes(total_stored), cost(total_stored), c.usage.currency,
                               cost(total_after), c.usage.currency, price, c.usage.currency)
                       .c_str(),
                   stdout);
        return 0;
    });
}

}  // namespace wharf::server::admin
