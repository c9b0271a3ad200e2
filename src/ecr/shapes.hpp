#pragma once

#include "ecr/call.hpp"

// ECR response shapes built from registry records.
namespace wharf::ecr {

json repository_shape(const storage::RepositoryRecord& r, const registry::Registry& reg);
json image_id_shape(const registry::ImageId& id);
json image_detail_shape(const registry::ImageInfo& image, const model::RepoName& repo,
                        const registry::Registry& reg);
json failure_shape(const registry::ImageFailure& f);
json tags_shape(const storage::ResourceTags& tags);
// Reads [{"Key","Value"}] (tags) from the request; Errc::bad_request (kind "tag") when malformed.
Result<storage::ResourceTags> read_tags(const json& in, std::string_view member);
// Reads [{"imageDigest","imageTag"}] from the request.
Result<std::vector<registry::ImageId>> read_image_ids(const json& in, std::string_view member,
                                                      std::size_t min, std::size_t max);
// repositoryUri: <public host>/<name>.
std::string repository_uri(const registry::Registry& reg, const model::RepoName& name);
std::string registry_host(const registry::Registry& reg);

}  // namespace wharf::ecr
