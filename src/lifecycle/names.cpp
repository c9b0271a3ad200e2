// The wire names of the lifecycle enums: the policy text's spelling (lower-camel).
#include "lifecycle/lifecycle.hpp"

namespace wharf::lifecycle {

std::string_view to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::kept:
            return "kept";
        case Outcome::expire:
            return "expire";
        case Outcome::transition:
            return "transition";
    }
    return "kept";
}

std::string_view to_string(TagStatus status) noexcept {
    switch (status) {
        case TagStatus::tagged:
            return "tagged";
        case TagStatus::untagged:
            return "untagged";
        case TagStatus::any:
            return "any";
    }
    return "any";
}

std::string_view to_string(CountType type) noexcept {
    switch (type) {
        case CountType::image_count_more_than:
            return "imageCountMoreThan";
        case CountType::since_image_pushed:
            return "sinceImagePushed";
        case CountType::since_image_pulled:
            return "sinceImagePulled";
        case CountType::since_image_transitioned:
            return "sinceImageTransitioned";
    }
    return "imageCountMoreThan";
}

std::string_view to_string(StorageClass storage_class) noexcept {
    switch (storage_class) {
        case StorageClass::standard:
            return "standard";
        case StorageClass::archive:
            return "archive";
    }
    return "standard";
}

}  // namespace wharf::lifecycle
