#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/manifest.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

struct Referrers {
    std::vector<model::Descriptor> manifests;
    bool filtered = false;  // an artifactType filter was applied
};

class ReferrerService {
public:
    explicit ReferrerService(ServiceContext& ctx) : ctx_(ctx) {}
    // Manifests whose subject is `subject`, optionally only those of one artifactType. The
    // subject itself need not exist (an empty list is the answer). Errc::name_unknown.
    Result<Referrers> list(const Caller& caller, const model::RepoName& repo,
                           const model::Digest& subject,
                           const std::optional<std::string>& artifact_type);

private:
    ServiceContext& ctx_;
};

}  // namespace wharf::registry
