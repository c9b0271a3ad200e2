#pragma once

#include <functional>

#include "common/clock.hpp"
#include "registry/options.hpp"
#include "storage/blob/blob_store.hpp"
#include "storage/meta/metadata_store.hpp"

namespace wharf::registry {

// What every service borrows; owned by the composition root.
struct ServiceContext {
    storage::BlobStore& blobs;
    storage::MetadataStore& meta;
    const Clock& clock;
    RegistryOptions options;
    // Set by Registry: the scanner's pull gate (Errc::denied naming the findings) and the wake-up
    // of the scan worker after a push queued a scan. Unset in tests of single services.
    std::function<Result<void>(const model::RepoName&, const model::Digest&)> pull_gate{};
    std::function<void()> scan_queued{};
};

// Shared lookups inside a transaction.
// Errc::name_unknown when the repository does not exist (ECR's message, naming the registry).
Result<storage::RepositoryRecord> require_repository(storage::MetadataTx& tx,
                                                     const ServiceContext& ctx,
                                                     const model::RepoName& name);
Error repository_not_found(const model::RepoName& name, std::string_view registry_id);
// The repository, created when missing if a CREATE_ON_PUSH creation template matches (with the
// template's settings) or the create_on_push option is set; else as require_repository.
Result<storage::RepositoryRecord> repository_for_push(storage::MetadataTx& tx,
                                                      const ServiceContext& ctx,
                                                      const model::RepoName& name);

}  // namespace wharf::registry
