#pragma once

#include <span>
#include <string_view>

#include "ecr/call.hpp"
#include "http/router.hpp"

namespace wharf::ecr {

using OperationFn = Result<json> (*)(EcrCall&);

// What an operation is aimed at, for authorization: a repository named by repositoryName, the
// registry, or the caller itself (GetAuthorizationToken: only identity policies may grant it).
enum class Target { repository, resource_arn, registry, identity_only };

// One row per ECR action: the IAM action checked before the handler runs.
struct Operation {
    std::string_view name;  // X-Amz-Target suffix, e.g. "CreateRepository"
    std::string_view iam_action;
    Target target;
    OperationFn handler;
};

std::span<const Operation> operations();
const Operation* find_operation(std::string_view name);

// POST / with X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Action>.
void add_routes(http::Router& router, EcrServices& services);

// repositories.cpp
Result<json> create_repository(EcrCall&);
Result<json> describe_repositories(EcrCall&);
Result<json> delete_repository(EcrCall&);
Result<json> put_image_tag_mutability(EcrCall&);
Result<json> put_image_scanning_configuration(EcrCall&);
Result<json> set_repository_policy(EcrCall&);
Result<json> get_repository_policy(EcrCall&);
Result<json> delete_repository_policy(EcrCall&);
Result<json> tag_resource(EcrCall&);
Result<json> untag_resource(EcrCall&);
Result<json> list_tags_for_resource(EcrCall&);
// images.cpp
Result<json> describe_images(EcrCall&);
Result<json> list_images(EcrCall&);
Result<json> batch_get_image(EcrCall&);
Result<json> batch_delete_image(EcrCall&);
Result<json> put_image(EcrCall&);
// layers.cpp
Result<json> batch_check_layer_availability(EcrCall&);
Result<json> initiate_layer_upload(EcrCall&);
Result<json> upload_layer_part(EcrCall&);
Result<json> complete_layer_upload(EcrCall&);
Result<json> get_download_url_for_layer(EcrCall&);
// lifecycle.cpp
Result<json> put_lifecycle_policy(EcrCall&);
Result<json> get_lifecycle_policy(EcrCall&);
Result<json> delete_lifecycle_policy(EcrCall&);
Result<json> start_lifecycle_policy_preview(EcrCall&);
Result<json> get_lifecycle_policy_preview(EcrCall&);
Result<json> update_image_storage_class(EcrCall&);
// scanning.cpp
Result<json> put_registry_scanning_configuration(EcrCall&);
Result<json> get_registry_scanning_configuration(EcrCall&);
Result<json> start_image_scan(EcrCall&);
Result<json> describe_image_scan_findings(EcrCall&);
// DescribeImages' imageScanStatus and imageScanFindingsSummary, added to each imageDetails entry.
void add_scan_summaries(json& image_details, registry::Registry& reg);
// account.cpp
Result<json> get_authorization_token(EcrCall&);
Result<json> describe_registry(EcrCall&);
Result<json> put_registry_policy(EcrCall&);
Result<json> get_registry_policy(EcrCall&);
Result<json> delete_registry_policy(EcrCall&);
// templates.cpp
Result<json> create_repository_creation_template(EcrCall&);
Result<json> describe_repository_creation_templates(EcrCall&);
Result<json> update_repository_creation_template(EcrCall&);
Result<json> delete_repository_creation_template(EcrCall&);

}  // namespace wharf::ecr
