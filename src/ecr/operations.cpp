#include "ecr/operations.hpp"

#include <array>

namespace wharf::ecr {
namespace {

using T = Target;

constexpr std::array kOperations{
    Operation{"CreateRepository", "ecr:CreateRepository", T::repository, &create_repository},
    Operation{"DescribeRepositories", "ecr:DescribeRepositories", T::registry,
              &describe_repositories},
    Operation{"DeleteRepository", "ecr:DeleteRepository", T::repository, &delete_repository},
    Operation{"PutImageTagMutability", "ecr:PutImageTagMutability", T::repository,
              &put_image_tag_mutability},
    Operation{"PutImageScanningConfiguration", "ecr:PutImageScanningConfiguration", T::repository,
              &put_image_scanning_configuration},
    Operation{"SetRepositoryPolicy", "ecr:SetRepositoryPolicy", T::repository,
              &set_repository_policy},
    Operation{"GetRepositoryPolicy", "ecr:GetRepositoryPolicy", T::repository,
              &get_repository_policy},
    Operation{"DeleteRepositoryPolicy", "ecr:DeleteRepositoryPolicy", T::repository,
              &delete_repository_policy},
    Operation{"TagResource", "ecr:TagResource", T::resource_arn, &tag_resource},
    Operation{"UntagResource", "ecr:UntagResource", T::resource_arn, &untag_resource},
    Operation{"ListTagsForResource", "ecr:ListTagsForResource", T::resource_arn,
              &list_tags_for_resource},
    Operation{"DescribeImages", "ecr:DescribeImages", T::repository, &describe_images},
    Operation{"ListImages", "ecr:ListImages", T::repository, &list_images},
    Operation{"BatchGetImage", "ecr:BatchGetImage", T::repository, &batch_get_image},
    Operation{"BatchDeleteImage", "ecr:BatchDeleteImage", T::repository, &batch_delete_image},
    Operation{"PutImage", "ecr:PutImage", T::repository, &put_image},
    Operation{"BatchCheckLayerAvailability", "ecr:BatchCheckLayerAvailability", T::repository,
              &batch_check_layer_availability},
    Operation{"InitiateLayerUpload", "ecr:InitiateLayerUpload", T::repository,
              &initiate_layer_upload},
    Operation{"UploadLayerPart", "ecr:UploadLayerPart", T::repository, &upload_layer_part},
    Operation{"CompleteLayerUpload", "ecr:CompleteLayerUpload", T::repository,
              &complete_layer_upload},
    Operation{"GetDownloadUrlForLayer", "ecr:GetDownloadUrlForLayer", T::repository,
              &get_download_url_for_layer},
    Operation{"PutLifecyclePolicy", "ecr:PutLifecyclePolicy", T::repository,
              &put_lifecycle_policy},
    Operation{"GetLifecyclePolicy", "ecr:GetLifecyclePolicy", T::repository,
              &get_lifecycle_policy},
    Operation{"DeleteLifecyclePolicy", "ecr:DeleteLifecyclePolicy", T::repository,
              &delete_lifecycle_policy},
    Operation{"StartLifecyclePolicyPreview", "ecr:StartLifecyclePolicyPreview", T::repository,
              &start_lifecycle_policy_preview},
    Operation{"GetLifecyclePolicyPreview", "ecr:GetLifecyclePolicyPreview", T::repository,
              &get_lifecycle_policy_preview},
    Operation{"UpdateImageStorageClass", "ecr:UpdateImageStorageClass", T::repository,
              &update_image_storage_class},
    Operation{"PutRegistryScanningConfiguration", "ecr:PutRegistryScanningConfiguration",
              T::registry, &put_registry_scanning_configuration},
    Operation{"GetRegistryScanningConfiguration", "ecr:GetRegistryScanningConfiguration",
              T::registry, &get_registry_scanning_configuration},
    Operation{"StartImageScan", "ecr:StartImageScan", T::repository, &start_image_scan},
    Operation{"DescribeImageScanFindings", "ecr:DescribeImageScanFindings", T::repository,
              &describe_image_scan_findings},
    Operation{"GetAuthorizationToken", "ecr:GetAuthorizationToken", T::identity_only,
              &get_authorization_token},
    Operation{"DescribeRegistry", "ecr:DescribeRegistry", T::registry, &describe_registry},
    Operation{"PutRegistryPolicy", "ecr:PutRegistryPolicy", T::registry, &put_registry_policy},
    Operation{"GetRegistryPolicy", "ecr:GetRegistryPolicy", T::registry, &get_registry_policy},
    Operation{"DeleteRegistryPolicy", "ecr:DeleteRegistryPolicy", T::registry,
              &delete_registry_policy},
    Operation{"CreateRepositoryCreationTemplate", "ecr:CreateRepositoryCreationTemplate",
              T::registry, &create_repository_creation_template},
    Operation{"DescribeRepositoryCreationTemplates", "ecr:DescribeRepositoryCreationTemplates",
              T::registry, &describe_repository_creation_templates},
    Operation{"UpdateRepositoryCreationTemplate", "ecr:UpdateRepositoryCreationTemplate",
              T::registry, &update_repository_creation_template},
    Operation{"DeleteRepositoryCreationTemplate", "ecr:DeleteRepositoryCreationTemplate",
              T::registry, &delete_repository_creation_template},
};

}  // namespace

std::span<const Operation> operations() {
    return kOperations;
}

const Operation* find_operation(std::string_view name) {
    for (const auto& op : kOperations) {
        if (op.name == name) {
            return &op;
        }
    }
    return nullptr;
}

}  // namespace wharf::ecr
