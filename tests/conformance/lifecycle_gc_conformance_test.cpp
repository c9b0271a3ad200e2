// The lifecycle and collector parts of the MetadataStore contract
// (src/storage/meta/metadata_store.hpp): the blob review queue and every event that feeds it
// (new links, unlinks, manifest and repository removal), link listings and usage, image status,
// index edges and blob children, tag and stale-upload listings, lifecycle policies and
// previews. Run against every driver; the SQLite migration that seeds the queue is at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "control_plane_harness.hpp"
#include "storage/meta/sqlite/migrations.hpp"
#include "storage/meta/sqlite/sqlite_connection.hpp"

namespace wharf::storage::conformance {
namespace {

using model::Digest;
using model::Tag;
using model::UploadId;

Digest digest_of(std::string_view text) {
    return Digest::of(text);
}

std::vector<Digest> sorted(std::vector<Digest> digests) {
    std::sort(digests.begin(), digests.end());
    return digests;
}

ManifestRef blob_ref(const Digest& d) {
    return ManifestRef{d, RefKind::blob};
}
ManifestRef manifest_ref(const Digest& d) {
    return ManifestRef{d, RefKind::manifest};
}

class LifecycleGcConformance : public StoreConformance {
protected:
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
    void put_manifest(RepoId id, const ManifestRecord& m, const std::vector<ManifestRef>& refs) {
        write([&](MetadataTx& tx) { return tx.manifests().put(id, m, refs); });
    }
    void link(RepoId id, const Digest& d, std::uint64_t size, TimePoint when) {
        write([&](MetadataTx& tx) { return tx.blob_links().link(id, d, size, when); });
    }
    void enqueue(const Digest& d, TimePoint when) {
        write([&](MetadataTx& tx) { return tx.blob_reviews().enqueue(d, when); });
    }
    std::vector<Digest> due(TimePoint when, std::size_t limit = 1000) {
        std::vector<Digest> out;
        read([&](MetadataTx& tx) -> Result<void> {
            auto d = tx.blob_reviews().due(when, limit);
            if (!d) {
                return d.error();
            }
            out = std::move(*d);
            return ok();
        });
        return out;
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
    bool finish(const Digest& d, TimePoint when) {
        bool done = false;
        write([&](MetadataTx& tx) -> Result<void> {
            auto f = tx.blob_reviews().finish(d, when);
            if (!f) {
                return f.error();
            }
            done = *f;
            return ok();
        });
        return done;
    }
    // Empties the review queue (everything queued up to `when`).
    void drain(TimePoint when) {
        for (const Digest& d : due(when)) {
            EXPECT_TRUE(finish(d, when));
        }
        ASSERT_EQ(pending(), 0u);
    }
};

// ---- review queue ----

TEST_P(LifecycleGcConformance, EnqueuePostponesAndNeverBringsForward) {
    const Digest d = digest_of("blob");
    enqueue(d, at(100));
    enqueue(d, at(50));  // earlier: ignored
    EXPECT_TRUE(due(at(99)).empty());
    EXPECT_EQ(due(at(100)), std::vector<Digest>{d});
    enqueue(d, at(200));  // later: postponed
    EXPECT_TRUE(due(at(199)).empty());
    EXPECT_EQ(due(at(200)), std::vector<Digest>{d});
    EXPECT_EQ(pending(), 1u);  // one entry per blob, however often it is queued
}

TEST_P(LifecycleGcConformance, DueIsOldestFirstUpToTheLimit) {
    const Digest a = digest_of("a");
    const Digest b = digest_of("b");
    const Digest c = digest_of("c");
    const Digest late = digest_of("late");
    const Digest tie = digest_of("tie");
    enqueue(a, at(300));
    enqueue(b, at(100));
    enqueue(c, at(200));
    enqueue(late, at(400));
    enqueue(tie, at(100));
    // Ties in time come in digest order.
    const auto first_two = sorted({b, tie});
    std::vector<Digest> expected = first_two;
    expected.push_back(c);
    expected.push_back(a);
    EXPECT_EQ(due(at(300)), expected);
    EXPECT_EQ(due(at(300), 2), first_two);
    EXPECT_EQ(due(at(300), 3), (std::vector<Digest>{first_two[0], first_two[1], c}));
    EXPECT_TRUE(due(at(99)).empty());
    EXPECT_TRUE(due(at(1000), 0).empty());
    EXPECT_EQ(due(at(1000)).size(), 5u);
    EXPECT_EQ(due(at(1000)).back(), late);
    EXPECT_EQ(pending(), 5u);  // due() only reads
}

TEST_P(LifecycleGcConformance, FinishOnlyWhileStillDue) {
    const Digest d = digest_of("blob");
    enqueue(d, at(100));
    EXPECT_FALSE(finish(d, at(99)));  // queued after the review's horizon: stays
    EXPECT_EQ(pending(), 1u);
    EXPECT_TRUE(finish(d, at(100)));
    EXPECT_EQ(pending(), 0u);
    EXPECT_FALSE(finish(d, at(100)));                   // already finished
    EXPECT_FALSE(finish(digest_of("never"), at(100)));  // never queued

    // A newer event between reading `due` and finishing keeps the blob queued.
    enqueue(d, at(100));
    ASSERT_EQ(due(at(150)), std::vector<Digest>{d});
    enqueue(d, at(200));
    EXPECT_FALSE(finish(d, at(150)));
    EXPECT_EQ(due(at(200)), std::vector<Digest>{d});
}

TEST_P(LifecycleGcConformance, PendingCountsQueuedBlobs) {
    EXPECT_EQ(pending(), 0u);
    enqueue(digest_of("a"), at(1));
    enqueue(digest_of("b"), at(2));
    enqueue(digest_of("a"), at(3));
    EXPECT_EQ(pending(), 2u);
    EXPECT_TRUE(finish(digest_of("b"), at(2)));
    EXPECT_EQ(pending(), 1u);
}

TEST_P(LifecycleGcConformance, EnqueueRollsBackWithItsTransaction) {
    (void)write_error([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.blob_reviews().enqueue(digest_of("a"), at(1)));
        return Error{Errc::internal, "abort"};
    });
    EXPECT_EQ(pending(), 0u);
}

// ---- events that queue reviews ----

TEST_P(LifecycleGcConformance, OnlyANewLinkQueuesAReview) {
    const RepoId a = create_repo("a");
    const RepoId b = create_repo("b");
    const Digest d = digest_of("layer");
    link(a, d, 5, at(10));
    EXPECT_TRUE(due(at(9)).empty());
    EXPECT_EQ(due(at(10)), std::vector<Digest>{d});
    EXPECT_TRUE(finish(d, at(10)));

    link(a, d, 5, at(20));  // already linked: nothing new for the collector
    EXPECT_EQ(pending(), 0u);

    link(b, d, 5, at(30));  // new in another repository
    EXPECT_TRUE(due(at(29)).empty());
    EXPECT_EQ(due(at(30)), std::vector<Digest>{d});
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.blob_links().find(a, d).value(), std::optional<std::uint64_t>{5});
        EXPECT_EQ(tx.blob_links().find(b, d).value(), std::optional<std::uint64_t>{5});
        return ok();
    });
}

TEST_P(LifecycleGcConformance, LinkToAMissingRepositoryQueuesNothing) {
    auto result = store().write([&](MetadataTx& tx) {
        return tx.blob_links().link(RepoId{4242}, digest_of("layer"), 5, at(1));
    });
    EXPECT_FALSE(result);
    EXPECT_EQ(pending(), 0u);
}

TEST_P(LifecycleGcConformance, UnlinkQueuesAReview) {
    const RepoId a = create_repo("a");
    const Digest d = digest_of("layer");
    link(a, d, 5, at(10));
    drain(at(10));
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.blob_links().unlink(a, d, at(50)).value());
        EXPECT_FALSE(tx.blob_links().unlink(a, d, at(60)).value());  // already gone
        EXPECT_FALSE(tx.blob_links().unlink(a, digest_of("never"), at(60)).value());
        return ok();
    });
    EXPECT_TRUE(due(at(49)).empty());
    EXPECT_EQ(due(at(50)), std::vector<Digest>{d});
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.blob_links().find(a, d).value());
        return ok();
    });
}

TEST_P(LifecycleGcConformance, ManifestRemovalQueuesItsBlobsButNotItsChildManifests) {
    const RepoId id = create_repo("app");
    const Digest config = digest_of("config");
    const Digest layer = digest_of("layer");
    const auto image = image_manifest("image");
    const auto index = image_manifest("index");
    put_manifest(id, image, {blob_ref(config), blob_ref(layer)});
    put_manifest(id, index, {manifest_ref(image.digest)});
    ASSERT_EQ(pending(), 0u);  // put() queues nothing: the links did when they were made

    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.manifests().remove(id, index.digest, at(100)).value());
        return ok();
    });
    EXPECT_EQ(pending(), 0u);  // the child is a manifest, not a blob

    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.manifests().remove(id, image.digest, at(200)).value());
        EXPECT_FALSE(tx.manifests().remove(id, image.digest, at(300)).value());
        return ok();
    });
    EXPECT_TRUE(due(at(199)).empty());
    EXPECT_EQ(due(at(200)), sorted({config, layer}));
    EXPECT_EQ(pending(), 2u);
}

TEST_P(LifecycleGcConformance, ManifestRemovalPostponesAnEarlierReview) {
    const RepoId id = create_repo("app");
    const Digest layer = digest_of("layer");
    link(id, layer, 5, at(10));
    const auto image = image_manifest("image");
    put_manifest(id, image, {blob_ref(layer)});
    write([&](MetadataTx& tx) { return status(tx.manifests().remove(id, image.digest, at(500))); });
    EXPECT_TRUE(due(at(499)).empty());
    EXPECT_EQ(due(at(500)), std::vector<Digest>{layer});
}

TEST_P(LifecycleGcConformance, RepositoryRemovalQueuesEveryLinkedBlobAndDropsLifecycle) {
    const RepoId gone = create_repo("gone");
    const RepoId kept = create_repo("kept");
    const Digest a = digest_of("a");
    const Digest b = digest_of("b");
    const Digest other = digest_of("other");
    link(gone, a, 1, at(0));
    link(gone, b, 2, at(0));
    link(kept, other, 3, at(0));
    const auto image = image_manifest("image");
    put_manifest(gone, image, {blob_ref(a)});
    write([&](MetadataTx& tx) -> Result<void> {
        if (auto p = tx.lifecycle().put_policy(gone, R"({"rules":[]})", at(1)); !p) {
            return p;
        }
        if (auto p = tx.lifecycle().put_policy(kept, R"({"rules":[]})", at(1)); !p) {
            return p;
        }
        return tx.lifecycle().put_preview(
            gone, LifecyclePreviewRecord{"IN_PROGRESS", "{}", at(2), std::nullopt, ""});
    });
    drain(at(0));

    write([&](MetadataTx& tx) { return tx.repositories().remove(gone, at(500)); });
    EXPECT_TRUE(due(at(499)).empty());
    EXPECT_EQ(due(at(500)), sorted({a, b}));  // not `other`: the kept repository's link stays
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_policy(gone).value());
        EXPECT_FALSE(tx.lifecycle().find_preview(gone).value());
        EXPECT_TRUE(tx.lifecycle().find_policy(kept).value());
        auto with = tx.lifecycle().with_policy().value();
        EXPECT_EQ(with.size(), 1u);
        if (!with.empty()) {
            EXPECT_EQ(with[0].first, kept);
        }
        EXPECT_TRUE(tx.blob_links().links_of(a).value().empty());
        EXPECT_EQ(tx.blob_links().links_of(other).value().size(), 1u);
        return ok();
    });
    // Idempotent, and a second removal of nothing queues nothing new.
    write([&](MetadataTx& tx) { return tx.repositories().remove(gone, at(900)); });
    EXPECT_EQ(due(at(500)), sorted({a, b}));
}

// ---- links ----

TEST_P(LifecycleGcConformance, LinksOfListsEveryRepository) {
    const RepoId a = create_repo("a");
    const RepoId b = create_repo("b");
    const RepoId c = create_repo("c");
    const Digest d = digest_of("shared");
    link(a, d, 7, at(10));
    link(b, d, 7, at(20));
    link(c, digest_of("other"), 9, at(30));
    read([&](MetadataTx& tx) -> Result<void> {
        auto links = tx.blob_links().links_of(d).value();
        std::sort(links.begin(), links.end(), [](const BlobLinkRecord& x, const BlobLinkRecord& y) {
            return x.repo_id < y.repo_id;
        });
        EXPECT_EQ(links.size(), 2u);
        if (links.size() == 2) {
            EXPECT_EQ(links[0].repo_id, a);
            EXPECT_EQ(links[0].size, 7u);
            EXPECT_EQ(links[0].linked_at, at(10));
            EXPECT_EQ(links[1].repo_id, b);
            EXPECT_EQ(links[1].size, 7u);
            EXPECT_EQ(links[1].linked_at, at(20));
        }
        EXPECT_TRUE(tx.blob_links().links_of(digest_of("never")).value().empty());
        return ok();
    });
    // A re-link does not move linked_at.
    link(a, d, 7, at(99));
    read([&](MetadataTx& tx) -> Result<void> {
        const auto links = tx.blob_links().links_of(d).value();
        for (const auto& l : links) {
            if (l.repo_id == a) {
                EXPECT_EQ(l.linked_at, at(10));
            }
        }
        return ok();
    });
}

TEST_P(LifecycleGcConformance, UsageCountsSharedBlobsAsStoredButNotExclusive) {
    const RepoId a = create_repo("a");
    const RepoId b = create_repo("b");
    const RepoId empty = create_repo("empty");
    link(a, digest_of("shared"), 100, at(0));
    link(b, digest_of("shared"), 100, at(0));
    link(a, digest_of("only-a"), 30, at(0));
    link(b, digest_of("only-b"), 7, at(0));
    auto check = [&](RepoId id, std::uint64_t count, std::uint64_t stored,
                     std::uint64_t exclusive) {
        read([&](MetadataTx& tx) -> Result<void> {
            auto u = tx.blob_links().usage(id).value();
            EXPECT_EQ(u.blob_count, count) << "repository " << id;
            EXPECT_EQ(u.stored_bytes, stored) << "repository " << id;
            EXPECT_EQ(u.exclusive_bytes, exclusive) << "repository " << id;
            return ok();
        });
    };
    check(a, 2, 130, 30);
    check(b, 2, 107, 7);
    check(empty, 0, 0, 0);
    check(RepoId{4242}, 0, 0, 0);  // no such repository: nothing linked
    // Once b lets go of the shared blob, a alone holds it.
    write([&](MetadataTx& tx) {
        return status(tx.blob_links().unlink(b, digest_of("shared"), at(1)));
    });
    check(a, 2, 130, 130);
    check(b, 1, 7, 7);
}

// ---- manifests: status, edges, blobs ----

TEST_P(LifecycleGcConformance, SetStatusArchivesAndRestores) {
    const RepoId id = create_repo("app");
    const auto m = image_manifest("image");
    put_manifest(id, m, {});
    auto find = [&]() {
        ManifestRecord out = image_manifest("placeholder");
        read([&](MetadataTx& tx) -> Result<void> {
            auto found = tx.manifests().find(id, m.digest).value();
            EXPECT_TRUE(found);
            if (found) {
                out = *found;
            }
            return ok();
        });
        return out;
    };
    auto set = [&](ImageStatus s, TimePoint when, const Digest& d) {
        bool result = false;
        write([&](MetadataTx& tx) -> Result<void> {
            auto r = tx.manifests().set_status(id, d, s, when);
            if (!r) {
                return r.error();
            }
            result = *r;
            return ok();
        });
        return result;
    };
    {
        const auto fresh = find();
        EXPECT_EQ(fresh.status, ImageStatus::active);
        EXPECT_FALSE(fresh.last_archived_at);
        EXPECT_FALSE(fresh.last_activated_at);
    }
    EXPECT_TRUE(set(ImageStatus::archived, at(100), m.digest));
    {
        const auto archived = find();
        EXPECT_EQ(archived.status, ImageStatus::archived);
        EXPECT_EQ(archived.last_archived_at, at(100));
        EXPECT_FALSE(archived.last_activated_at);
    }
    EXPECT_TRUE(set(ImageStatus::archived, at(200), m.digest));  // unchanged: no new time
    EXPECT_EQ(find().last_archived_at, at(100));

    EXPECT_TRUE(set(ImageStatus::active, at(300), m.digest));
    {
        const auto restored = find();
        EXPECT_EQ(restored.status, ImageStatus::active);
        EXPECT_EQ(restored.last_archived_at, at(100));
        EXPECT_EQ(restored.last_activated_at, at(300));
    }
    EXPECT_TRUE(set(ImageStatus::active, at(400), m.digest));
    EXPECT_EQ(find().last_activated_at, at(300));

    EXPECT_FALSE(set(ImageStatus::archived, at(500), digest_of("absent")));
    EXPECT_FALSE(set(ImageStatus::active, at(500), digest_of("absent")));
    // Status is per repository.
    const RepoId other = create_repo("other");
    put_manifest(other, m, {});
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.manifests().find(other, m.digest).value()->status, ImageStatus::active);
        return ok();
    });
}

TEST_P(LifecycleGcConformance, SetStatusKeepsTheImageListedAndItsReferences) {
    const RepoId id = create_repo("app");
    const auto m = image_manifest("image");
    put_manifest(id, m, {blob_ref(digest_of("layer"))});
    write([&](MetadataTx& tx) {
        return status(tx.manifests().set_status(id, m.digest, ImageStatus::archived, at(1)));
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto listed = tx.manifests().list(id, std::nullopt, 10).value();
        EXPECT_EQ(listed.size(), 1u);
        if (!listed.empty()) {
            EXPECT_EQ(listed[0].status, ImageStatus::archived);
            EXPECT_EQ(listed[0].last_archived_at, at(1));
        }
        EXPECT_TRUE(tx.manifests().blob_referenced(id, digest_of("layer")).value());
        return ok();
    });
    EXPECT_EQ(pending(), 0u);  // archiving frees nothing
}

TEST_P(LifecycleGcConformance, IndexEdgesListEveryIndexChildOfTheRepository) {
    const RepoId id = create_repo("app");
    const RepoId other = create_repo("other");
    const auto m1 = image_manifest("m1");
    const auto m2 = image_manifest("m2");
    const auto i1 = image_manifest("i1");
    const auto i2 = image_manifest("i2");
    put_manifest(id, m1, {blob_ref(digest_of("config")), blob_ref(digest_of("layer"))});
    put_manifest(id, m2, {blob_ref(digest_of("config"))});
    put_manifest(id, i1, {manifest_ref(m1.digest), manifest_ref(m2.digest)});
    put_manifest(id, i2, {manifest_ref(m2.digest)});
    put_manifest(other, m1, {});
    put_manifest(other, i1, {manifest_ref(m1.digest)});
    auto key = [](const IndexEdge& e) { return std::pair{e.parent.str(), e.child.str()}; };
    read([&](MetadataTx& tx) -> Result<void> {
        std::vector<std::pair<std::string, std::string>> edges;
        const auto all = tx.manifests().index_edges(id).value();
        for (const auto& e : all) {
            edges.push_back(key(e));
        }
        std::sort(edges.begin(), edges.end());
        std::vector<std::pair<std::string, std::string>> expected{
            {i1.digest.str(), m1.digest.str()},
            {i1.digest.str(), m2.digest.str()},
            {i2.digest.str(), m2.digest.str()},
        };
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(edges, expected);

        auto other_edges = tx.manifests().index_edges(other).value();
        EXPECT_EQ(other_edges.size(), 1u);
        EXPECT_TRUE(tx.manifests().index_edges(RepoId{4242}).value().empty());
        return ok();
    });
    // Removing an index removes its edges.
    write([&](MetadataTx& tx) { return status(tx.manifests().remove(id, i1.digest, at(1))); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto edges = tx.manifests().index_edges(id).value();
        EXPECT_EQ(edges.size(), 1u);
        if (!edges.empty()) {
            EXPECT_EQ(edges[0].parent, i2.digest);
            EXPECT_EQ(edges[0].child, m2.digest);
        }
        return ok();
    });
}

TEST_P(LifecycleGcConformance, BlobsOfListsDirectBlobReferencesOnly) {
    const RepoId id = create_repo("app");
    const auto image = image_manifest("image");
    const auto index = image_manifest("index");
    put_manifest(id, image, {blob_ref(digest_of("config")), blob_ref(digest_of("layer"))});
    put_manifest(id, index, {manifest_ref(image.digest)});
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(sorted(tx.manifests().blobs_of(id, image.digest).value()),
                  sorted({digest_of("config"), digest_of("layer")}));
        EXPECT_TRUE(tx.manifests().blobs_of(id, index.digest).value().empty());
        EXPECT_TRUE(tx.manifests().blobs_of(id, digest_of("absent")).value().empty());
        EXPECT_TRUE(tx.manifests().blobs_of(RepoId{4242}, image.digest).value().empty());
        return ok();
    });
}

// ---- tags ----

TEST_P(LifecycleGcConformance, AllTagsInNameOrderWithTargets) {
    const RepoId id = create_repo("app");
    const RepoId other = create_repo("other");
    const auto m1 = image_manifest("m1");
    const auto m2 = image_manifest("m2");
    put_manifest(id, m1, {});
    put_manifest(id, m2, {});
    put_manifest(other, m1, {});
    write([&](MetadataTx& tx) -> Result<void> {
        for (auto [name, d, when] :
             {std::tuple{"v2", m2.digest, at(3)}, std::tuple{"latest", m2.digest, at(1)},
              std::tuple{"v1", m1.digest, at(2)}, std::tuple{"V0", m1.digest, at(4)}}) {
            if (auto t = tx.tags().put(id, Tag::parse(name).value(), d, when); !t) {
                return t.error();
            }
        }
        return status(tx.tags().put(other, Tag::parse("x").value(), m1.digest, at(5)));
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto all = tx.tags().all(id).value();
        std::vector<std::string> names;
        for (const auto& t : all) {
            names.push_back(t.name.str());
        }
        EXPECT_EQ(names, (std::vector<std::string>{"V0", "latest", "v1", "v2"}));  // byte order
        if (all.size() == 4) {
            EXPECT_EQ(all[0].digest, m1.digest);
            EXPECT_EQ(all[0].updated_at, at(4));
            EXPECT_EQ(all[1].digest, m2.digest);
            EXPECT_EQ(all[1].updated_at, at(1));
            EXPECT_EQ(all[2].digest, m1.digest);
            EXPECT_EQ(all[3].digest, m2.digest);
            EXPECT_EQ(all[3].updated_at, at(3));
        }
        EXPECT_TRUE(tx.tags().all(RepoId{4242}).value().empty());
        return ok();
    });
}

// ---- uploads ----

TEST_P(LifecycleGcConformance, StaleUploadsOldestFirstBeforeTheCutoff) {
    const RepoId id = create_repo("app");
    const UploadId u100 = UploadId::generate();
    const UploadId u200 = UploadId::generate();
    const UploadId u300 = UploadId::generate();
    const UploadId u500 = UploadId::generate();
    write([&](MetadataTx& tx) -> Result<void> {
        for (auto [u, when] : {std::pair{u300, at(300)}, std::pair{u100, at(100)},
                               std::pair{u500, at(500)}, std::pair{u200, at(200)}}) {
            if (auto c = tx.uploads().create(UploadRecord{u, id, at(0), when, 0}); !c) {
                return c;
            }
        }
        return ok();
    });
    auto stale = [&](TimePoint before, std::size_t limit) {
        std::vector<std::string> ids;
        read([&](MetadataTx& tx) -> Result<void> {
            const auto found = tx.uploads().stale(before, limit).value();
            for (const auto& u : found) {
                EXPECT_EQ(u.repo_id, id);
                ids.push_back(u.id.str());
            }
            return ok();
        });
        return ids;
    };
    using Ids = std::vector<std::string>;
    EXPECT_EQ(stale(at(300), 10), (Ids{u100.str(), u200.str()}));  // written at 300: not stale
    EXPECT_EQ(stale(at(301), 10), (Ids{u100.str(), u200.str(), u300.str()}));
    EXPECT_EQ(stale(at(301), 2), (Ids{u100.str(), u200.str()}));
    EXPECT_TRUE(stale(at(100), 10).empty());
    EXPECT_TRUE(stale(at(1000), 0).empty());
    EXPECT_EQ(stale(at(1000), 10).size(), 4u);

    write([&](MetadataTx& tx) { return tx.uploads().touch(u100, at(1000)); });
    EXPECT_EQ(stale(at(301), 10), (Ids{u200.str(), u300.str()}));
    EXPECT_EQ(stale(at(1001), 10), (Ids{u200.str(), u300.str(), u500.str(), u100.str()}));
    write([&](MetadataTx& tx) { return status(tx.uploads().remove(u200)); });
    EXPECT_EQ(stale(at(301), 10), (Ids{u300.str()}));
}

// ---- lifecycle policies and previews ----

TEST_P(LifecycleGcConformance, PolicyPutFindReplaceRemove) {
    const RepoId id = create_repo("app");
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_policy(id).value());
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.lifecycle().put_policy(id, "first", at(10)); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_policy(id).value();
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_EQ(p->text, "first");
            EXPECT_EQ(p->updated_at, at(10));
            EXPECT_FALSE(p->evaluated_at);
        }
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.lifecycle().mark_evaluated(id, at(20)); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_policy(id).value();
        EXPECT_TRUE(p && p->evaluated_at == at(20));
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.lifecycle().put_policy(id, "second", at(30)); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_policy(id).value();
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_EQ(p->text, "second");
            EXPECT_EQ(p->updated_at, at(30));
        }
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.lifecycle().remove_policy(id).value());
        EXPECT_FALSE(tx.lifecycle().remove_policy(id).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_policy(id).value());
        EXPECT_TRUE(tx.lifecycle().with_policy().value().empty());
        return ok();
    });
    // Marking a repository without a policy changes nothing.
    write([&](MetadataTx& tx) { return tx.lifecycle().mark_evaluated(id, at(40)); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_policy(id).value());
        return ok();
    });
}

TEST_P(LifecycleGcConformance, PolicyRollsBackWithItsTransaction) {
    const RepoId id = create_repo("app");
    (void)write_error([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.lifecycle().put_policy(id, "text", at(1)));
        return Error{Errc::internal, "abort"};
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_policy(id).value());
        return ok();
    });
}

TEST_P(LifecycleGcConformance, WithPolicyListsRepositoriesInNameOrder) {
    const RepoId b = create_repo("b");
    const RepoId ax = create_repo("a/x");
    const RepoId none = create_repo("c");
    const RepoId a = create_repo("a");
    const RepoId dash = create_repo("a-z");
    for (RepoId id : {b, ax, a, dash}) {
        write([&](MetadataTx& tx) { return tx.lifecycle().put_policy(id, "p", at(1)); });
    }
    (void)none;
    read([&](MetadataTx& tx) -> Result<void> {
        auto with = tx.lifecycle().with_policy().value();
        std::vector<std::pair<RepoId, std::string>> got;
        for (const auto& [id, name] : with) {
            got.emplace_back(id, name.str());
        }
        // Byte order: '-' (0x2d) < '/' (0x2f).
        EXPECT_EQ(got, (std::vector<std::pair<RepoId, std::string>>{
                           {a, "a"}, {dash, "a-z"}, {ax, "a/x"}, {b, "b"}}));
        return ok();
    });
}

TEST_P(LifecycleGcConformance, PreviewPutFindReplace) {
    const RepoId id = create_repo("app");
    const RepoId other = create_repo("other");
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.lifecycle().find_preview(id).value());
        return ok();
    });
    write([&](MetadataTx& tx) {
        return tx.lifecycle().put_preview(
            id, LifecyclePreviewRecord{"IN_PROGRESS", "policy one", at(10), std::nullopt, ""});
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_preview(id).value();
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_EQ(p->status, "IN_PROGRESS");
            EXPECT_EQ(p->policy_text, "policy one");
            EXPECT_EQ(p->started_at, at(10));
            EXPECT_FALSE(p->finished_at);
            EXPECT_EQ(p->results_json, "");
        }
        EXPECT_FALSE(tx.lifecycle().find_preview(other).value());
        return ok();
    });
    write([&](MetadataTx& tx) {
        return tx.lifecycle().put_preview(
            id, LifecyclePreviewRecord{"COMPLETE", "policy two", at(20), at(25),
                                       R"({"previewResults":[]})"});
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_preview(id).value();
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_EQ(p->status, "COMPLETE");
            EXPECT_EQ(p->policy_text, "policy two");
            EXPECT_EQ(p->started_at, at(20));
            EXPECT_EQ(p->finished_at, at(25));
            EXPECT_EQ(p->results_json, R"({"previewResults":[]})");
        }
        return ok();
    });
    // Back to in progress: a replaced preview loses its finish time and results.
    write([&](MetadataTx& tx) {
        return tx.lifecycle().put_preview(
            id, LifecyclePreviewRecord{"IN_PROGRESS", "policy three", at(30), std::nullopt, ""});
    });
    read([&](MetadataTx& tx) -> Result<void> {
        auto p = tx.lifecycle().find_preview(id).value();
        EXPECT_TRUE(p);
        if (p) {
            EXPECT_EQ(p->status, "IN_PROGRESS");
            EXPECT_FALSE(p->finished_at);
            EXPECT_EQ(p->results_json, "");
        }
        return ok();
    });
}

TEST_P(LifecycleGcConformance, OrphanedReferrersAreThoseWhoseSubjectTheRepositoryLacks) {
    const RepoId a = create_repo("team/a");
    const RepoId b = create_repo("team/b");
    const auto referrer = [](std::string_view payload, const Digest& subject, std::int64_t when) {
        ManifestRecord m = image_manifest(payload);
        m.subject = subject;
        m.pushed_at = at(when);
        return m;
    };
    const Digest image = digest_of("image");
    put_manifest(a, image_manifest("image"), {});
    put_manifest(a, referrer("held", image, 0), {});
    put_manifest(a, referrer("old orphan", digest_of("gone"), 10), {});
    put_manifest(a, referrer("new orphan", digest_of("gone"), 100), {});
    put_manifest(a, referrer("listed", digest_of("gone"), 0), {});
    put_manifest(a, image_manifest("index"), {manifest_ref(digest_of("listed"))});
    // The subject must be in the referrer's own repository.
    put_manifest(b, referrer("elsewhere", image, 0), {});
    read([&](MetadataTx& tx) -> Result<void> {
        const auto found = tx.manifests().orphaned_referrers(at(50), 10).value();
        EXPECT_EQ(found, (std::vector<ManifestKey>{{a, digest_of("old orphan")},
                                                  {b, digest_of("elsewhere")}}));
        EXPECT_EQ(tx.manifests().orphaned_referrers(at(50), 1).value().size(), 1u);
        EXPECT_EQ(tx.manifests().orphaned_referrers(at(100), 10).value().size(), 3u);
        EXPECT_EQ(tx.manifests().orphaned_referrers(at(9), 10).value(),
                  (std::vector<ManifestKey>{{b, digest_of("elsewhere")}}));
        return ok();
    });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LifecycleGcConformance, ::testing::Values(&make_sqlite_store));

// ---- SQLite only: migration 3 seeds the review queue ----

TEST(LifecycleGcSqliteMigration, ExistingLinksGetOneReviewPerDistinctDigest) {
    namespace sq = sqlite;
    testing::TempDir dir;
    const auto file = dir.path() / "meta.db";
    {
        auto db = sq::Connection::open(file).value();
        ASSERT_GE(sq::all_migrations().size(), 3u);
        ASSERT_EQ(sq::apply_migrations(*db, sq::all_migrations().first(2), at(0)).value(), 2);
        const std::string d1 = digest_of("one").str();
        const std::string d2 = digest_of("two").str();
        const std::string d3 = digest_of("three").str();
        auto done = db->exec(
            "INSERT INTO repositories (id, name, created_at) VALUES (1, 'a', 0), (2, 'b', 0);"
            "INSERT INTO blob_links (repo_id, digest, size, linked_at) VALUES "
            "(1, '" +
            d1 + "', 1, 100), (1, '" + d2 + "', 2, 200), (2, '" + d1 +
            "', 1, 300), "
            "(2, '" +
            d3 + "', 3, 50);");
        ASSERT_TRUE(done) << done.error().message;
    }
    auto store = open_sqlite_metadata_store(file).value();
    auto result = store->read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.blob_reviews().pending().value(), 3u);
        // Each digest is queued as of its newest link.
        EXPECT_EQ(tx.blob_reviews().due(from_unix_millis(99), 10).value(),
                  std::vector<Digest>{digest_of("three")});
        EXPECT_EQ(tx.blob_reviews().due(from_unix_millis(299), 10).value(),
                  (std::vector<Digest>{digest_of("three"), digest_of("two")}));
        EXPECT_EQ(tx.blob_reviews().due(from_unix_millis(300), 10).value(),
                  (std::vector<Digest>{digest_of("three"), digest_of("two"), digest_of("one")}));
        // The links themselves are untouched.
        EXPECT_EQ(tx.blob_links().links_of(digest_of("one")).value().size(), 2u);
        return ok();
    });
    ASSERT_TRUE(result) << result.error().message;
}

TEST(LifecycleGcSqliteMigration, EmptyDatabaseStartsWithAnEmptyQueue) {
    testing::TempDir dir;
    auto store = open_sqlite_metadata_store(dir.path() / "meta.db").value();
    auto result = store->read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.blob_reviews().pending().value(), 0u);
        return ok();
    });
    ASSERT_TRUE(result) << result.error().message;
}

}  // namespace
}  // namespace wharf::storage::conformance
