#pragma once

// ECR lifecycle policies: parse and validate the policy text, and evaluate it over a repository's
// images. Pure: the images and the current time come in, decisions go out; preview, the
// scheduled run and `wharf admin lifecycle` all call the same evaluate().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace wharf::lifecycle {

enum class TagStatus { tagged, untagged, any };
enum class StorageClass { standard, archive };
enum class CountType {
    image_count_more_than,
    since_image_pushed,
    since_image_pulled,
    since_image_transitioned,
};
enum class ActionType { expire, transition };  // transition always targets archive

struct Rule {
    std::int64_t priority = 0;
    std::string description;
    TagStatus tag_status = TagStatus::any;
    std::vector<std::string> tag_patterns;  // tagPatternList: globs with `*`
    std::vector<std::string> tag_prefixes;  // tagPrefixList
    StorageClass storage_class = StorageClass::standard;
    CountType count_type = CountType::image_count_more_than;
    std::int64_t count_number = 1;  // images for imageCountMoreThan, days otherwise
    ActionType action = ActionType::expire;
};

// A validated policy; cheap to copy (copies share the immutable rules).
class LifecyclePolicy {
public:
    // Errc::bad_request when the text is not a valid policy. The message is the part ECR puts
    // after "Lifecycle policy validation failure: " and names the rule (by rulePriority, or by
    // index when the priority itself is missing) and the field, e.g.
    //   "rule 2 (rules[1]): 'selection.countUnit' is required when countType is
    //    sinceImagePushed".
    // Enforces every rule of ECR's grammar: length 100..30,720 characters, 1..50 rules, unique
    // integer priorities, `any` only on the highest priority, tagged needs exactly one of
    // tagPatternList/tagPrefixList (non-empty, patterns with at most four `*`), untagged and any
    // none, unique prefixes and one untagged rule per storage class, countUnit "days" exactly for
    // the since* types, countNumber >= 1, storageClass archive exactly for
    // sinceImageTransitioned (expire only, >= 90 days), sinceImagePulled transition only,
    // transition needs targetStorageClass "archive" (and expire must not have one), unknown
    // properties rejected at every level.
    static Result<LifecyclePolicy> parse(std::string_view text);

    const std::string& text() const;
    const std::vector<Rule>& rules() const;  // ascending priority

private:
    struct State;
    explicit LifecyclePolicy(std::shared_ptr<const State> state) : state_(std::move(state)) {}
    std::shared_ptr<const State> state_;
};

// What evaluation needs to know about one image (one manifest) of a repository.
struct ImageFacts {
    std::string digest;             // identity; decisions refer to images by index
    std::vector<std::string> tags;  // empty = untagged
    TimePoint pushed_at;
    std::optional<TimePoint> last_pulled_at;
    std::optional<TimePoint> last_archived_at;   // set while archived (and kept after restore)
    std::optional<TimePoint> last_activated_at;  // set when restored from archive
    StorageClass storage_class = StorageClass::standard;
    // Digests of the indexes (in the same image set) that list this manifest.
    std::vector<std::string> parents;
    // For a referrer (signature, SBOM, attestation): its subject's digest.
    std::optional<std::string> subject;
};

enum class Outcome { kept, expire, transition };

struct Decision {
    std::size_t image = 0;  // index into the images given to evaluate()
    Outcome outcome = Outcome::kept;
    // The rule that acted (expire/transition); for a kept image, the rule that protects it when
    // one does (it matched the image's tags at a higher priority), else none.
    std::optional<std::int64_t> rule_priority;
    // One line for people: "kept: protected by rule 1 (prod*)", "expired by rule 3: untagged,
    // pushed 9 days ago > 7", "kept: newest 10 of rule 2 (this is 3rd)", "expired with its
    // subject sha256:...", "kept: no rule selects it".
    std::string reason;
};

// ECR's evaluation, one decision per image in input order:
// - Every rule is evaluated over the whole set; results are applied in ascending priority and
//   an image is acted on by at most one rule.
// - A rule's candidates are the images of its storage class whose tags satisfy its filter
//   (tagged: every pattern/prefix of the list matched by at least one tag; untagged: no tags;
//   any: all). imageCountMoreThan N selects all but the newest N by push time (restore time if
//   restored); since* select images older than N days (pushed: push/restore time; pulled: last
//   pull, else restore, else push; transitioned: archive time).
// - An image that is a candidate of a higher-priority rule cannot be acted on by a lower one,
//   even when the higher rule kept it; lower rules still count it.
// - Dependents are not candidates of any rule: a manifest listed by an index in the set follows
//   the index (it is acted on only when every parent is, and only if it has no tags of its own;
//   with tags it is evaluated normally but never acted on while a parent is kept); a referrer
//   whose subject is in the set follows its subject.
// Runs in O(rules * images * log images).
std::vector<Decision> evaluate(const LifecyclePolicy& policy, std::span<const ImageFacts> images,
                               TimePoint now);

std::string_view to_string(Outcome outcome) noexcept;            // "kept", "expire", "transition"
std::string_view to_string(TagStatus status) noexcept;           // "tagged", "untagged", "any"
std::string_view to_string(CountType type) noexcept;             // "imageCountMoreThan", ...
std::string_view to_string(StorageClass storage_class) noexcept;  // "standard", "archive"

}  // namespace wharf::lifecycle
