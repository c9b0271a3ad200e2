#include "registry/tags.hpp"

#include <algorithm>

namespace wharf::registry {

Result<Page> TagService::list(const Caller&, const model::RepoName& repo,
                              const std::optional<std::string>& last,
                              std::optional<std::size_t> n) {
    const std::size_t limit =
        std::min(n.value_or(ctx_.options.max_tags_page), ctx_.options.max_tags_page);
    std::optional<model::Tag> after;
    if (last && !last->empty()) {
        auto parsed = model::Tag::parse(*last);
        if (!parsed) {
            return Error{Errc::bad_request, "query parameter last=\"" + *last + "\" is not a tag"};
        }
        after = std::move(*parsed);
    }
    Page page;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        if (limit == 0) {
            return ok();
        }
        auto tags = tx.tags().list(record->id, after, limit + 1);
        if (!tags) {
            return tags.error();
        }
        page.more = tags->size() > limit;
        for (std::size_t i = 0; i < tags->size() && i < limit; ++i) {
            page.items.push_back((*tags)[i].str());
        }
        return ok();
    });
    if (!done) {
        return done.error();
    }
    return page;
}

}  // namespace wharf::registry
