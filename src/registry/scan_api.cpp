#include <chrono>

#include <fmt/format.h>

#include "registry/scans.hpp"

// The request-facing side of scanning: StartImageScan and the findings lookups.
namespace wharf::registry {
namespace {

using nlohmann::json;

// One image by tag or digest; Errc::manifest_unknown with ECR's reason when it is not there.
Result<ImageInfo> resolve(ServiceContext& ctx, const model::RepoName& repo, const ImageId& id) {
    ImageService images(ctx);
    auto got = images.get(repo, {id});
    if (!got) {
        return got.error();
    }
    if (got->found.empty()) {
        const std::string reason =
            got->failures.empty() ? "Requested image not found" : got->failures.front().reason;
        return Error{Errc::manifest_unknown,
                     fmt::format("The image with imageId {{imageDigest:'{}', imageTag:'{}'}} does "
                                 "not exist within the repository with name '{}' in the registry "
                                 "with id '{}' ({})",
                                 id.digest.value_or("null"), id.tag.value_or("null"), repo.str(),
                                 ctx.options.account.account_id, reason)};
    }
    return std::move(got->found.front());
}

ImageScan view_of(storage::ImageScanRecord record) {
    ImageScan view(std::move(record));
    view.findings = json::parse(view.record.findings_json.empty() ? "[]" : view.record.findings_json,
                                nullptr, false);
    if (!view.findings.is_array()) {
        view.findings = json::array();
    }
    view.counts = json::parse(view.record.counts_json.empty() ? "{}" : view.record.counts_json, nullptr,
                              false);
    if (!view.counts.is_object()) {
        view.counts = json::object();
    }
    return view;
}

}  // namespace

Result<ImageScan> ScanService::start(const model::RepoName& repo, const ImageId& id) {
    auto image = resolve(ctx_, repo, id);
    if (!image) {
        return image.error();
    }
    if (image->manifest.status == storage::ImageStatus::archived) {
        return Error{Errc::unsupported,
                     "archived images cannot be scanned; restore the image with "
                     "UpdateImageStorageClass targetStorageClass STANDARD first"};
    }
    auto config = configuration();
    if (!config) {
        return config.error();
    }
    if (config->scan_type == "ENHANCED") {
        return Error{Errc::bad_request,
                     "StartImageScan is for BASIC scanning; ENHANCED scanning scans on push and "
                     "continuously",
                     {{"kind", "validation"}}};
    }
    const TimePoint now = ctx_.clock.now();
    storage::ImageScanRecord queued(image->manifest.digest, repo);
    auto done = ctx_.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
        auto existing = tx.scans().find(image->manifest.digest);
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            const auto& e = **existing;
            if (e.status == "PENDING" || e.status == "IN_PROGRESS") {
                queued = e;
                return ok();
            }
            // ECR's basic scanning quota: one scan per image per 24 hours, on-push ones included.
            const auto last = e.manual_scan_at.value_or(e.queued_at);
            if (now - last < std::chrono::hours(24) && e.status != "FAILED") {
                return Error{Errc::limit_exceeded,
                             fmt::format("The scan quota per image has been exceeded. Wait and try "
                                         "again: image {} was scanned at {}; one scan per image is "
                                         "allowed every 24 hours",
                                         image->manifest.digest.str(), to_rfc3339(last))};
            }
            queued = e;
        }
        queued.repository = repo;
        queued.status = "PENDING";
        queued.description.clear();
        queued.queued_at = now;
        queued.manual_scan_at = now;
        return tx.scans().put(queued);
    });
    if (!done) {
        return done.error();
    }
    wake();
    return view_of(std::move(queued));
}

Result<std::pair<ImageInfo, ImageScan>> ScanService::find(const model::RepoName& repo,
                                                          const ImageId& id) {
    auto image = resolve(ctx_, repo, id);
    if (!image) {
        return image.error();
    }
    auto scans = find_many({image->manifest.digest});
    if (!scans) {
        return scans.error();
    }
    if (!scans->front()) {
        return Error{Errc::not_found,
                     fmt::format("Image scan does not exist for the image with '{{imageDigest:'{}', "
                                 "imageTag:'{}'}}' in the repository with name '{}' in the registry "
                                 "with id '{}'",
                                 image->manifest.digest.str(), id.tag.value_or("null"), repo.str(),
                                 ctx_.options.account.account_id),
                     {{"kind", "scan"}}};
    }
    return std::pair<ImageInfo, ImageScan>{std::move(*image), std::move(*scans->front())};
}

Result<std::vector<std::optional<ImageScan>>> ScanService::find_many(
    const std::vector<model::Digest>& digests) {
    std::vector<std::optional<ImageScan>> out;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        for (const model::Digest& d : digests) {
            auto found = tx.scans().find(d);
            if (!found) {
                return found.error();
            }
            out.push_back(*found ? std::optional<ImageScan>(view_of(std::move(**found)))
                                 : std::nullopt);
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return out;
}

}  // namespace wharf::registry
