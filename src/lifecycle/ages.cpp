// The times rules compare: which of push, restore, pull and archive time each count type uses.
#include <algorithm>

#include "lifecycle/detail.hpp"

namespace wharf::lifecycle::detail {

std::int64_t activity_millis(const ImageFacts& image) noexcept {
    return millis(image.last_activated_at.value_or(image.pushed_at));
}

std::int64_t pull_millis(const ImageFacts& image) noexcept {
    // Never pulled: push time; restored and not pulled since: restore time. The latest of the
    // three covers both (a pull cannot precede the push).
    std::int64_t t = millis(image.pushed_at);
    if (image.last_activated_at) {
        t = std::max(t, millis(*image.last_activated_at));
    }
    if (image.last_pulled_at) {
        t = std::max(t, millis(*image.last_pulled_at));
    }
    return t;
}

bool since_millis(CountType type, const ImageFacts& image, std::int64_t& out) noexcept {
    switch (type) {
        case CountType::image_count_more_than:
        case CountType::since_image_pushed:
            out = activity_millis(image);
            return true;
        case CountType::since_image_pulled:
            out = pull_millis(image);
            return true;
        case CountType::since_image_transitioned:
            if (!image.last_archived_at) {
                return false;
            }
            out = millis(*image.last_archived_at);
            return true;
    }
    return false;
}

}  // namespace wharf::lifecycle::detail
