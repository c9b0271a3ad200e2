#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "registry/registry.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/fake_clock.hpp"
#include "support/in_memory_blob_store.hpp"
#include "support/temp_dir.hpp"

namespace wharf::testing {

inline std::span<const std::byte> bytes_of(std::string_view s) {
    return std::as_bytes(std::span{s.data(), s.size()});
}

// A Registry over the in-memory blob fake and a real SQLite file.
class RegistryTest : public ::testing::Test {
protected:
    void SetUp() override {
        meta_ = std::move(
            storage::open_sqlite_metadata_store(dir_.path() / "meta.db", {.full_sync = false})
                .value());
        registry_ = std::make_unique<registry::Registry>(
            registry::ServiceContext{blobs_, *meta_, clock_, options()});
    }
    // The quick-start mode most tests push in; ECR's rule is tested with it off.
    virtual registry::RegistryOptions options() const {
        registry::RegistryOptions o;
        o.create_on_push = true;
        return o;
    }

    static model::RepoName repo(std::string_view name) {
        return model::RepoName::parse(name).value();
    }
    static model::Reference ref(std::string_view text) {
        return model::Reference::parse(text).value();
    }

    // Uploads `content` to `name` through a session; returns its digest.
    model::Digest push_blob(std::string_view name, std::string_view content) {
        auto& uploads = registry_->uploads;
        auto started = uploads.start(caller_, repo(name)).value();
        auto appender = uploads.open(caller_, repo(name), started.id, 0).value();
        EXPECT_TRUE(appender.append(bytes_of(content)));
        return uploads.complete(std::move(appender), model::Digest::of(content)).value().digest;
    }

    // An OCI image manifest over a config and one layer, both pushed to `name`.
    std::string image_manifest(std::string_view name, std::string_view layer) {
        const auto config = push_blob(name, "{}");
        const auto layer_digest = push_blob(name, layer);
        return nlohmann::json{{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                              {"config",
                               {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                {"digest", config.str()},
                                {"size", 2}}},
                              {"layers",
                               {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                 {"digest", layer_digest.str()},
                                 {"size", layer.size()}}}}}
            .dump();
    }

    TempDir dir_;
    FakeClock clock_;
    InMemoryBlobStore blobs_;
    std::unique_ptr<storage::MetadataStore> meta_;
    std::unique_ptr<registry::Registry> registry_;
    registry::Caller caller_;
};

}  // namespace wharf::testing
