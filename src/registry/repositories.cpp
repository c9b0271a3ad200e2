#include "registry/repositories.hpp"

#include <algorithm>

namespace wharf::registry {

Result<Page> RepositoryService::catalog(const Caller& caller,
                                        const std::optional<std::string>& last,
                                        std::optional<std::size_t> n) {
    const std::size_t limit =
        std::min(n.value_or(ctx_.options.max_catalog_page), ctx_.options.max_catalog_page);
    Page page;
    if (limit == 0) {
        return page;
    }
    // `last` need not be a valid name of an existing repository: it is only a position.
    std::optional<model::RepoName> after;
    if (last && !last->empty()) {
        auto parsed = model::RepoName::parse(*last);
        if (!parsed) {
            return Error{Errc::bad_request,
                         "query parameter last=\"" + *last + "\" is not a repository name"};
        }
        after = std::move(*parsed);
    }
    // Names the caller may not describe are skipped; read further until the page is full.
    for (;;) {
        std::vector<model::RepoName> names;
        auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
            auto listed = tx.repositories().list(after, limit + 1);
            if (!listed) {
                return listed.error();
            }
            names = std::move(*listed);
            return ok();
        });
        if (!done) {
            return done.error();
        }
        for (auto& name : names) {
            if (page.items.size() == limit) {
                page.more = true;
                return page;
            }
            after = name;
            if (access_.allowed(caller, "ecr:DescribeRepositories", AccessTarget{name})) {
                page.items.push_back(name.str());
            }
        }
        if (names.size() <= limit) {
            return page;
        }
    }
}

}  // namespace wharf::registry
