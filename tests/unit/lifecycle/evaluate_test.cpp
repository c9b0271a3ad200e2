// evaluate() against the AWS user guide's examples and Wharf's rules for indexes and referrers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lifecycle/lifecycle.hpp"

namespace wharf::lifecycle {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

const TimePoint kNow = from_unix_millis(1'790'000'000'000);

TimePoint days_ago(int days, milliseconds extra = milliseconds(0)) {
    return kNow - hours(24 * days) - extra;
}

ImageFacts image(std::string digest, std::vector<std::string> tags, int pushed_days_ago) {
    ImageFacts f;
    f.digest = std::move(digest);
    f.tags = std::move(tags);
    f.pushed_at = days_ago(pushed_days_ago);
    return f;
}

LifecyclePolicy make_policy(const std::string& rules) {
    std::string text = R"({"rules": [)" + rules + "]}";
    if (text.size() < 100) {
        text.append(100 - text.size(), ' ');
    }
    auto policy = LifecyclePolicy::parse(text);
    EXPECT_TRUE(policy) << policy.error().message;
    return std::move(policy).value();
}

const std::string kExpire = R"({"type": "expire"})";
const std::string kTransition = R"({"type": "transition", "targetStorageClass": "archive"})";

std::string rule(int priority, const std::string& selection, const std::string& action = kExpire) {
    return fmt::format(R"({{"rulePriority": {}, "selection": {{{}}}, "action": {}}})", priority,
                       selection, action);
}
std::string count(const std::string& filter, int n) {
    return fmt::format(R"({}, "countType": "imageCountMoreThan", "countNumber": {})", filter, n);
}
std::string since(const std::string& filter, const std::string& type, int days) {
    return fmt::format(R"({}, "countType": "{}", "countUnit": "days", "countNumber": {})", filter,
                       type, days);
}
std::string patterns(const std::string& list) {
    return R"("tagStatus": "tagged", "tagPatternList": )" + list;
}
std::string prefixes(const std::string& list) {
    return R"("tagStatus": "tagged", "tagPrefixList": )" + list;
}
const std::string kUntagged = R"("tagStatus": "untagged")";
const std::string kAny = R"("tagStatus": "any")";

std::vector<Outcome> outcomes(const std::vector<Decision>& decisions) {
    std::vector<Outcome> out;
    for (const auto& d : decisions) {
        out.push_back(d.outcome);
    }
    return out;
}

constexpr auto kKept = Outcome::kept;
constexpr auto kExpired = Outcome::expire;
constexpr auto kArchived = Outcome::transition;

MATCHER_P(HasReason, part, "") {
    return arg.reason.find(part) != std::string::npos;
}

TEST(LifecycleEvaluate, OneDecisionPerImageInInputOrder) {
    const auto policy = make_policy(rule(1, count(kUntagged, 1)));
    const std::vector<ImageFacts> images = {image("sha256:b", {}, 2), image("sha256:a", {}, 1),
                                            image("sha256:c", {"v1"}, 3)};
    const auto decisions = evaluate(policy, images, kNow);
    ASSERT_EQ(decisions.size(), 3u);
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        EXPECT_EQ(decisions[i].image, i);
    }
    EXPECT_EQ(outcomes(decisions), (std::vector{kExpired, kKept, kKept}));
    EXPECT_TRUE(evaluate(policy, {}, kNow).empty());
}

// User guide, "Filtering on image age": tagged prod* older than 14 days.
TEST(LifecycleEvaluate, AgeSincePushedIsStrict) {
    const auto policy =
        make_policy(rule(1, since(patterns(R"(["prod*"])"), "sinceImagePushed", 14)));
    std::vector<ImageFacts> images = {
        image("sha256:1", {"prod1"}, 15), image("sha256:2", {"prod2"}, 13),
        image("sha256:3", {"dev"}, 40), image("sha256:4", {"prod4"}, 14),
        image("sha256:5", {"prod5"}, 14)};
    images[4].pushed_at = days_ago(14, milliseconds(1));  // just over 14 days
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kKept, kKept, kKept, kExpired}));
    EXPECT_EQ(d[0].rule_priority, 1);
    EXPECT_EQ(d[0].reason, "expired by rule 1: tagged prod*, pushed 15 days ago > 14");
    EXPECT_EQ(d[1].rule_priority, 1);
    EXPECT_EQ(d[1].reason,
              "kept: rule 1 selects tagged prod* images pushed more than 14 days ago; pushed 13 "
              "days ago");
    EXPECT_EQ(d[2].rule_priority, std::nullopt);
    EXPECT_EQ(d[2].reason, "kept: no rule selects it");
}

// User guide, "Filtering on image count": keep the newest prod* image.
TEST(LifecycleEvaluate, CountKeepsTheNewest) {
    const auto policy = make_policy(rule(1, count(patterns(R"(["prod*"])"), 1)));
    const std::vector<ImageFacts> images = {image("sha256:1", {"prod-1"}, 3),
                                            image("sha256:2", {"prod-2"}, 2),
                                            image("sha256:3", {"prod-3"}, 1)};
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kExpired, kKept}));
    EXPECT_EQ(d[0].reason, "expired by rule 1: 3rd newest of tagged prod* (keeps 1)");
    EXPECT_EQ(d[1].reason, "expired by rule 1: 2nd newest of tagged prod* (keeps 1)");
    EXPECT_EQ(d[2].reason, "kept: newest 1 of rule 1 (this is 1st)");
    EXPECT_EQ(d[2].rule_priority, 1);
}

TEST(LifecycleEvaluate, CountOrdersByRestoreTimeThenDigest) {
    const auto policy = make_policy(rule(1, count(kUntagged, 1)));
    std::vector<ImageFacts> images = {image("sha256:b", {}, 5), image("sha256:a", {}, 5)};
    EXPECT_EQ(outcomes(evaluate(policy, images, kNow)), (std::vector{kExpired, kKept}));
    // Restored yesterday: newer than an image pushed two days ago.
    images = {image("sha256:old", {}, 100), image("sha256:new", {}, 2)};
    images[0].last_activated_at = days_ago(1);
    EXPECT_EQ(outcomes(evaluate(policy, images, kNow)), (std::vector{kKept, kExpired}));
}

// Prefixes and patterns, matched over the whole tag.
std::vector<Outcome> matched(const std::string& filter, const std::vector<std::string>& tags) {
    const auto policy = make_policy(rule(1, since(filter, "sinceImagePushed", 1)));
    std::vector<ImageFacts> images;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        images.push_back(image(fmt::format("sha256:{}", i), {tags[i]}, 10));
    }
    return outcomes(evaluate(policy, images, kNow));
}

TEST(LifecycleEvaluate, PrefixList) {
    EXPECT_EQ(matched(prefixes(R"(["prod"])"), {"prod", "prod1", "production", "preprod", "Prod"}),
              (std::vector{kExpired, kExpired, kExpired, kKept, kKept}));
}

TEST(LifecycleEvaluate, PatternList) {
    EXPECT_EQ(
        matched(patterns(R"(["prod*"])"), {"prod", "prod1", "production-team1", "myprod", "pro"}),
        (std::vector{kExpired, kExpired, kExpired, kKept, kKept}));
    EXPECT_EQ(matched(patterns(R"(["*prod*"])"), {"repo-production", "prod", "xprodx", "prd"}),
              (std::vector{kExpired, kExpired, kExpired, kKept}));
    EXPECT_EQ(matched(patterns(R"(["v1"])"), {"v1", "v10", "xv1"}),
              (std::vector{kExpired, kKept, kKept}));
    EXPECT_EQ(matched(patterns(R"(["*test*1*2*3"])"), {"test123", "a-test-1-2-3", "test1-2-3x"}),
              (std::vector{kExpired, kExpired, kKept}));
    EXPECT_EQ(matched(patterns(R"(["a*a*b"])"), {"aab", "aaab", "abab", "ab", "aaba"}),
              (std::vector{kExpired, kExpired, kExpired, kKept, kKept}));
    EXPECT_EQ(matched(patterns(R"(["*"])"), {"anything"}), (std::vector{kExpired}));
}

// Several entries: every entry must be matched, each by any of the image's tags.
TEST(LifecycleEvaluate, ListsNeedEveryEntryMatchedByAnyTag) {
    const auto policy =
        make_policy(rule(1, since(patterns(R"(["prod*", "*-rc"])"), "sinceImagePushed", 1)) + ", " +
                    rule(2, since(prefixes(R"(["a", "b"])"), "sinceImagePushed", 1)));
    const std::vector<ImageFacts> images = {
        image("sha256:1", {"prod-1", "v1-rc"}, 10), image("sha256:2", {"prod-1"}, 10),
        image("sha256:3", {"prod-1-rc"}, 10),       image("sha256:4", {"x", "b2", "a1"}, 10),
        image("sha256:5", {"a1", "a2"}, 10),        image("sha256:6", {}, 10),
    };
    EXPECT_EQ(outcomes(evaluate(policy, images, kNow)),
              (std::vector{kExpired, kKept, kExpired, kExpired, kKept, kKept}));
}

TEST(LifecycleEvaluate, UntaggedAndAny) {
    const auto policy = make_policy(rule(1, since(kUntagged, "sinceImagePushed", 7)) + ", " +
                                    rule(2, count(kAny, 2)));
    // Rule 2 counts all four (untagged ones too) and acts on what rule 1 did not match.
    const std::vector<ImageFacts> images = {
        image("sha256:1", {}, 9), image("sha256:2", {}, 2), image("sha256:3", {"a"}, 3),
        image("sha256:4", {"b"}, 4), image("sha256:5", {"c"}, 1)};
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kKept, kExpired, kExpired, kKept}));
    EXPECT_EQ(d[0].reason, "expired by rule 1: untagged, pushed 9 days ago > 7");
    EXPECT_EQ(d[1].reason,
              "kept: rule 1 selects untagged images pushed more than 7 days ago; pushed 2 days "
              "ago");
    EXPECT_EQ(d[2].reason, "expired by rule 2: 3rd newest of any (keeps 2)");
    EXPECT_EQ(d[4].reason, "kept: newest 2 of rule 2 (this is 1st)");
}

// User guide, "Filtering on multiple rules", examples A and B.
std::vector<ImageFacts> multiple_rules_images() {
    return {image("sha256:A", {"beta-1", "prod-1"}, 10), image("sha256:B", {"beta-2", "prod-2"}, 9),
            image("sha256:C", {"beta-3"}, 8)};
}

TEST(LifecycleEvaluate, MultipleRulesExampleA) {
    const auto policy = make_policy(rule(1, count(patterns(R"(["prod*"])"), 1)) + ", " +
                                    rule(2, count(patterns(R"(["beta*"])"), 1)));
    const auto d = evaluate(policy, multiple_rules_images(), kNow);
    // Rule 1 expires A; rule 2 would expire A and B, but B was matched by rule 1.
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kKept, kKept}));
    EXPECT_EQ(d[0].rule_priority, 1);
    EXPECT_EQ(d[1].rule_priority, 1);
    EXPECT_EQ(d[1].reason, "kept: protected by rule 1 (tagged prod*); rule 2 would expire it");
    EXPECT_EQ(d[2].rule_priority, 2);
    EXPECT_EQ(d[2].reason, "kept: newest 1 of rule 2 (this is 1st)");
}

TEST(LifecycleEvaluate, MultipleRulesExampleB) {
    const auto policy = make_policy(rule(1, count(patterns(R"(["beta*"])"), 1)) + ", " +
                                    rule(2, count(patterns(R"(["prod*"])"), 1)));
    const auto d = evaluate(policy, multiple_rules_images(), kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kExpired, kKept}));
    EXPECT_EQ(d[0].rule_priority, 1);
    EXPECT_EQ(d[1].rule_priority, 1);
    EXPECT_EQ(d[1].reason, "expired by rule 1: 2nd newest of tagged beta* (keeps 1)");
}

// The protect idiom: a high-priority rule that never selects shields prod* from the catch-all.
TEST(LifecycleEvaluate, ProtectIdiom) {
    const auto policy = make_policy(rule(1, count(patterns(R"(["prod*"])"), 9999)) + ", " +
                                    rule(2, since(kAny, "sinceImagePushed", 1)));
    const std::vector<ImageFacts> images = {
        image("sha256:1", {"prod-1"}, 400), image("sha256:2", {"dev-1"}, 400),
        image("sha256:3", {}, 2), image("sha256:4", {"dev"}, 0)};
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kKept, kExpired, kExpired, kKept}));
    EXPECT_EQ(d[0].rule_priority, 1);
    EXPECT_THAT(d[0], HasReason("kept: protected by rule 1 (tagged prod*)"));
    EXPECT_EQ(d[1].rule_priority, 2);
    EXPECT_EQ(d[1].reason, "expired by rule 2: any, pushed 400 days ago > 1");
    EXPECT_EQ(d[3].reason,
              "kept: rule 2 selects any images pushed more than 1 day ago; pushed 0 days ago");
}

TEST(LifecycleEvaluate, ReasonsOfAThreeRulePolicy) {
    const auto policy = make_policy(rule(1, count(patterns(R"(["prod*"])"), 9999)) + ", " +
                                    rule(2, count(prefixes(R"(["ci-"])"), 10)) + ", " +
                                    rule(3, since(kUntagged, "sinceImagePushed", 7)));
    std::vector<ImageFacts> images;
    for (int i = 0; i < 12; ++i) {  // ci-0 is the newest
        images.push_back(image(fmt::format("sha256:ci{:02}", i), {fmt::format("ci-{}", i)}, i));
    }
    images.push_back(image("sha256:u", {}, 9));
    images.push_back(image("sha256:x", {"other"}, 30));
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(d[2].reason, "kept: newest 10 of rule 2 (this is 3rd)");
    EXPECT_EQ(d[10].reason, "expired by rule 2: 11th newest of tagged prefix ci- (keeps 10)");
    EXPECT_EQ(d[11].reason, "expired by rule 2: 12th newest of tagged prefix ci- (keeps 10)");
    EXPECT_EQ(d[12].reason, "expired by rule 3: untagged, pushed 9 days ago > 7");
    EXPECT_EQ(d[13].reason, "kept: no rule selects it");
}

// Archive: transition by pull age, then expire from archive by time in archive.
TEST(LifecycleEvaluate, ArchiveTransitions) {
    const auto policy = make_policy(
        rule(1, since(kAny, "sinceImagePulled", 30), kTransition) + ", " +
        rule(2, since(kAny + R"(, "storageClass": "archive")", "sinceImageTransitioned", 90)));
    std::vector<ImageFacts> images(8);
    images[0] = image("sha256:pulled-40", {"a"}, 100);
    images[0].last_pulled_at = days_ago(40);
    images[1] = image("sha256:pulled-10", {"b"}, 100);
    images[1].last_pulled_at = days_ago(10);
    images[2] = image("sha256:never-pulled-40", {}, 40);
    images[3] = image("sha256:never-pulled-10", {}, 10);
    // Restored 10 days ago, last pulled before it was archived: ages from the restore.
    images[4] = image("sha256:restored-10", {}, 300);
    images[4].last_pulled_at = days_ago(250);
    images[4].last_archived_at = days_ago(200);
    images[4].last_activated_at = days_ago(10);
    images[5] = image("sha256:restored-40", {}, 300);
    images[5].last_archived_at = days_ago(200);
    images[5].last_activated_at = days_ago(40);
    // Archived: only rule 2 sees them, however long ago they were pulled.
    images[6] = image("sha256:archived-100", {"c"}, 400);
    images[6].storage_class = StorageClass::archive;
    images[6].last_pulled_at = days_ago(300);
    images[6].last_archived_at = days_ago(100);
    images[7] = image("sha256:archived-50", {}, 400);
    images[7].storage_class = StorageClass::archive;
    images[7].last_archived_at = days_ago(50);

    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d),
              (std::vector{kArchived, kKept, kArchived, kKept, kKept, kArchived, kExpired, kKept}));
    EXPECT_EQ(d[0].reason, "archived by rule 1: any, not pulled for 40 days > 30");
    EXPECT_EQ(d[2].reason, "archived by rule 1: any, never pulled, pushed 40 days ago > 30");
    EXPECT_THAT(d[4], HasReason("not pulled since restored 10 days ago"));
    EXPECT_EQ(d[5].reason, "archived by rule 1: any, not pulled since restored 40 days ago > 30");
    EXPECT_EQ(d[6].rule_priority, 2);
    EXPECT_EQ(d[6].reason, "expired by rule 2: any, archived 100 days ago > 90");
    EXPECT_EQ(d[7].rule_priority, 2);
    EXPECT_THAT(d[7], HasReason("archived 50 days ago"));
}

TEST(LifecycleEvaluate, ArchivedImageWithoutArchiveTimeIsNotSelected) {
    const auto policy = make_policy(
        rule(1, since(kAny + R"(, "storageClass": "archive")", "sinceImageTransitioned", 90)));
    std::vector<ImageFacts> images = {image("sha256:a", {}, 1000)};
    images[0].storage_class = StorageClass::archive;
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(d[0].outcome, kKept);
    EXPECT_THAT(d[0], HasReason("no archive time recorded"));
}

// Index children: an index "v1" (or "v2") with untagged platform manifests.
const std::string kIndexPolicy = rule(1, count(patterns(R"(["v*"])"), 1)) + ", " +
                                 rule(2, since(kUntagged, "sinceImagePushed", 1));

ImageFacts child(std::string digest, std::vector<std::string> parents,
                 std::vector<std::string> tags = {}) {
    ImageFacts f = image(std::move(digest), std::move(tags), 30);
    f.parents = std::move(parents);
    return f;
}

TEST(LifecycleEvaluate, ChildrenOfAKeptIndexAreKept) {
    const auto policy = make_policy(kIndexPolicy);
    const std::vector<ImageFacts> images = {image("sha256:v1", {"v1"}, 20),
                                            child("sha256:amd64", {"sha256:v1"}),
                                            child("sha256:arm64", {"sha256:v1"})};
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kKept, kKept, kKept}));
    EXPECT_EQ(d[1].reason, "kept: follows its index sha256:v1");
    EXPECT_EQ(d[1].rule_priority, 1);
}

TEST(LifecycleEvaluate, UntaggedChildrenExpireWithTheirIndex) {
    const auto policy = make_policy(kIndexPolicy);
    const std::vector<ImageFacts> images = {
        image("sha256:v1", {"v1"}, 20), child("sha256:amd64", {"sha256:v1"}),
        image("sha256:v2", {"v2"}, 10), child("sha256:shared", {"sha256:v1", "sha256:v2"}),
        child("sha256:orphan", {"sha256:not-here"})};
    const auto d = evaluate(policy, images, kNow);
    // v1 is the older index; "shared" is also listed by v2, which stays; the orphan's index is
    // not in the set, so the untagged rule selects it like any untagged image.
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kExpired, kKept, kKept, kExpired}));
    EXPECT_EQ(d[1].reason, "expired with its index sha256:v1");
    EXPECT_EQ(d[1].rule_priority, 1);
    EXPECT_EQ(d[3].reason, "kept: follows its index sha256:v2");
    EXPECT_EQ(d[4].rule_priority, 2);
}

TEST(LifecycleEvaluate, ChildrenOfATransitionedIndexTransition) {
    const auto policy = make_policy(rule(1, since(kAny, "sinceImagePulled", 30), kTransition));
    const std::vector<ImageFacts> images = {image("sha256:idx", {"v1"}, 40),
                                            child("sha256:c", {"sha256:idx"})};
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kArchived, kArchived}));
    EXPECT_EQ(d[1].reason, "archived with its index sha256:idx");
}

TEST(LifecycleEvaluate, TaggedChildrenAreCandidatesHeldByTheirIndex) {
    const auto policy =
        make_policy(rule(1, count(patterns(R"(["v*"])"), 1)) + ", " +
                    rule(2, since(patterns(R"(["*-amd64"])"), "sinceImagePushed", 1)));
    const std::vector<ImageFacts> images = {
        image("sha256:v2", {"v2"}, 5),
        child("sha256:v2-amd64", {"sha256:v2"}, {"v2-amd64"}),  // 30 days old
        image("sha256:v1", {"v1"}, 20),
        child("sha256:v1-amd64", {"sha256:v1"}, {"v1-amd64"}),
        child("sha256:x-amd64", {"sha256:v2"}, {"x-amd64"}),
    };
    const auto d = evaluate(policy, images, kNow);
    // Rule 1 counts the tagged children too: v2, v1, v1-amd64, v2-amd64 (the two children tie
    // on push time, so by digest). The kept v2 holds back its tagged children; v1 goes, so the
    // action on its tagged child stands.
    EXPECT_EQ(outcomes(d), (std::vector{kKept, kKept, kExpired, kExpired, kKept}));
    EXPECT_EQ(d[1].rule_priority, 1);
    EXPECT_EQ(d[1].reason, "kept: rule 1 would expire it but its index sha256:v2 is kept");
    EXPECT_EQ(d[3].reason, "expired by rule 1: 3rd newest of tagged v* (keeps 1)");
    EXPECT_EQ(d[4].reason, "kept: rule 2 would expire it but its index sha256:v2 is kept");
}

TEST(LifecycleEvaluate, ReferrersFollowTheirSubject) {
    const auto policy = make_policy(kIndexPolicy);
    std::vector<ImageFacts> images = {image("sha256:v1", {"v1"}, 20),
                                      image("sha256:v2", {"v2"}, 10), image("sha256:sig1", {}, 20),
                                      image("sha256:sig2", {"sig"}, 20),
                                      image("sha256:sbom", {}, 20)};
    images[2].subject = "sha256:v1";
    images[3].subject = "sha256:v2";
    images[4].subject = "sha256:gone";  // subject not in the set: an ordinary untagged image
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kKept, kExpired, kKept, kExpired}));
    EXPECT_EQ(d[2].reason, "expired with its subject sha256:v1");
    EXPECT_EQ(d[2].rule_priority, 1);
    EXPECT_EQ(d[3].reason, "kept: follows its subject sha256:v2");
    EXPECT_EQ(d[3].rule_priority, 1);
    EXPECT_EQ(d[4].rule_priority, 2);
}

TEST(LifecycleEvaluate, ReferrersOfArchivedSubjectsTransition) {
    const auto policy = make_policy(rule(1, since(kAny, "sinceImagePulled", 30), kTransition));
    std::vector<ImageFacts> images = {image("sha256:app", {"v1"}, 40), image("sha256:sig", {}, 1)};
    images[1].subject = "sha256:app";
    EXPECT_EQ(outcomes(evaluate(policy, images, kNow)), (std::vector{kArchived, kArchived}));
}

TEST(LifecycleEvaluate, ChainsSettleInAnyOrder) {
    // A signature of a platform manifest of an index, listed before the manifest and the index.
    const auto policy = make_policy(kIndexPolicy);
    std::vector<ImageFacts> images = {image("sha256:sig", {}, 20), child("sha256:c", {"sha256:v1"}),
                                      image("sha256:v1", {"v1"}, 20),
                                      image("sha256:v2", {"v2"}, 10)};
    images[0].subject = "sha256:c";
    const auto d = evaluate(policy, images, kNow);
    EXPECT_EQ(outcomes(d), (std::vector{kExpired, kExpired, kExpired, kKept}));
    EXPECT_EQ(d[0].reason, "expired with its subject sha256:c");
}

TEST(LifecycleEvaluate, CyclesAreKept) {
    const auto policy = make_policy(kIndexPolicy);
    const std::vector<ImageFacts> images = {child("sha256:a", {"sha256:b"}),
                                            child("sha256:b", {"sha256:a"}),
                                            child("sha256:self", {"sha256:self"})};
    const auto d = evaluate(policy, images, kNow);
    // "self" lists only itself, so it is an ordinary untagged image.
    EXPECT_EQ(outcomes(d), (std::vector{kKept, kKept, kExpired}));
    EXPECT_THAT(d[0], HasReason("depends back on it"));
}

TEST(LifecycleNames, WireSpellings) {
    EXPECT_EQ(to_string(Outcome::kept), "kept");
    EXPECT_EQ(to_string(Outcome::expire), "expire");
    EXPECT_EQ(to_string(Outcome::transition), "transition");
    EXPECT_EQ(to_string(TagStatus::tagged), "tagged");
    EXPECT_EQ(to_string(TagStatus::untagged), "untagged");
    EXPECT_EQ(to_string(TagStatus::any), "any");
    EXPECT_EQ(to_string(CountType::image_count_more_than), "imageCountMoreThan");
    EXPECT_EQ(to_string(CountType::since_image_pushed), "sinceImagePushed");
    EXPECT_EQ(to_string(CountType::since_image_pulled), "sinceImagePulled");
    EXPECT_EQ(to_string(CountType::since_image_transitioned), "sinceImageTransitioned");
    EXPECT_EQ(to_string(StorageClass::standard), "standard");
    EXPECT_EQ(to_string(StorageClass::archive), "archive");
}

}  // namespace
}  // namespace wharf::lifecycle
