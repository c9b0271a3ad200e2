// The MetadataStore contract (src/storage/meta/metadata_store.hpp), run against every driver.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/meta/metadata_store.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/temp_dir.hpp"

namespace wharf::storage {
namespace {

using model::Digest;
using model::RepoName;
using model::Tag;
using model::UploadId;

// One driver under test; reopen() drops the store and opens it again on the same data.
class MetadataStoreHarness {
public:
    virtual ~MetadataStoreHarness() = default;
    virtual MetadataStore& store() = 0;
    virtual void reopen() = 0;
};

class SqliteHarness final : public MetadataStoreHarness {
public:
    SqliteHarness() { reopen(); }
    MetadataStore& store() override { return *store_; }
    void reopen() override {
        store_.reset();
        auto store = open_sqlite_metadata_store(dir_.path() / "meta.db");
        if (!store) {
            throw std::runtime_error(store.error().message);
        }
        store_ = std::move(*store);
    }

private:
    testing::TempDir dir_;
    std::unique_ptr<MetadataStore> store_;
};

using HarnessFactory = std::unique_ptr<MetadataStoreHarness> (*)();
std::unique_ptr<MetadataStoreHarness> make_sqlite() {
    return std::make_unique<SqliteHarness>();
}

RepoName repo(std::string_view text) {
    return RepoName::parse(text).value();
}
Tag tag(std::string_view text) {
    return Tag::parse(text).value();
}
Digest digest_of(std::string_view text) {
    return Digest::of(text);
}
TimePoint at(std::int64_t ms) {
    return from_unix_millis(1'700'000'000'000 + ms);
}

ManifestRecord manifest(std::string_view payload, std::optional<Digest> subject = std::nullopt) {
    ManifestRecord m{digest_of(payload),
                     "application/vnd.oci.image.manifest.v1+json",
                     std::string(payload),
                     digest_of(std::string("config of ") + std::string(payload)),
                     std::move(subject),
                     "application/vnd.example",
                     R"({"org.example":"yes"})",
                     at(0),
                     std::nullopt};
    return m;
}

template <typename T>
std::vector<std::string> strs(const std::vector<T>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
        out.push_back(v.str());
    }
    return out;
}

class MetadataStoreConformance : public ::testing::TestWithParam<HarnessFactory> {
protected:
    void SetUp() override { harness_ = GetParam()(); }
    MetadataStore& store() { return harness_->store(); }

    // Runs fn in a write transaction and fails the test if it does not commit.
    void write(const MetadataStore::TxFn& fn) {
        auto result = store().write(fn);
        ASSERT_TRUE(result) << result.error().message;
    }
    void read(const MetadataStore::TxFn& fn) {
        auto result = store().read(fn);
        ASSERT_TRUE(result) << result.error().message;
    }
    RepoId create_repo(std::string_view name) {
        RepoId id = 0;
        write([&](MetadataTx& tx) -> Result<void> {
            auto r = tx.repositories().create(repo(name), at(0));
            if (!r) {
                return r.error();
            }
            id = r->id;
            return ok();
        });
        return id;
    }
    void put_manifest(RepoId id, const ManifestRecord& m,
                      const std::vector<ManifestRef>& refs = {}) {
        write([&](MetadataTx& tx) { return tx.manifests().put(id, m, refs); });
    }
    void put_tag(RepoId id, std::string_view t, const Digest& d) {
        write([&](MetadataTx& tx) -> Result<void> {
            auto previous = tx.tags().put(id, tag(t), d, at(1));
            if (!previous) {
                return previous.error();
            }
            return ok();
        });
    }

    std::unique_ptr<MetadataStoreHarness> harness_;
};

// ---- repositories ----

TEST_P(MetadataStoreConformance, CreateRepositoryIsIdempotent) {
    write([&](MetadataTx& tx) -> Result<void> {
        auto first = tx.repositories().create(repo("team/app"), at(10));
        auto second = tx.repositories().create(repo("team/app"), at(20));
        EXPECT_TRUE(first && second);
        EXPECT_EQ(first->id, second->id);
        EXPECT_EQ(second->name, repo("team/app"));
        EXPECT_EQ(second->created_at, at(10));
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.repositories().find(repo("team/app")).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->created_at, at(10));
        EXPECT_FALSE(tx.repositories().find(repo("team/other")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ListRepositoriesInByteOrderWithPagination) {
    const std::vector<std::string> names{"ab", "b", "a/b", "a", "a_b", "a-b", "a.b", "a/b/c"};
    for (const auto& name : names) {
        create_repo(name);
    }
    const std::vector<std::string> sorted{"a", "a-b", "a.b", "a/b", "a/b/c", "a_b", "ab", "b"};
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(strs(tx.repositories().list(std::nullopt, 100).value()), sorted);
        EXPECT_EQ(strs(tx.repositories().list(repo("a-b"), 2).value()),
                  (std::vector<std::string>{"a.b", "a/b"}));
        EXPECT_EQ(strs(tx.repositories().list(repo("aa"), 10).value()),
                  (std::vector<std::string>{"ab", "b"}));  // `after` need not exist
        EXPECT_TRUE(tx.repositories().list(repo("b"), 10).value().empty());
        EXPECT_TRUE(tx.repositories().list(std::nullopt, 0).value().empty());
        std::vector<std::string> paged;
        std::optional<RepoName> after;
        for (;;) {
            auto page = tx.repositories().list(after, 3).value();
            EXPECT_LE(page.size(), 3u);
            if (page.empty()) {
                break;
            }
            for (const auto& n : page) {
                paged.push_back(n.str());
            }
            after = page.back();
        }
        EXPECT_EQ(paged, sorted);
        return ok();
    });
}

TEST_P(MetadataStoreConformance, RemoveRepositoryCascades) {
    const RepoId gone = create_repo("gone");
    const RepoId kept = create_repo("kept");
    const auto m = manifest("m");
    const UploadId upload_gone = UploadId::generate();
    const UploadId upload_kept = UploadId::generate();
    for (RepoId id : {gone, kept}) {
        put_manifest(id, m, {{digest_of("layer"), RefKind::blob}});
        put_tag(id, "latest", m.digest);
        write(
            [&](MetadataTx& tx) { return tx.blob_links().link(id, digest_of("layer"), 5, at(0)); });
        write([&](MetadataTx& tx) {
            return tx.uploads().create({id == gone ? upload_gone : upload_kept, id, at(0), at(0)});
        });
    }
    write([&](MetadataTx& tx) { return tx.repositories().remove(gone, at(1)); });
    write([&](MetadataTx& tx) { return tx.repositories().remove(gone, at(1)); });  // idempotent
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.repositories().find(repo("gone")).value());
        EXPECT_FALSE(tx.manifests().find(gone, m.digest).value());
        EXPECT_FALSE(tx.tags().find(gone, tag("latest")).value());
        EXPECT_FALSE(tx.blob_links().find(gone, digest_of("layer")).value());
        EXPECT_FALSE(tx.manifests().blob_referenced(gone, digest_of("layer")).value());
        EXPECT_FALSE(tx.uploads().find(upload_gone).value());

        EXPECT_TRUE(tx.repositories().find(repo("kept")).value());
        EXPECT_TRUE(tx.manifests().find(kept, m.digest).value());
        EXPECT_TRUE(tx.tags().find(kept, tag("latest")).value());
        EXPECT_TRUE(tx.blob_links().find(kept, digest_of("layer")).value());
        EXPECT_TRUE(tx.uploads().find(upload_kept).value());
        return ok();
    });
    // The name can be taken again, by a new repository.
    EXPECT_NE(create_repo("gone"), 0);
}

// ---- manifests ----

TEST_P(MetadataStoreConformance, ManifestRoundTripsEveryField) {
    const RepoId id = create_repo("app");
    ManifestRecord m = manifest(std::string("payload with \0 nul", 17), digest_of("subject"));
    m.last_pulled_at = at(99);
    ManifestRecord bare = manifest("bare");
    bare.config_digest.reset();
    bare.artifact_type = "";
    bare.annotations_json = "{}";
    put_manifest(id, m);
    put_manifest(id, bare);
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.manifests().find(id, m.digest).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->digest, m.digest);
        EXPECT_EQ(found->media_type, m.media_type);
        EXPECT_EQ(found->payload, m.payload);
        EXPECT_EQ(found->config_digest, m.config_digest);
        EXPECT_EQ(found->subject, m.subject);
        EXPECT_EQ(found->artifact_type, m.artifact_type);
        EXPECT_EQ(found->annotations_json, m.annotations_json);
        EXPECT_EQ(found->pushed_at, m.pushed_at);
        EXPECT_EQ(found->last_pulled_at, m.last_pulled_at);

        auto other = tx.manifests().find(id, bare.digest).value();
        EXPECT_TRUE(other);
        EXPECT_FALSE(other->config_digest);
        EXPECT_FALSE(other->subject);
        EXPECT_FALSE(other->last_pulled_at);
        EXPECT_EQ(other->annotations_json, "{}");

        EXPECT_FALSE(tx.manifests().find(id, digest_of("absent")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ManifestPutIsIdempotent) {
    const RepoId id = create_repo("app");
    ManifestRecord m = manifest("m");
    put_manifest(id, m, {{digest_of("layer"), RefKind::blob}});
    m.pushed_at = at(500);
    put_manifest(id, m, {{digest_of("layer"), RefKind::blob}});
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.manifests().find(id, m.digest).value()->pushed_at, at(0));  // first wins
        EXPECT_EQ(tx.manifests().parents(id, digest_of("layer")).value(),
                  std::vector<Digest>{m.digest});
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ManifestsAreScopedPerRepository) {
    const RepoId a = create_repo("a");
    const RepoId b = create_repo("b");
    put_manifest(a, manifest("m"));
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.manifests().find(a, digest_of("m")).value());
        EXPECT_FALSE(tx.manifests().find(b, digest_of("m")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, FindByTag) {
    const RepoId id = create_repo("app");
    const auto m = manifest("m");
    put_manifest(id, m);
    put_tag(id, "v1", m.digest);
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.manifests().find_by_tag(id, tag("v1")).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->digest, m.digest);
        EXPECT_EQ(found->payload, m.payload);
        EXPECT_FALSE(tx.manifests().find_by_tag(id, tag("v2")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, RemoveManifestRemovesItsTagsAndReferences) {
    const RepoId id = create_repo("app");
    const auto m = manifest("m");
    const auto other = manifest("other");
    put_manifest(id, m, {{digest_of("layer"), RefKind::blob}});
    put_manifest(id, other);
    put_tag(id, "a", m.digest);
    put_tag(id, "b", m.digest);
    put_tag(id, "c", other.digest);
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.manifests().remove(id, m.digest, at(1)).value());
        EXPECT_FALSE(tx.manifests().remove(id, m.digest, at(1)).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.manifests().find(id, m.digest).value());
        EXPECT_FALSE(tx.tags().find(id, tag("a")).value());
        EXPECT_FALSE(tx.tags().find(id, tag("b")).value());
        EXPECT_TRUE(tx.tags().tags_of(id, m.digest).value().empty());
        EXPECT_TRUE(tx.manifests().parents(id, digest_of("layer")).value().empty());
        EXPECT_FALSE(tx.manifests().blob_referenced(id, digest_of("layer")).value());
        EXPECT_TRUE(tx.tags().find(id, tag("c")).value());
        EXPECT_EQ(strs(tx.tags().list(id, std::nullopt, 10).value()),
                  std::vector<std::string>{"c"});
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ReferrersOrderedByDigestFilteredBySubject) {
    const RepoId id = create_repo("app");
    const RepoId other_repo = create_repo("other");
    const Digest subject = digest_of("subject");
    std::vector<ManifestRecord> referrers;
    for (int i = 0; i < 5; ++i) {
        referrers.push_back(manifest("sig " + std::to_string(i), subject));
        referrers.back().artifact_type = "application/vnd.example." + std::to_string(i);
        put_manifest(id, referrers.back());
    }
    put_manifest(id, manifest("unrelated", digest_of("another subject")));
    put_manifest(id, manifest("no subject"));
    put_manifest(other_repo, manifest("elsewhere", subject));
    std::sort(referrers.begin(), referrers.end(),
              [](const auto& l, const auto& r) { return l.digest < r.digest; });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.manifests().referrers(id, subject).value();
        EXPECT_EQ(found.size(), referrers.size());
        for (std::size_t i = 0; i < std::min(found.size(), referrers.size()); ++i) {
            EXPECT_EQ(found[i].digest, referrers[i].digest);
            EXPECT_EQ(found[i].media_type, referrers[i].media_type);
            EXPECT_EQ(found[i].size, referrers[i].payload.size());
            EXPECT_EQ(found[i].artifact_type, referrers[i].artifact_type);
            EXPECT_EQ(found[i].annotations_json, referrers[i].annotations_json);
        }
        EXPECT_TRUE(tx.manifests().referrers(id, digest_of("nothing")).value().empty());
        EXPECT_EQ(tx.manifests().referrers(other_repo, subject).value().size(), 1u);
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ParentsAndBlobReferenced) {
    const RepoId id = create_repo("app");
    const RepoId other_repo = create_repo("other");
    const auto image = manifest("image");
    const auto index1 = manifest("index 1");
    const auto index2 = manifest("index 2");
    put_manifest(id, image,
                 {{*image.config_digest, RefKind::blob}, {digest_of("l"), RefKind::blob}});
    put_manifest(id, index2, {{image.digest, RefKind::manifest}});
    put_manifest(id, index1, {{image.digest, RefKind::manifest}});
    read([&](MetadataTx& tx) -> Result<void> {
        auto parents = tx.manifests().parents(id, image.digest).value();
        std::vector<Digest> expected{index1.digest, index2.digest};
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(parents, expected);
        EXPECT_EQ(tx.manifests().parents(id, digest_of("l")).value(),
                  std::vector<Digest>{image.digest});
        EXPECT_TRUE(tx.manifests().parents(id, index1.digest).value().empty());
        EXPECT_TRUE(tx.manifests().parents(other_repo, image.digest).value().empty());

        EXPECT_TRUE(tx.manifests().blob_referenced(id, digest_of("l")).value());
        EXPECT_TRUE(tx.manifests().blob_referenced(id, *image.config_digest).value());
        EXPECT_FALSE(tx.manifests().blob_referenced(id, digest_of("unused")).value());
        EXPECT_FALSE(tx.manifests().blob_referenced(other_repo, digest_of("l")).value());
        return ok();
    });
}

// ---- tags ----

TEST_P(MetadataStoreConformance, TagPutReturnsThePreviousTarget) {
    const RepoId id = create_repo("app");
    const auto a = manifest("a");
    const auto b = manifest("b");
    put_manifest(id, a);
    put_manifest(id, b);
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.tags().put(id, tag("latest"), a.digest, at(1)).value(), std::nullopt);
        EXPECT_EQ(tx.tags().put(id, tag("latest"), b.digest, at(2)).value(), a.digest);
        EXPECT_EQ(tx.tags().put(id, tag("latest"), b.digest, at(3)).value(), b.digest);
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.tags().find(id, tag("latest")).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->name, tag("latest"));
        EXPECT_EQ(found->digest, b.digest);
        EXPECT_EQ(found->updated_at, at(3));
        EXPECT_FALSE(tx.tags().find(id, tag("other")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, TagToAnAbsentManifestIsManifestUnknown) {
    const RepoId id = create_repo("app");
    auto result = store().write([&](MetadataTx& tx) -> Result<void> {
        auto put = tx.tags().put(id, tag("latest"), digest_of("absent"), at(1));
        if (!put) {
            return put.error();
        }
        return ok();
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::manifest_unknown);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.tags().find(id, tag("latest")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, TagRemove) {
    const RepoId id = create_repo("app");
    const auto m = manifest("m");
    put_manifest(id, m);
    put_tag(id, "v1", m.digest);
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.tags().remove(id, tag("v1")).value());
        EXPECT_FALSE(tx.tags().remove(id, tag("v1")).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.tags().find(id, tag("v1")).value());
        EXPECT_TRUE(tx.manifests().find(id, m.digest).value());  // the manifest stays
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ListTagsInByteOrderWithPagination) {
    const RepoId id = create_repo("app");
    const RepoId other_repo = create_repo("other");
    const auto m = manifest("m");
    put_manifest(id, m);
    put_manifest(other_repo, m);
    for (const char* t : {"a", "_x", "10", "1.0-rc", "A", "2", "1.0", "latest"}) {
        put_tag(id, t, m.digest);
    }
    put_tag(other_repo, "zzz", m.digest);
    const std::vector<std::string> sorted{"1.0", "1.0-rc", "10", "2", "A", "_x", "a", "latest"};
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(strs(tx.tags().list(id, std::nullopt, 100).value()), sorted);
        EXPECT_EQ(strs(tx.tags().list(id, std::nullopt, 2).value()),
                  (std::vector<std::string>{"1.0", "1.0-rc"}));
        EXPECT_EQ(strs(tx.tags().list(id, tag("1.0-rc"), 3).value()),
                  (std::vector<std::string>{"10", "2", "A"}));
        EXPECT_EQ(strs(tx.tags().list(id, tag("B"), 10).value()),
                  (std::vector<std::string>{"_x", "a", "latest"}));
        EXPECT_TRUE(tx.tags().list(id, tag("latest"), 10).value().empty());
        EXPECT_TRUE(tx.tags().list(id, std::nullopt, 0).value().empty());
        EXPECT_EQ(strs(tx.tags().list(other_repo, std::nullopt, 10).value()),
                  std::vector<std::string>{"zzz"});
        return ok();
    });
}

TEST_P(MetadataStoreConformance, TagsOf) {
    const RepoId id = create_repo("app");
    const auto a = manifest("a");
    const auto b = manifest("b");
    put_manifest(id, a);
    put_manifest(id, b);
    put_tag(id, "v2", a.digest);
    put_tag(id, "v1", a.digest);
    put_tag(id, "other", b.digest);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(strs(tx.tags().tags_of(id, a.digest).value()),
                  (std::vector<std::string>{"v1", "v2"}));
        EXPECT_EQ(strs(tx.tags().tags_of(id, b.digest).value()), std::vector<std::string>{"other"});
        EXPECT_TRUE(tx.tags().tags_of(id, digest_of("none")).value().empty());
        return ok();
    });
}

// ---- blob links ----

TEST_P(MetadataStoreConformance, BlobLinks) {
    const RepoId a = create_repo("a");
    const RepoId b = create_repo("b");
    const Digest layer = digest_of("layer");
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.blob_links().find(a, layer).value());
        EXPECT_TRUE(tx.blob_links().link(a, layer, 1234, at(1)));
        EXPECT_TRUE(tx.blob_links().link(a, layer, 1234, at(2)));  // idempotent
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.blob_links().find(a, layer).value(), std::optional<std::uint64_t>{1234});
        EXPECT_FALSE(tx.blob_links().find(b, layer).value());  // readable only where linked
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.blob_links().unlink(a, layer, at(1)).value());
        EXPECT_FALSE(tx.blob_links().unlink(a, layer, at(1)).value());
        EXPECT_FALSE(tx.blob_links().unlink(b, layer, at(1)).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.blob_links().find(a, layer).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, BlobLinkSizeBeyond32Bits) {
    const RepoId id = create_repo("app");
    const std::uint64_t size = (std::uint64_t{1} << 40) + 7;
    write([&](MetadataTx& tx) { return tx.blob_links().link(id, digest_of("big"), size, at(0)); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.blob_links().find(id, digest_of("big")).value(),
                  std::optional<std::uint64_t>{size});
        return ok();
    });
}

// ---- uploads ----

TEST_P(MetadataStoreConformance, Uploads) {
    const RepoId id = create_repo("app");
    const UploadId upload = UploadId::generate();
    write([&](MetadataTx& tx) { return tx.uploads().create({upload, id, at(1), at(1)}); });
    write([&](MetadataTx& tx) { return tx.uploads().touch(upload, at(5)); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto found = tx.uploads().find(upload).value();
        EXPECT_TRUE(found);
        EXPECT_EQ(found->id, upload);
        EXPECT_EQ(found->repo_id, id);
        EXPECT_EQ(found->started_at, at(1));
        EXPECT_EQ(found->updated_at, at(5));
        EXPECT_FALSE(tx.uploads().find(UploadId::generate()).value());
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.uploads().remove(upload).value());
        EXPECT_FALSE(tx.uploads().remove(upload).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.uploads().find(upload).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, TouchUnknownUploadIsBlobUploadUnknown) {
    auto result = store().write(
        [&](MetadataTx& tx) { return tx.uploads().touch(UploadId::generate(), at(1)); });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::blob_upload_unknown);
}

// ---- transactions ----

TEST_P(MetadataStoreConformance, WriteRollsBackOnErrorAndPassesItThrough) {
    const auto m = manifest("m");
    UploadId upload = UploadId::generate();
    auto result = store().write([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().create(repo("app"), at(0));
        if (!r) {
            return r.error();
        }
        EXPECT_TRUE(tx.manifests().put(r->id, m, {{digest_of("l"), RefKind::blob}}));
        EXPECT_TRUE(tx.tags().put(r->id, tag("latest"), m.digest, at(0)));
        EXPECT_TRUE(tx.blob_links().link(r->id, digest_of("l"), 1, at(0)));
        EXPECT_TRUE(tx.uploads().create({upload, r->id, at(0), at(0)}));
        // Uncommitted writes are visible inside the transaction itself.
        EXPECT_TRUE(tx.manifests().find_by_tag(r->id, tag("latest")).value());
        return Error{Errc::denied, "changed my mind"};
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::denied);
    EXPECT_EQ(result.error().message, "changed my mind");
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.repositories().find(repo("app")).value());
        EXPECT_TRUE(tx.repositories().list(std::nullopt, 10).value().empty());
        EXPECT_FALSE(tx.uploads().find(upload).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, WriteRollsBackOnException) {
    auto result = store().write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.repositories().create(repo("app"), at(0)));
        throw std::runtime_error("boom");
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::internal);
    EXPECT_NE(result.error().message.find("boom"), std::string::npos);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.repositories().find(repo("app")).value());
        return ok();
    });
    EXPECT_NE(create_repo("app"), 0);  // the store is still usable
}

TEST_P(MetadataStoreConformance, ReadErrorIsPassedThrough) {
    auto result = store().read([&](MetadataTx&) -> Result<void> {
        return Error{Errc::name_unknown, "no such repo"};
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::name_unknown);
}

TEST_P(MetadataStoreConformance, ReadCannotWrite) {
    auto result = store().read([&](MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().create(repo("app"), at(0));
        if (!r) {
            return r.error();
        }
        return ok();
    });
    EXPECT_FALSE(result);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.repositories().find(repo("app")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ReadSeesCommittedData) {
    const RepoId id = create_repo("app");
    const auto m = manifest("m");
    put_manifest(id, m);
    put_tag(id, "latest", m.digest);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.manifests().find_by_tag(id, tag("latest")).value()->digest, m.digest);
        return ok();
    });
}

TEST_P(MetadataStoreConformance, DataSurvivesReopening) {
    const RepoId id = create_repo("app");
    const auto m = manifest("m", digest_of("s"));
    put_manifest(id, m, {{digest_of("l"), RefKind::blob}});
    put_tag(id, "latest", m.digest);
    harness_->reopen();
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.repositories().find(repo("app")).value()->id, id);
        EXPECT_EQ(tx.manifests().find_by_tag(id, tag("latest")).value()->payload, m.payload);
        EXPECT_EQ(tx.manifests().referrers(id, digest_of("s")).value().size(), 1u);
        EXPECT_TRUE(tx.manifests().blob_referenced(id, digest_of("l")).value());
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ReadIsASnapshotAndDoesNotBlockWrites) {
    const RepoId id = create_repo("app");
    std::promise<void> snapshot_taken;
    std::promise<void> write_done;
    auto write_done_future = write_done.get_future();
    std::thread reader([&] {
        auto result = store().read([&](MetadataTx& tx) -> Result<void> {
            EXPECT_TRUE(tx.tags().list(id, std::nullopt, 10).value().empty());
            snapshot_taken.set_value();
            EXPECT_EQ(write_done_future.wait_for(std::chrono::seconds(20)),
                      std::future_status::ready)
                << "a write waited for a read";
            EXPECT_TRUE(tx.tags().list(id, std::nullopt, 10).value().empty());  // same snapshot
            EXPECT_FALSE(tx.manifests().find(id, digest_of("m")).value());
            return ok();
        });
        EXPECT_TRUE(result) << result.error().message;
    });
    snapshot_taken.get_future().wait();
    put_manifest(id, manifest("m"));
    put_tag(id, "latest", digest_of("m"));
    write_done.set_value();
    reader.join();
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.tags().list(id, std::nullopt, 10).value().size(), 1u);
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ConcurrentReadersWithAWriter) {
    const RepoId id = create_repo("app");
    constexpr int kTags = 150;
    constexpr int kReaders = 4;
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&] {
            std::size_t last_seen = 0;
            while (!done.load()) {
                auto result = store().read([&](MetadataTx& tx) -> Result<void> {
                    auto tags = tx.tags().list(id, std::nullopt, 1000);
                    if (!tags) {
                        return tags.error();
                    }
                    if (tags->size() < last_seen) {  // committed data never disappears
                        return Error{Errc::internal, "went back in time"};
                    }
                    last_seen = tags->size();
                    for (const auto& t : *tags) {  // every tag resolves in the same snapshot
                        auto m = tx.manifests().find_by_tag(id, t);
                        if (!m || !*m) {
                            return Error{Errc::internal, "dangling tag " + t.str()};
                        }
                    }
                    return ok();
                });
                if (!result) {
                    ADD_FAILURE() << result.error().message;
                    failures.fetch_add(1);
                    return;
                }
            }
        });
    }
    for (int i = 0; i < kTags; ++i) {
        const auto m = manifest("m" + std::to_string(i));
        auto result = store().write([&](MetadataTx& tx) -> Result<void> {
            if (auto put = tx.manifests().put(id, m, {}); !put) {
                return put;
            }
            auto t = tx.tags().put(id, tag("t" + std::to_string(i)), m.digest, at(i));
            if (!t) {
                return t.error();
            }
            return ok();
        });
        ASSERT_TRUE(result) << result.error().message;
    }
    done.store(true);
    for (auto& thread : readers) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.tags().list(id, std::nullopt, 1000).value().size(),
                  static_cast<std::size_t>(kTags));
        return ok();
    });
}

TEST_P(MetadataStoreConformance, ConcurrentWritersAreSerialised) {
    constexpr int kThreads = 4;
    constexpr int kEach = 25;
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const std::string name = "r" + std::to_string(t) + "-" + std::to_string(i);
                auto result = store().write([&](MetadataTx& tx) -> Result<void> {
                    auto r = tx.repositories().create(repo(name), at(0));
                    if (!r) {
                        return r.error();
                    }
                    // read-modify-write inside one transaction: a counter blob link
                    auto shared = tx.repositories().create(repo("shared"), at(0));
                    if (!shared) {
                        return shared.error();
                    }
                    auto size = tx.blob_links().find(shared->id, digest_of("counter"));
                    if (!size) {
                        return size.error();
                    }
                    const std::uint64_t next = size->value_or(0) + 1;
                    if (*size) {
                        if (auto u = tx.blob_links().unlink(shared->id, digest_of("counter"), at(1)); !u) {
                            return u.error();
                        }
                    }
                    return tx.blob_links().link(shared->id, digest_of("counter"), next, at(0));
                });
                EXPECT_TRUE(result) << result.error().message;
            }
        });
    }
    for (auto& thread : writers) {
        thread.join();
    }
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.repositories().list(std::nullopt, 1000).value().size(),
                  static_cast<std::size_t>(kThreads * kEach + 1));
        auto shared = tx.repositories().find(repo("shared")).value();
        EXPECT_EQ(tx.blob_links().find(shared->id, digest_of("counter")).value(),
                  std::optional<std::uint64_t>{kThreads * kEach});
        return ok();
    });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MetadataStoreConformance, ::testing::Values(&make_sqlite));

}  // namespace
}  // namespace wharf::storage
