// Lifecycle evaluation micro-benchmark: a realistic 3-rule policy (protect prod*, keep the newest
// ten ci- images, expire untagged images after a week) over 1,000 repositories of 1,000 images
// each, evaluate() called once per repository as the scheduled run does. Images are generated
// once, outside the timed loop: a mix of prod/ci/feature tags and untagged manifests, an index
// with two platform children and a signature per hundred images. Target: the million images in
// well under 5 s on one core (under 5 us per image).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lifecycle/lifecycle.hpp"

namespace {

using namespace wharf::lifecycle;
using wharf::TimePoint;

constexpr int kRepositories = 1000;
constexpr int kImagesPerRepository = 1000;
const TimePoint kNow = wharf::from_unix_millis(1'790'000'000'000);

const char* kPolicy = R"({"rules": [
  {"rulePriority": 1, "description": "Never expire production images",
   "selection": {"tagStatus": "tagged", "tagPatternList": ["prod*"],
                 "countType": "imageCountMoreThan", "countNumber": 9999},
   "action": {"type": "expire"}},
  {"rulePriority": 2, "description": "Keep the last ten CI builds",
   "selection": {"tagStatus": "tagged", "tagPrefixList": ["ci-"],
                 "countType": "imageCountMoreThan", "countNumber": 10},
   "action": {"type": "expire"}},
  {"rulePriority": 3, "description": "Expire untagged images after a week",
   "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                 "countUnit": "days", "countNumber": 7},
   "action": {"type": "expire"}}]})";

std::uint64_t mix(std::uint64_t x) {  // splitmix64: deterministic, spread-out digests
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::vector<ImageFacts> repository(int repo) {
    std::vector<ImageFacts> images(kImagesPerRepository);
    for (int i = 0; i < kImagesPerRepository; ++i) {
        const auto seed = mix(static_cast<std::uint64_t>(repo) * kImagesPerRepository + i);
        ImageFacts& im = images[static_cast<std::size_t>(i)];
        im.digest = fmt::format("sha256:{:016x}{:016x}{:016x}{:016x}", seed, mix(seed + 1),
                                mix(seed + 2), mix(seed + 3));
        // Pushed over the last 60 days, one image every ~1.4 hours; half of them pulled since.
        im.pushed_at = kNow - std::chrono::minutes(86 * (kImagesPerRepository - i)) -
                       std::chrono::milliseconds(seed % 60'000);
        if (seed % 2 == 0) {
            im.last_pulled_at = im.pushed_at + std::chrono::hours(static_cast<int>(seed % 48));
        }
        switch (seed % 10) {
            case 0:
            case 1:
            case 2:
                im.tags = {fmt::format("prod-{}", i)};
                if (seed % 7 == 0) {
                    im.tags.push_back("latest");
                }
                break;
            case 3:
            case 4:
            case 5:
                im.tags = {fmt::format("ci-{}", i), fmt::format("sha-{:07x}", seed % 0xfffffff)};
                break;
            case 6:
                im.tags = {fmt::format("feature-{}", i)};
                break;
            default:
                break;  // untagged
        }
    }
    // Per hundred images: an index with two untagged platform manifests, and a signature.
    for (int base = 0; base + 4 < kImagesPerRepository; base += 100) {
        auto& index = images[static_cast<std::size_t>(base)];
        if (index.tags.empty()) {
            index.tags = {fmt::format("multi-{}", base)};
        }
        for (int c = 1; c <= 2; ++c) {
            auto& child = images[static_cast<std::size_t>(base + c)];
            child.tags.clear();
            child.parents = {index.digest};
        }
        auto& signature = images[static_cast<std::size_t>(base + 3)];
        signature.tags.clear();
        signature.subject = index.digest;
    }
    return images;
}

const std::vector<std::vector<ImageFacts>>& repositories() {
    static const auto repos = [] {
        std::vector<std::vector<ImageFacts>> out;
        out.reserve(kRepositories);
        for (int r = 0; r < kRepositories; ++r) {
            out.push_back(repository(r));
        }
        return out;
    }();
    return repos;
}

LifecyclePolicy must_parse(const char* text) {
    auto p = LifecyclePolicy::parse(text);
    if (!p) {
        std::fprintf(stderr, "%s\n", p.error().message.c_str());
        std::abort();
    }
    return *p;
}

void BM_EvaluateMillionImages(benchmark::State& state) {
    const LifecyclePolicy policy = must_parse(kPolicy);
    const auto& repos = repositories();
    std::size_t expired = 0;
    for (auto _ : state) {
        expired = 0;
        for (const auto& images : repos) {
            const auto decisions = evaluate(policy, images, kNow);
            for (const auto& d : decisions) {
                expired += d.outcome == Outcome::expire ? 1 : 0;
            }
            benchmark::DoNotOptimize(decisions.data());
        }
    }
    state.SetItemsProcessed(state.iterations() *
                            static_cast<std::int64_t>(kRepositories * kImagesPerRepository));
    state.counters["expired"] = static_cast<double>(expired);
}

void BM_EvaluateOneRepository(benchmark::State& state) {
    const LifecyclePolicy policy = must_parse(kPolicy);
    const auto& images = repositories().front();
    for (auto _ : state) {
        auto decisions = evaluate(policy, images, kNow);
        benchmark::DoNotOptimize(decisions.data());
    }
    state.SetItemsProcessed(state.iterations() * kImagesPerRepository);
}

void BM_ParsePolicy(benchmark::State& state) {
    for (auto _ : state) {
        auto p = LifecyclePolicy::parse(kPolicy);
        benchmark::DoNotOptimize(p);
    }
}

BENCHMARK(BM_EvaluateMillionImages)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_EvaluateOneRepository)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParsePolicy);

}  // namespace

BENCHMARK_MAIN();
