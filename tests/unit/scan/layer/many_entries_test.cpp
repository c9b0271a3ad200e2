// A million tiny files: the entry limit holds exactly at its value, and the layer streams (the
// archive is generated while it is read, never held whole).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "scan/layer/layer.hpp"
#include "unit/scan/layer/archive_builder.hpp"

namespace wharf::scan::layer {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the builders

constexpr std::uint64_t kMillion = 1'000'000;

// A ReadFn that writes `count` empty files ("d<i/1000>/f<i>") into a gzip tar on demand.
ReadFn generated_layer(std::uint64_t count) {
    struct State {
        std::string pending;
        std::size_t pos = 0;
        std::uint64_t next = 0;
        bool closed = false;
        std::unique_ptr<Writer> writer;
    };
    auto s = std::make_shared<State>();
    s->writer = std::make_unique<Writer>(s->pending, false, Filter::gzip);
    return [s, count](std::span<std::byte> out) -> Result<std::size_t> {
        while (s->pending.size() - s->pos < out.size() && !s->closed) {
            if (s->pos > (1u << 20)) {  // drop what was handed out
                s->pending.erase(0, s->pos);
                s->pos = 0;
            }
            const std::uint64_t batch_end = std::min(count, s->next + 1000);
            for (; s->next < batch_end; ++s->next) {
                char name[48];
                std::snprintf(name, sizeof name, "d%llu/f%llu",
                              static_cast<unsigned long long>(s->next / 1000),
                              static_cast<unsigned long long>(s->next));
                s->writer->add(file(name, ""));
            }
            if (s->next == count) {
                s->writer->close();
                s->closed = true;
            }
        }
        const std::size_t n = std::min(out.size(), s->pending.size() - s->pos);
        std::memcpy(out.data(), s->pending.data() + s->pos, n);
        s->pos += n;
        return n;
    };
}

TEST(ManyEntries, AMillionEmptyFilesAtTheLimitIsRead) {
    Limits limits;
    limits.max_entries = kMillion;
    const auto start = std::chrono::steady_clock::now();
    auto c = read_layer(generated_layer(kMillion), limits);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->entries, kMillion);
    EXPECT_TRUE(c->files.empty());
    std::printf("1,000,000 entries read in %lld ms\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

TEST(ManyEntries, OneEntryOverTheLimitFailsCleanly) {
    Limits limits;
    limits.max_entries = kMillion;
    auto c = read_layer(generated_layer(kMillion + 1), limits);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::bad_request);
    EXPECT_EQ(c.error().message, "layer has more than 1000000 entries");
}

}  // namespace
}  // namespace wharf::scan::layer
