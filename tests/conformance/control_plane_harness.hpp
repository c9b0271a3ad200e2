#pragma once

// Shared by the control-plane conformance suites: one MetadataStore driver under test, and
// helpers that run a transaction and fail the test when it does not commit.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/meta/metadata_store.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage::conformance {

class StoreHarness {
public:
    virtual ~StoreHarness() = default;
    virtual MetadataStore& store() = 0;
};

class SqliteStoreHarness final : public StoreHarness {
public:
    SqliteStoreHarness() {
        auto store = open_sqlite_metadata_store(dir_.path() / "meta.db");
        if (!store) {
            throw std::runtime_error(store.error().message);
        }
        store_ = std::move(*store);
    }
    MetadataStore& store() override { return *store_; }

private:
    testing::TempDir dir_;
    std::unique_ptr<MetadataStore> store_;
};

using StoreFactory = std::unique_ptr<StoreHarness> (*)();
inline std::unique_ptr<StoreHarness> make_sqlite_store() {
    return std::make_unique<SqliteStoreHarness>();
}

inline TimePoint at(std::int64_t ms) {
    return from_unix_millis(1'700'000'000'000 + ms);
}
inline model::RepoName repo(std::string_view text) {
    return model::RepoName::parse(text).value();
}
// A plain image manifest record whose digest is the payload's, pushed at at(0).
inline ManifestRecord image_manifest(std::string_view payload, std::uint64_t image_size = 0) {
    return ManifestRecord{.digest = model::Digest::of(payload),
                          .media_type = "application/vnd.oci.image.manifest.v1+json",
                          .payload = std::string(payload),
                          .config_digest = std::nullopt,
                          .subject = std::nullopt,
                          .artifact_type = "",
                          .annotations_json = "{}",
                          .pushed_at = at(0),
                          .last_pulled_at = std::nullopt,
                          .image_size = image_size};
}

// Drops the value: ok, or the error.
template <typename T>
Result<void> status(const Result<T>& r) {
    return r ? ok() : Result<void>(r.error());
}

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override { harness_ = GetParam()(); }
    MetadataStore& store() { return harness_->store(); }

    void write(const MetadataStore::TxFn& fn) {
        auto result = store().write(fn);
        ASSERT_TRUE(result) << result.error().message;
    }
    void read(const MetadataStore::TxFn& fn) {
        auto result = store().read(fn);
        ASSERT_TRUE(result) << result.error().message;
    }
    // The error a write transaction ends with (and its rollback); fails the test on success.
    Error write_error(const MetadataStore::TxFn& fn) {
        auto result = store().write(fn);
        EXPECT_FALSE(result) << "the write was expected to fail";
        return result ? Error{} : result.error();
    }

    std::unique_ptr<StoreHarness> harness_;
};

}  // namespace wharf::storage::conformance
