#pragma once

#include "registry/blobs.hpp"
#include "registry/context.hpp"
#include "registry/manifests.hpp"
#include "registry/referrers.hpp"
#include "registry/repositories.hpp"
#include "registry/tags.hpp"
#include "registry/uploads.hpp"

namespace wharf::registry {

// The domain services both protocols call; the one place where registry rules live.
struct Registry {
    explicit Registry(ServiceContext context)
        : ctx(std::move(context)),
          repositories(ctx),
          blobs(ctx),
          uploads(ctx),
          manifests(ctx),
          tags(ctx),
          referrers(ctx) {}
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    ServiceContext ctx;
    RepositoryService repositories;
    BlobService blobs;
    UploadService uploads;
    ManifestService manifests;
    TagService tags;
    ReferrerService referrers;
};

}  // namespace wharf::registry
