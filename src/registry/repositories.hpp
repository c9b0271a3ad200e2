#pragma once

#include <optional>
#include <vector>

#include "registry/access.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

struct Page {
    std::vector<std::string> items;
    bool more = false;  // another page follows the last item
};

class RepositoryService {
public:
    RepositoryService(ServiceContext& ctx, AccessControl& access) : ctx_(ctx), access_(access) {}
    // Repository names in lexical order after `last`, at most n (bounded by the options); only
    // those the caller may describe (ecr:DescribeRepositories) are listed.
    Result<Page> catalog(const Caller& caller, const std::optional<std::string>& last,
                         std::optional<std::size_t> n);

private:
    ServiceContext& ctx_;
    AccessControl& access_;
};

}  // namespace wharf::registry
