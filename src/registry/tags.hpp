#pragma once

#include <optional>
#include <string>

#include "registry/caller.hpp"
#include "registry/context.hpp"
#include "registry/repositories.hpp"

namespace wharf::registry {

class TagService {
public:
    explicit TagService(ServiceContext& ctx) : ctx_(ctx) {}
    // Tags of the repository in lexical order after `last`, at most n (bounded by the options).
    // Errc::name_unknown.
    Result<Page> list(const Caller& caller, const model::RepoName& repo,
                      const std::optional<std::string>& last, std::optional<std::size_t> n);

private:
    ServiceContext& ctx_;
};

}  // namespace wharf::registry
