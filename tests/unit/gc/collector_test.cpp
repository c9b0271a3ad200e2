// gc::Collector over a real SQLite file and a real filesystem blob store in a temp dir, with a
// FakeClock. Pushes are played with the storage tables the way the registry does them: bytes
// stored, then linked in a transaction that checks they are still there, then the manifest put
// in a transaction that checks every blob is linked (src/registry/uploads.cpp, manifests.cpp).
#include "gc/collector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "storage/blob/fs/fs_blob_store.hpp"
#include "storage/meta/sqlite/sqlite_metadata_store.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace wharf::gc {
namespace {

using namespace std::chrono_literals;
using model::Digest;
using model::UploadId;
using storage::MetadataTx;
using storage::RepoId;

constexpr std::chrono::milliseconds kGrace = 1h;
constexpr std::chrono::milliseconds kUploadMaxAge = 2h;

std::span<const std::byte> bytes_of(std::string_view s) {
    return std::as_bytes(std::span{s.data(), s.size()});
}

std::vector<Digest> sorted(std::vector<Digest> digests) {
    std::sort(digests.begin(), digests.end());
    return digests;
}

// Runs `after_first_read` once, right after the first read() returns: for the collector, between
// reading which reviews are due and the write transaction that acts on them.
class HookedStore final : public storage::MetadataStore {
public:
    explicit HookedStore(storage::MetadataStore& inner) : inner_(inner) {}
    Result<void> read(const TxFn& fn) override {
        auto result = inner_.read(fn);
        if (after_first_read) {
            auto hook = std::move(after_first_read);
            after_first_read = nullptr;
            hook();
        }
        return result;
    }
    Result<void> write(const TxFn& fn) override { return inner_.write(fn); }

    std::function<void()> after_first_read;

private:
    storage::MetadataStore& inner_;
};

// Forwards to a real store; remove() of one chosen blob fails (a disk or network error).
class FailingRemoveStore final : public storage::BlobStore {
public:
    FailingRemoveStore(storage::BlobStore& inner, Digest failing)
        : inner_(inner), failing_(std::move(failing)) {}
    Result<storage::BlobInfo> stat(const Digest& d) override { return inner_.stat(d); }
    Result<std::unique_ptr<storage::BlobReader>> open(
        const Digest& d, std::optional<model::ByteSpan> span) override {
        return inner_.open(d, span);
    }
    Result<std::unique_ptr<storage::BlobWriter>> create_upload(const UploadId& id) override {
        return inner_.create_upload(id);
    }
    Result<std::unique_ptr<storage::BlobWriter>> resume_upload(const UploadId& id) override {
        return inner_.resume_upload(id);
    }
    Result<storage::BlobInfo> put(std::span<const std::byte> bytes) override {
        return inner_.put(bytes);
    }
    Result<void> remove(const Digest& d) override {
        if (d == failing_) {
            return Error{Errc::internal, "injected: cannot remove " + d.str()};
        }
        return inner_.remove(d);
    }

private:
    storage::BlobStore& inner_;
    Digest failing_;
};

class CollectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        meta_ = std::move(
            storage::open_sqlite_metadata_store(dir_.path() / "meta.db", {.full_sync = false})
                .value());
        blobs_ = std::move(storage::open_fs_blob_store(blobs_root()).value());
        app_ = create_repo("app");
    }

    static Options options(std::chrono::milliseconds grace = kGrace) {
        return Options{.grace = grace, .upload_max_age = kUploadMaxAge, .batch = 1000};
    }
    std::filesystem::path blobs_root() const { return dir_.path() / "blobs"; }

    Report collect(bool dry_run = false, Options o = options()) {
        Collector collector(*blobs_, *meta_, clock_, o);
        auto report = collector.collect(dry_run);
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : Report{};
    }

    void write(const storage::MetadataStore::TxFn& fn) {
        auto result = meta_->write(fn);
        ASSERT_TRUE(result) << result.error().message;
    }
    void read(const storage::MetadataStore::TxFn& fn) {
        auto result = meta_->read(fn);
        ASSERT_TRUE(result) << result.error().message;
    }

    RepoId create_repo(std::string_view name) {
        RepoId id = 0;
        write([&](MetadataTx& tx) -> Result<void> {
            auto r = tx.repositories().create(model::RepoName::parse(name).value(), clock_.now());
            if (!r) {
                return r.error();
            }
            id = r->id;
            return ok();
        });
        return id;
    }

    // Stores the bytes and links them to the repository, in a transaction that first checks the
    // bytes are still there (a collection may have deleted them since); nullopt when they were
    // not, like a push that must upload again.
    std::optional<Digest> try_push_blob(RepoId repo, std::string_view content) {
        auto info = blobs_->put(bytes_of(content));
        if (!info) {
            ADD_FAILURE() << info.error().message;
            return std::nullopt;
        }
        // As UploadService::complete links an upload: refused while the collector has the blob
        // marked for deletion, or when its bytes are gone.
        auto linked = meta_->write([&](MetadataTx& tx) -> Result<void> {
            auto deleting = tx.blob_reviews().is_deleting(info->digest);
            if (!deleting) {
                return deleting.error();
            }
            if (*deleting) {
                return Error{Errc::blob_unknown, "marked for deletion"};
            }
            if (auto still = blobs_->stat(info->digest); !still) {
                return still.error();
            }
            return tx.blob_links().link(repo, info->digest, info->size, clock_.now());
        });
        if (!linked) {
            EXPECT_EQ(linked.error().code, Errc::blob_unknown) << linked.error().message;
            return std::nullopt;
        }
        return info->digest;
    }
    Digest push_blob(RepoId repo, std::string_view content) {
        auto d = try_push_blob(repo, content);
        EXPECT_TRUE(d);
        return d.value_or(Digest::of(content));
    }

    // Puts the manifest if every blob is linked to the repository (Errc::manifest_blob_unknown
    // otherwise), as the registry's manifest push does.
    Result<void> try_push_image(RepoId repo, std::string_view payload,
                                const std::vector<Digest>& blobs,
                                std::optional<Digest> subject = std::nullopt) {
        storage::ManifestRecord m{.digest = Digest::of(payload),
                                  .media_type = "application/vnd.oci.image.manifest.v1+json",
                                  .payload = std::string(payload),
                                  .config_digest = std::nullopt,
                                  .subject = std::move(subject),
                                  .artifact_type = "",
                                  .annotations_json = "{}",
                                  .pushed_at = clock_.now(),
                                  .last_pulled_at = std::nullopt,
                                  .image_size = 0};
        std::vector<storage::ManifestRef> refs;
        for (const Digest& d : blobs) {
            refs.push_back({d, storage::RefKind::blob});
        }
        return meta_->write([&](MetadataTx& tx) -> Result<void> {
            for (const Digest& d : blobs) {
                auto link = tx.blob_links().find(repo, d);
                if (!link) {
                    return link.error();
                }
                if (!*link) {
                    return Error{Errc::manifest_blob_unknown, "blob not linked: " + d.str()};
                }
                m.image_size += **link;
            }
            return tx.manifests().put(repo, m, refs);
        });
    }
    Digest push_image(RepoId repo, std::string_view payload, const std::vector<Digest>& blobs,
                      std::optional<Digest> subject = std::nullopt) {
        auto pushed = try_push_image(repo, payload, blobs, std::move(subject));
        EXPECT_TRUE(pushed) << pushed.error().message;
        return Digest::of(payload);
    }
    void remove_image(RepoId repo, const Digest& manifest) {
        write([&](MetadataTx& tx) -> Result<void> {
            auto removed = tx.manifests().remove(repo, manifest, clock_.now());
            if (!removed) {
                return removed.error();
            }
            EXPECT_TRUE(*removed);
            return ok();
        });
    }

    bool stored(const Digest& d) {
        auto info = blobs_->stat(d);
        if (!info && info.error().code != Errc::blob_unknown) {
            ADD_FAILURE() << info.error().message;
        }
        return info.has_value();
    }
    // The committed blob's file, as fs_blob_store.hpp lays it out.
    std::filesystem::path blob_file(const Digest& d) const {
        const std::string hex(d.hex());
        return blobs_root() / "blobs" / "sha256" / hex.substr(0, 2) / hex;
    }
    bool linked(RepoId repo, const Digest& d) {
        bool found = false;
        read([&](MetadataTx& tx) -> Result<void> {
            auto size = tx.blob_links().find(repo, d);
            if (!size) {
                return size.error();
            }
            found = size->has_value();
            return ok();
        });
        return found;
    }
    std::uint64_t pending() {
        std::uint64_t n = 0;
        read([&](MetadataTx& tx) -> Result<void> {
            auto p = tx.blob_reviews().pending();
            if (!p) {
                return p.error();
            }
            n = *p;
            return ok();
        });
        return n;
    }

    // Starts an upload session with some bytes saved, recorded as last written `at`.
    UploadId start_upload(RepoId repo, std::string_view content, TimePoint at) {
        const UploadId id = UploadId::generate();
        auto writer = blobs_->create_upload(id);
        EXPECT_TRUE(writer) << writer.error().message;
        if (writer) {
            EXPECT_TRUE((*writer)->append(bytes_of(content)));
            EXPECT_TRUE((*writer)->save());
        }
        write([&](MetadataTx& tx) {
            return tx.uploads().create(storage::UploadRecord{id, repo, at, at, 0});
        });
        return id;
    }
    bool upload_row(const UploadId& id) {
        bool found = false;
        read([&](MetadataTx& tx) -> Result<void> {
            auto u = tx.uploads().find(id);
            if (!u) {
                return u.error();
            }
            found = u->has_value();
            return ok();
        });
        return found;
    }
    // Bytes the upload holds in the blob store; nullopt when the session is gone.
    std::optional<std::uint64_t> upload_bytes(const UploadId& id) {
        auto writer = blobs_->resume_upload(id);
        if (!writer) {
            EXPECT_EQ(writer.error().code, Errc::blob_upload_unknown) << writer.error().message;
            return std::nullopt;
        }
        return (*writer)->size();
    }

    testing::TempDir dir_;
    testing::FakeClock clock_;
    std::unique_ptr<storage::MetadataStore> meta_;
    std::unique_ptr<storage::BlobStore> blobs_;
    RepoId app_ = 0;
};

TEST_F(CollectorTest, EmptyStoreCollectsNothing) {
    const Report report = collect();
    EXPECT_FALSE(report.dry_run);
    EXPECT_EQ(report.reviewed, 0u);
    EXPECT_EQ(report.blobs_deleted, 0u);
    EXPECT_EQ(report.uploads_removed, 0u);
    EXPECT_EQ(report.pending, 0u);
    EXPECT_TRUE(report.deleted.empty());
}

TEST_F(CollectorTest, LinkedAndReferencedBlobIsNeverDeleted) {
    const Digest config = push_blob(app_, "config");
    const Digest layer = push_blob(app_, "layer bytes");
    push_image(app_, "image", {config, layer});

    clock_.advance(kGrace);
    const Report first = collect();
    EXPECT_EQ(first.reviewed, 2u);  // the new links' reviews came due
    EXPECT_EQ(first.links_dropped, 0u);
    EXPECT_EQ(first.blobs_deleted, 0u);
    EXPECT_EQ(first.pending, 0u);
    for (int i = 0; i < 3; ++i) {
        clock_.advance(10 * kGrace);
        const Report again = collect();
        EXPECT_EQ(again.reviewed, 0u);
        EXPECT_EQ(again.blobs_deleted, 0u);
    }
    EXPECT_TRUE(stored(config));
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, config));
    EXPECT_TRUE(linked(app_, layer));
}

TEST_F(CollectorTest, BlobOfARemovedManifestIsDeletedOnlyAfterTheGrace) {
    const std::string content = "a layer of 21 bytes..";
    const Digest layer = push_blob(app_, content);
    const Digest image = push_image(app_, "image", {layer});
    clock_.advance(kGrace);
    ASSERT_EQ(collect().reviewed, 1u);  // the link's own review: referenced, kept

    clock_.advance(5min);
    remove_image(app_, image);
    ASSERT_EQ(pending(), 1u);

    clock_.advance(kGrace - 1ms);
    const Report early = collect();
    EXPECT_EQ(early.reviewed, 0u);
    EXPECT_EQ(early.blobs_deleted, 0u);
    EXPECT_EQ(early.pending, 1u);
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, layer));

    clock_.advance(1ms);  // quiet for exactly the grace: due
    const Report due = collect();
    EXPECT_EQ(due.reviewed, 1u);
    EXPECT_EQ(due.links_dropped, 1u);
    EXPECT_EQ(due.blobs_deleted, 1u);
    EXPECT_EQ(due.bytes_freed, content.size());
    EXPECT_EQ(due.deleted, std::vector<Digest>{layer});
    EXPECT_EQ(due.pending, 0u);  // dropping the link re-queued nothing
    EXPECT_FALSE(stored(layer));
    EXPECT_FALSE(std::filesystem::exists(blob_file(layer)));
    EXPECT_FALSE(linked(app_, layer));

    const Report after = collect();
    EXPECT_EQ(after.reviewed, 0u);
    EXPECT_EQ(after.blobs_deleted, 0u);
}

TEST_F(CollectorTest, ScansOfDeletedImagesAndAnalysesOfDeletedLayersGo) {
    const Digest layer = push_blob(app_, "a layer the scanner analysed");
    const Digest kept_layer = push_blob(app_, "a layer another image keeps");
    const Digest image = push_image(app_, "scanned image", {layer});
    const Digest other = push_image(app_, "still here", {kept_layer});
    write([&](MetadataTx& tx) -> Result<void> {
        for (const Digest& d : {image, other}) {
            storage::ImageScanRecord scan(d, model::RepoName::parse("app").value());
            scan.status = "COMPLETE";
            scan.queued_at = clock_.now();
            if (auto put = tx.scans().put(scan); !put) {
                return put;
            }
        }
        if (auto put = tx.scans().put_layer(layer, 2, "{}", clock_.now()); !put) {
            return put;
        }
        return tx.scans().put_layer(kept_layer, 2, "{}", clock_.now());
    });
    const auto scanned = [&](const Digest& d) {
        bool found = false;
        read([&](MetadataTx& tx) -> Result<void> {
            found = tx.scans().find(d).value().has_value();
            return ok();
        });
        return found;
    };
    const auto analysed = [&](const Digest& d) {
        bool found = false;
        read([&](MetadataTx& tx) -> Result<void> {
            found = tx.scans().find_layer(d, 2).value().has_value();
            return ok();
        });
        return found;
    };
    EXPECT_EQ(collect().scans_removed, 0u);

    remove_image(app_, image);
    const Report preview = collect(/*dry_run=*/true);
    EXPECT_EQ(preview.scans_removed, 1u);
    EXPECT_TRUE(scanned(image));
    // The scan goes at the next collection; the layer's analysis once its bytes go (the grace).
    EXPECT_EQ(collect().scans_removed, 1u);
    EXPECT_FALSE(scanned(image));
    EXPECT_TRUE(scanned(other));
    EXPECT_TRUE(analysed(layer));
    clock_.advance(kGrace);
    const Report due = collect();
    EXPECT_EQ(due.deleted, std::vector<Digest>{layer});
    EXPECT_EQ(due.scans_removed, 0u);
    EXPECT_FALSE(analysed(layer));
    EXPECT_TRUE(analysed(kept_layer));
}

TEST_F(CollectorTest, ReferrersOfADeletedImageGoWithTheirChainsAndTheirBlobsFollow) {
    const Digest layer = push_blob(app_, "the image's layer");
    const Digest sbom_blob = push_blob(app_, "an SBOM document");
    const Digest image = push_image(app_, "image", {layer});
    const Digest sbom = push_image(app_, "sbom of image", {sbom_blob}, image);
    const Digest signature = push_image(app_, "signature of the sbom", {}, sbom);
    const auto present = [&](const Digest& d) {
        bool found = false;
        read([&](MetadataTx& tx) -> Result<void> {
            found = tx.manifests().find(app_, d).value().has_value();
            return ok();
        });
        return found;
    };
    clock_.advance(kGrace);
    EXPECT_EQ(collect().referrers_removed, 0u);  // the subject is there

    remove_image(app_, image);
    const Report preview = collect(/*dry_run=*/true);
    EXPECT_EQ(preview.referrers_removed, 1u);  // one snapshot: the signature's turn comes after
    EXPECT_TRUE(present(sbom));
    // The SBOM's subject is gone, then the signature's: both go in one collection.
    const Report run = collect();
    EXPECT_EQ(run.referrers_removed, 2u);
    EXPECT_FALSE(present(sbom));
    EXPECT_FALSE(present(signature));
    EXPECT_TRUE(stored(sbom_blob));  // its blob is reviewed once the grace has passed again
    clock_.advance(kGrace);
    const Report later = collect();
    EXPECT_EQ(later.referrers_removed, 0u);
    EXPECT_EQ(sorted(later.deleted), sorted({layer, sbom_blob}));
    EXPECT_FALSE(stored(sbom_blob));
}

TEST_F(CollectorTest, AReferrerPushedBeforeItsSubjectIsKeptForTheGrace) {
    const Digest subject = Digest::of("an image pushed after its signature");
    const Digest early = push_image(app_, "signature pushed first", {}, subject);
    const Digest listed = push_image(app_, "a referrer an index lists", {}, subject);
    write([&](MetadataTx& tx) -> Result<void> {  // an index listing the referrer
        storage::ManifestRecord index{.digest = Digest::of("index"),
                                      .media_type = "application/vnd.oci.image.index.v1+json",
                                      .payload = "index",
                                      .config_digest = std::nullopt,
                                      .subject = std::nullopt,
                                      .artifact_type = "",
                                      .annotations_json = "{}",
                                      .pushed_at = clock_.now(),
                                      .last_pulled_at = std::nullopt,
                                      .image_size = 0};
        return tx.manifests().put(app_, index, {{listed, storage::RefKind::manifest}});
    });
    clock_.advance(kGrace - 1ms);
    EXPECT_EQ(collect().referrers_removed, 0u);
    clock_.advance(1ms);
    EXPECT_EQ(collect().referrers_removed, 1u);
    bool kept = false;
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.manifests().find(app_, early).value().has_value());
        kept = tx.manifests().find(app_, listed).value().has_value();
        return ok();
    });
    EXPECT_TRUE(kept);
}

TEST_F(CollectorTest, SharedBlobSurvivesDeletionOfOneRepositorysManifest) {
    const RepoId other = create_repo("other");
    const Digest shared = push_blob(app_, "shared base layer");
    const Digest own = push_blob(app_, "own layer");
    const Digest mine = push_image(app_, "image", {shared, own});
    ASSERT_EQ(push_blob(other, "shared base layer"), shared);
    const Digest theirs = push_image(other, "their image", {shared});

    remove_image(app_, mine);
    clock_.advance(kGrace);
    const Report report = collect();
    EXPECT_EQ(report.reviewed, 2u);
    EXPECT_EQ(report.links_dropped, 2u);  // app's links to both blobs
    EXPECT_EQ(report.deleted, std::vector<Digest>{own});
    EXPECT_TRUE(stored(shared));
    EXPECT_FALSE(stored(own));
    EXPECT_FALSE(linked(app_, shared));
    EXPECT_TRUE(linked(other, shared));

    // The last reference goes: now it is garbage.
    remove_image(other, theirs);
    clock_.advance(kGrace);
    const Report last = collect();
    EXPECT_EQ(last.deleted, std::vector<Digest>{shared});
    EXPECT_FALSE(stored(shared));
}

TEST_F(CollectorTest, RepositoryRemovalFreesOnlyWhatNoOtherRepositoryLinks) {
    const RepoId other = create_repo("other");
    const Digest shared = push_blob(app_, "shared");
    const Digest own = push_blob(app_, "own");
    push_image(app_, "image", {shared, own});
    ASSERT_EQ(push_blob(other, "shared"), shared);
    push_image(other, "their image", {shared});
    clock_.advance(kGrace);
    ASSERT_EQ(collect().blobs_deleted, 0u);

    write([&](MetadataTx& tx) { return tx.repositories().remove(app_, clock_.now()); });
    clock_.advance(kGrace);
    const Report report = collect();
    EXPECT_EQ(report.reviewed, 2u);
    EXPECT_EQ(report.deleted, std::vector<Digest>{own});
    EXPECT_EQ(report.bytes_freed, 3u);
    EXPECT_TRUE(stored(shared));
    EXPECT_FALSE(stored(own));
}

TEST_F(CollectorTest, UnreferencedLinkIsDroppedOnlyOnceOlderThanTheGrace) {
    // An upload whose manifest never came.
    const Digest orphan = push_blob(app_, "never referenced");

    clock_.advance(kGrace - 1ms);
    const Report early = collect();
    EXPECT_EQ(early.reviewed, 0u);
    EXPECT_EQ(early.links_dropped, 0u);
    EXPECT_EQ(early.pending, 1u);
    EXPECT_TRUE(stored(orphan));
    EXPECT_TRUE(linked(app_, orphan));

    clock_.advance(1ms);
    const Report due = collect();
    EXPECT_EQ(due.reviewed, 1u);
    EXPECT_EQ(due.links_dropped, 1u);
    EXPECT_EQ(due.deleted, std::vector<Digest>{orphan});
    EXPECT_EQ(due.bytes_freed, std::string_view("never referenced").size());
    EXPECT_FALSE(linked(app_, orphan));
    EXPECT_FALSE(stored(orphan));
}

TEST_F(CollectorTest, ReviewPostponedByANewerLinkIsNotActedOn) {
    const RepoId other = create_repo("other");
    const Digest layer = push_blob(app_, "layer");
    const Digest image = push_image(app_, "image", {layer});
    remove_image(app_, image);  // queued now

    clock_.advance(kGrace / 2);
    ASSERT_EQ(push_blob(other, "layer"), layer);  // a mount: a new link postpones the review

    clock_.advance(kGrace / 2 + 1ms);  // the removal is past the grace; the mount is not
    const Report early = collect();
    EXPECT_EQ(early.reviewed, 0u);
    EXPECT_EQ(early.links_dropped, 0u);
    EXPECT_EQ(early.pending, 1u);
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, layer));
    EXPECT_TRUE(linked(other, layer));

    clock_.advance(kGrace / 2);  // the mount has been quiet for the grace too
    const Report due = collect();
    EXPECT_EQ(due.reviewed, 1u);
    EXPECT_EQ(due.links_dropped, 2u);
    EXPECT_EQ(due.deleted, std::vector<Digest>{layer});
}

TEST_F(CollectorTest, LinkMadeBetweenTheDueReadAndTheWriteKeepsTheBlob) {
    const RepoId other = create_repo("other");
    const Digest layer = push_blob(app_, "layer");
    clock_.advance(kGrace);

    HookedStore hooked(*meta_);
    hooked.after_first_read = [&] { ASSERT_TRUE(try_push_blob(other, "layer")); };
    Collector collector(*blobs_, hooked, clock_, options());
    auto report = collector.collect(false);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->reviewed, 0u);  // the review moved on: nothing is decided on stale facts
    EXPECT_EQ(report->links_dropped, 0u);
    EXPECT_EQ(report->blobs_deleted, 0u);
    EXPECT_EQ(report->pending, 1u);
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, layer));
    EXPECT_TRUE(linked(other, layer));
}

TEST_F(CollectorTest, ManifestPushedBetweenTheDueReadAndTheWriteKeepsItsBlob) {
    const Digest layer = push_blob(app_, "layer");  // uploaded; the manifest is slow to come
    clock_.advance(kGrace);

    HookedStore hooked(*meta_);
    hooked.after_first_read = [&] {
        auto pushed = try_push_image(app_, "image", {layer});
        ASSERT_TRUE(pushed) << pushed.error().message;
    };
    Collector collector(*blobs_, hooked, clock_, options());
    auto report = collector.collect(false);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->reviewed, 1u);
    EXPECT_EQ(report->links_dropped, 0u);
    EXPECT_EQ(report->blobs_deleted, 0u);
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, layer));
}

TEST_F(CollectorTest, SmallBatchesReviewEverythingDue) {
    std::vector<Digest> orphans;
    for (int i = 0; i < 7; ++i) {
        orphans.push_back(push_blob(app_, fmt::format("orphan {}", i)));
    }
    clock_.advance(kGrace);
    Options small = options();
    small.batch = 2;
    const Report report = collect(false, small);
    EXPECT_EQ(report.reviewed, 7u);
    EXPECT_EQ(report.blobs_deleted, 7u);
    EXPECT_EQ(sorted(report.deleted), sorted(orphans));
    EXPECT_EQ(report.pending, 0u);
}

TEST_F(CollectorTest, DryRunReportsWhatARunDoesAndChangesNothing) {
    const TimePoint start = clock_.now();
    const UploadId abandoned = start_upload(app_, "partial", start);
    const Digest x = push_blob(app_, "x: its manifest will go");
    const Digest y = push_blob(app_, "y: uploaded, never referenced");
    const Digest z = push_blob(app_, "z: referenced");
    const Digest mx = push_image(app_, "image x", {x});
    push_image(app_, "image z", {z});
    clock_.advance(kGrace);
    remove_image(app_, mx);
    clock_.advance(kGrace / 2);
    const Digest w = push_blob(app_, "w: too recent");
    clock_.advance(kGrace / 2 + 1ms);
    ASSERT_EQ(pending(), 4u);

    const Report dry = collect(true);
    EXPECT_TRUE(dry.dry_run);
    EXPECT_EQ(dry.reviewed, 3u);  // x, y, z; not w
    EXPECT_EQ(dry.links_dropped, 2u);
    EXPECT_EQ(dry.blobs_deleted, 2u);
    EXPECT_EQ(sorted(dry.deleted), sorted({x, y}));
    EXPECT_EQ(dry.uploads_removed, 1u);
    EXPECT_EQ(dry.pending, 4u);
    // Nothing changed: queue, links, bytes, upload session.
    EXPECT_EQ(pending(), 4u);
    for (const Digest& d : {x, y, z, w}) {
        EXPECT_TRUE(stored(d)) << d.str();
        EXPECT_TRUE(linked(app_, d)) << d.str();
    }
    EXPECT_TRUE(upload_row(abandoned));
    EXPECT_EQ(upload_bytes(abandoned), std::optional<std::uint64_t>{7});
    // A second dry run says the same.
    EXPECT_EQ(sorted(collect(true).deleted), sorted({x, y}));

    const Report run = collect(false);
    EXPECT_FALSE(run.dry_run);
    EXPECT_EQ(run.reviewed, dry.reviewed);
    EXPECT_EQ(run.links_dropped, dry.links_dropped);
    EXPECT_EQ(run.blobs_deleted, dry.blobs_deleted);
    EXPECT_EQ(run.bytes_freed, dry.bytes_freed);
    EXPECT_EQ(sorted(run.deleted), sorted(dry.deleted));
    EXPECT_EQ(run.uploads_removed, dry.uploads_removed);
    EXPECT_EQ(run.pending, 1u);  // w
    EXPECT_FALSE(stored(x));
    EXPECT_FALSE(stored(y));
    EXPECT_TRUE(stored(z));
    EXPECT_TRUE(stored(w));
    EXPECT_FALSE(upload_row(abandoned));
}

TEST_F(CollectorTest, AbandonedUploadsAreRemovedWithTheirBytesFreshOnesStay) {
    const TimePoint start = clock_.now();
    const UploadId abandoned = start_upload(app_, "abandoned", start);
    const UploadId resumed = start_upload(app_, "resumed later", start);
    clock_.advance(90min);
    const UploadId fresh = start_upload(app_, "fresh", clock_.now());
    clock_.advance(15min);
    write([&](MetadataTx& tx) { return tx.uploads().touch(resumed, clock_.now()); });

    clock_.advance(kUploadMaxAge - 105min);  // the abandoned one is exactly the max age old
    EXPECT_EQ(collect().uploads_removed, 0u);
    EXPECT_TRUE(upload_row(abandoned));

    clock_.advance(1ms);
    const Report report = collect();
    EXPECT_EQ(report.uploads_removed, 1u);
    EXPECT_FALSE(upload_row(abandoned));
    EXPECT_EQ(upload_bytes(abandoned), std::nullopt);
    EXPECT_FALSE(std::filesystem::exists(blobs_root() / "uploads" / abandoned.str()));

    EXPECT_TRUE(upload_row(resumed));
    EXPECT_EQ(upload_bytes(resumed), std::optional<std::uint64_t>{13});
    EXPECT_TRUE(upload_row(fresh));
    EXPECT_EQ(upload_bytes(fresh), std::optional<std::uint64_t>{5});
}

TEST_F(CollectorTest, AbandonedUploadsBeyondOneBatchAreAllRemoved) {
    std::vector<UploadId> abandoned;
    for (int i = 0; i < 5; ++i) {
        abandoned.push_back(start_upload(app_, "partial", clock_.now()));
    }
    clock_.advance(kUploadMaxAge + 1ms);
    Options small = options();
    small.batch = 2;
    EXPECT_EQ(collect(false, small).uploads_removed, 5u);
    for (const UploadId& id : abandoned) {
        EXPECT_FALSE(upload_row(id));
        EXPECT_EQ(upload_bytes(id), std::nullopt);
    }
}

// A dry run counts every abandoned upload, however many batches a real run needs.
TEST_F(CollectorTest, DryRunCountsAbandonedUploadsBeyondOneBatch) {
    for (int i = 0; i < 5; ++i) {
        (void)start_upload(app_, "partial", clock_.now());
    }
    clock_.advance(kUploadMaxAge + 1ms);
    Options small = options();
    small.batch = 2;
    const Report dry = collect(true, small);
    const Report run = collect(false, small);
    EXPECT_EQ(run.uploads_removed, 5u);
    EXPECT_EQ(dry.uploads_removed, run.uploads_removed);
}

TEST_F(CollectorTest, ArchivedImagesKeepTheirBlobs) {
    const Digest config = push_blob(app_, "config");
    const Digest layer = push_blob(app_, "layer");
    const Digest image = push_image(app_, "image", {config, layer});
    write([&](MetadataTx& tx) -> Result<void> {
        auto done =
            tx.manifests().set_status(app_, image, storage::ImageStatus::archived, clock_.now());
        if (!done) {
            return done.error();
        }
        EXPECT_TRUE(*done);
        return ok();
    });
    for (int i = 0; i < 3; ++i) {
        clock_.advance(10 * kGrace);
        EXPECT_EQ(collect().blobs_deleted, 0u);
    }
    EXPECT_TRUE(stored(config));
    EXPECT_TRUE(stored(layer));
    EXPECT_TRUE(linked(app_, layer));

    // Restored, it is pullable again: nothing was lost.
    write([&](MetadataTx& tx) -> Result<void> {
        auto done =
            tx.manifests().set_status(app_, image, storage::ImageStatus::active, clock_.now());
        return done ? ok() : Result<void>(done.error());
    });
    clock_.advance(10 * kGrace);
    EXPECT_EQ(collect().blobs_deleted, 0u);
    EXPECT_TRUE(stored(config));
    EXPECT_TRUE(stored(layer));
}

// Bytes go only after the transaction that marks them commits: a collection that fails half way
// (here: removing the second blob's bytes) never leaves a link to missing bytes.
TEST_F(CollectorTest, FailedCollectionLeavesNoLinkToMissingBytes) {
    const Digest first = push_blob(app_, "first orphan");
    clock_.advance(1ms);  // reviewed first: queued earlier
    const Digest second = push_blob(app_, "second orphan");
    clock_.advance(kGrace + 1ms);

    FailingRemoveStore failing(*blobs_, second);
    Collector collector(failing, *meta_, clock_, options());
    auto report = collector.collect(false);
    EXPECT_FALSE(report);  // the injected failure is reported

    // Whatever happened to the transaction, a link must never point to missing bytes.
    EXPECT_TRUE(!linked(app_, first) || stored(first))
        << "the rolled-back collection left app linked to " << first.str()
        << " whose bytes it had already deleted";
    EXPECT_TRUE(!linked(app_, second) || stored(second));
    // What a client would see: a manifest naming it is accepted...
    auto pushed = try_push_image(app_, "image", {first});
    if (pushed) {
        EXPECT_TRUE(stored(first)) << "an acknowledged manifest references a missing blob";
    }
}

// The invariant under concurrency: a collection runs continuously (grace 0, so every review is
// due at once) while pushes link blobs and put manifests, and old images are deleted to make
// garbage. No manifest the store acknowledged may ever reference a blob missing from the store.
TEST_F(CollectorTest, ConcurrentPushesNeverLoseAnAcknowledgedBlob) {
    constexpr int kIterations = 200;
    constexpr int kAttempts = 50;
    std::atomic<bool> stop{false};
    std::atomic<int> collections{0};
    std::atomic<std::uint64_t> deleted{0};
    std::atomic<bool> collector_failed{false};
    std::string collector_error;  // read only after join()
    std::thread background([&] {
        Collector collector(*blobs_, *meta_, clock_, options(0ms));
        while (!stop.load()) {
            auto report = collector.collect(false);
            if (!report) {
                collector_error = report.error().message;
                collector_failed = true;
                return;
            }
            deleted += report->blobs_deleted;
            ++collections;
        }
    });

    struct Acked {
        Digest manifest;
        std::vector<Digest> blobs;
    };
    std::vector<Acked> live;
    int acknowledged = 0;
    int refused = 0;
    int reuploads = 0;
    int violations = 0;
    std::string first_violation;
    std::string push_error;  // an error a push must never meet
    auto check_live = [&](int iteration) {
        for (const Acked& image : live) {
            for (const Digest& d : image.blobs) {
                if (!stored(d)) {
                    if (violations++ == 0) {
                        first_violation = fmt::format(
                            "iteration {}: acknowledged manifest {} references {} which is gone",
                            iteration, image.manifest.str(), d.str());
                    }
                }
            }
        }
    };

    for (int i = 0; i < kIterations && !collector_failed.load() && push_error.empty(); ++i) {
        clock_.advance(1ms);
        // Every image shares a config and, every third, a base layer; each has its own layer.
        std::vector<std::string> contents{"shared config", fmt::format("layer {}", i)};
        if (i % 3 == 0) {
            contents.push_back("shared base layer");
        }
        const std::string payload = fmt::format("image {}", i);
        bool pushed = false;
        for (int attempt = 0; attempt < kAttempts && !pushed; ++attempt) {
            // Bytes first (the slow, fsynced part of an upload), then the links and the manifest
            // back to back: with no grace a new link is garbage until the manifest names it.
            for (const std::string& content : contents) {
                EXPECT_TRUE(blobs_->put(bytes_of(content)));
            }
            std::vector<Digest> digests;
            for (const std::string& content : contents) {
                auto d = try_push_blob(app_, content);
                if (!d) {
                    ++reuploads;  // collected between store and link: upload again
                    break;
                }
                digests.push_back(*d);
            }
            if (digests.size() != contents.size()) {
                continue;
            }
            auto put = try_push_image(app_, payload, digests);
            if (put) {
                pushed = true;
                ++acknowledged;
                live.push_back({Digest::of(payload), digests});
            } else if (put.error().code == Errc::manifest_blob_unknown) {
                ++refused;  // a link was dropped before the manifest came: the client retries
            } else {
                push_error = put.error().message;
                break;
            }
        }
        check_live(i);
        // Garbage: keep a handful of images; every 25th iteration delete them all, so the
        // shared blobs lose their last reference too and must be uploaded again.
        while (live.size() > 4 || (i % 25 == 24 && !live.empty())) {
            remove_image(app_, live.front().manifest);
            live.erase(live.begin());
        }
        check_live(i);
    }
    // Let the collector see the final state at least once more.
    const int seen = collections.load();
    while (collections.load() < seen + 2 && !collector_failed.load()) {
        std::this_thread::yield();
    }
    stop = true;
    background.join();
    check_live(kIterations);
    clock_.advance(1h);
    collect(false, options(0ms));
    check_live(kIterations + 1);

    EXPECT_TRUE(collector_error.empty()) << collector_error;
    EXPECT_TRUE(push_error.empty()) << push_error;
    EXPECT_EQ(violations, 0) << first_violation;
    EXPECT_GT(acknowledged, kIterations / 2) << "refused " << refused;
    EXPECT_GT(collections.load(), 0);
    EXPECT_GT(deleted.load(), 0u);  // the collector really ran against the pushes
    RecordProperty("acknowledged", acknowledged);
    RecordProperty("refused", refused);
    RecordProperty("reuploads", reuploads);
    RecordProperty("collections", collections.load());
}

}  // namespace
}  // namespace wharf::gc
