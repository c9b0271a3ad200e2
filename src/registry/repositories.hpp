#pragma once

#include <optional>
#include <vector>

#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

struct Page {
    std::vector<std::string> items;
    bool more = false;  // another page follows the last item
};

class RepositoryService {
public:
    explicit RepositoryService(ServiceContext& ctx) : ctx_(ctx) {}
    // Repository names in lexical order after `last`, at most n (bounded by the options).
    Result<Page> catalog(const Caller& caller, const std::optional<std::string>& last,
                         std::optional<std::size_t> n);

private:
    ServiceContext& ctx_;
};

}  // namespace wharf::registry
