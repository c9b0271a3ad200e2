#include "registry/repositories.hpp"

#include <algorithm>

namespace wharf::registry {

Result<Page> RepositoryService::catalog(const Caller&, const std::optional<std::string>& last,
                                        std::optional<std::size_t> n) {
    const std::size_t limit = std::min(n.value_or(ctx_.options.max_catalog_page),
                                       ctx_.options.max_catalog_page);
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
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto names = tx.repositories().list(after, limit + 1);
        if (!names) {
            return names.error();
        }
        page.more = names->size() > limit;
        for (std::size_t i = 0; i < names->size() && i < limit; ++i) {
            page.items.push_back((*names)[i].str());
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return page;
}

}  // namespace wharf::registry
