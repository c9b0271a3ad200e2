#include "registry/context.hpp"

#include <fmt/format.h>

namespace wharf::registry {

Result<storage::RepositoryRecord> require_repository(storage::MetadataTx& tx,
                                                     const model::RepoName& name) {
    auto found = tx.repositories().find(name);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return Error{Errc::name_unknown,
                     fmt::format("repository {} does not exist", name.str()),
                     {{"name", name.str()}}};
    }
    return std::move(**found);
}

Result<storage::RepositoryRecord> repository_for_push(storage::MetadataTx& tx,
                                                      const ServiceContext& ctx,
                                                      const model::RepoName& name) {
    if (!ctx.options.create_on_push) {
        return require_repository(tx, name);
    }
    return tx.repositories().create(name, ctx.clock.now());
}

}  // namespace wharf::registry
