// Group commit: concurrent write() calls share transactions; each one's outcome is its own.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage {
namespace {

model::RepoName name(int i) { return model::RepoName::parse("repo" + std::to_string(i)).value(); }

TEST(GroupCommit, FailedWritesAreUndoneAloneAmongConcurrentOnes) {
    testing::TempDir dir;
    auto store = open_sqlite_metadata_store(dir.path() / "m.db").value();
    constexpr int kThreads = 16;
    constexpr int kPerThread = 20;
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int k = 0; k < kPerThread; ++k) {
                const int i = t * kPerThread + k;
                auto r = store->write([&](MetadataTx& tx) -> Result<void> {
                    if (auto created = tx.repositories().create(name(i), TimePoint{}); !created) {
                        return created.error();
                    }
                    // Odd writes fail after writing: their repository must not survive.
                    if (i % 2 == 1) {
                        return Error{Errc::bad_request, "refused"};
                    }
                    return ok();
                });
                if (static_cast<bool>(r) != (i % 2 == 0)) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(wrong.load(), 0);
    auto listed = std::vector<model::RepoName>{};
    ASSERT_TRUE(store->read([&](MetadataTx& tx) -> Result<void> {
        auto all = tx.repositories().list(std::nullopt, 10000);
        if (!all) {
            return all.error();
        }
        listed = std::move(*all);
        return ok();
    }));
    EXPECT_EQ(listed.size(), static_cast<std::size_t>(kThreads * kPerThread / 2));
    for (const auto& n : listed) {
        const int i = std::stoi(n.str().substr(4));
        EXPECT_EQ(i % 2, 0) << n.str();
    }
}

TEST(GroupCommit, NestedWriteIsRefused) {
    testing::TempDir dir;
    auto store = open_sqlite_metadata_store(dir.path() / "m.db").value();
    auto outer = store->write([&](MetadataTx&) -> Result<void> {
        auto inner = store->write([](MetadataTx&) -> Result<void> { return ok(); });
        EXPECT_FALSE(inner);
        return ok();
    });
    EXPECT_TRUE(outer);
}

}  // namespace
}  // namespace wharf::storage
