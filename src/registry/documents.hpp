#pragma once

#include <string_view>

// Keys of the registry-wide documents (storage::RegistryDocumentTable).
namespace wharf::registry {

inline constexpr std::string_view kRegistryPolicyKey = "registry/policy";
// One per repository creation template: "template/<prefix>" (prefix "ROOT" for the fallback).
inline constexpr std::string_view kTemplatePrefix = "template/";

}  // namespace wharf::registry
