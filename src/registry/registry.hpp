#pragma once

#include "registry/access.hpp"
#include "registry/audit.hpp"
#include "registry/blobs.hpp"
#include "registry/context.hpp"
#include "registry/images.hpp"
#include "registry/lifecycle.hpp"
#include "registry/manifests.hpp"
#include "registry/pull_times.hpp"
#include "registry/referrers.hpp"
#include "registry/repositories.hpp"
#include "registry/repository_admin.hpp"
#include "registry/scans.hpp"
#include "registry/tags.hpp"
#include "registry/templates.hpp"
#include "registry/uploads.hpp"

namespace wharf::registry {

// The domain services both protocols call; the one place where registry rules live.
struct Registry {
    explicit Registry(ServiceContext context)
        : ctx(std::move(context)),
          access(ctx),
          repositories(ctx, access),
          blobs(ctx),
          uploads(ctx),
          manifests(ctx),
          tags(ctx),
          referrers(ctx),
          admin(ctx, access),
          images(ctx),
          templates(ctx),
          audit(ctx),
          pulls(ctx),
          lifecycle(ctx, audit),
          scans(ctx, audit) {
        ctx.pull_gate = [this](const model::RepoName& repo, const model::Digest& digest) {
            return pull_gate(repo, digest);
        };
        ctx.scan_queued = [this] { scans.wake(); };
    }
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    ServiceContext ctx;
    AccessControl access;
    RepositoryService repositories;
    BlobService blobs;
    UploadService uploads;
    ManifestService manifests;
    TagService tags;
    ReferrerService referrers;
    RepositoryAdmin admin;
    ImageService images;
    TemplateService templates;
    AuditTrail audit;
    PullRecorder pulls;
    LifecycleService lifecycle;
    ScanService scans;

private:
    Result<void> pull_gate(const model::RepoName& repo, const model::Digest& digest) {
        auto verdict = scans.gate(repo, digest);
        if (!verdict) {
            return verdict.error();
        }
        if (!verdict->allowed) {
            return Error{Errc::denied, verdict->reason,
                         {{"name", repo.str()}, {"digest", digest.str()}}};
        }
        return ok();
    }
};

}  // namespace wharf::registry
