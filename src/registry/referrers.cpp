#include "registry/referrers.hpp"

namespace wharf::registry {

Result<Referrers> ReferrerService::list(const Caller&, const model::RepoName& repo,
                                        const model::Digest& subject,
                                        const std::optional<std::string>& artifact_type) {
    std::vector<storage::ReferrerRecord> records;
    auto done = ctx_.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto record = require_repository(tx, ctx_, repo);
        if (!record) {
            return record.error();
        }
        auto found = tx.manifests().referrers(record->id, subject);
        if (!found) {
            return found.error();
        }
        records = std::move(*found);
        return ok();
    });
    if (!done) {
        return done.error();
    }
    Referrers out;
    out.filtered = artifact_type.has_value() && !artifact_type->empty();
    for (auto& r : records) {
        if (out.filtered && r.artifact_type != *artifact_type) {
            continue;
        }
        model::Descriptor d{.media_type = r.media_type,
                            .digest = r.digest,
                            .size = static_cast<std::int64_t>(r.size),
                            .artifact_type = r.artifact_type,
                            .annotations = {},
                            .urls = {},
                            .platform = nullptr};
        auto annotations = nlohmann::json::parse(r.annotations_json, nullptr, false);
        if (annotations.is_object()) {
            for (const auto& [k, v] : annotations.items()) {
                if (v.is_string()) {
                    d.annotations[k] = v.get<std::string>();
                }
            }
        }
        out.manifests.push_back(std::move(d));
    }
    return out;
}

}  // namespace wharf::registry
