// The scanning part of the MetadataStore contract (ScanTable in
// src/storage/meta/metadata_store.hpp): scan records round trip with every field, the durable
// queue lists unfinished scans oldest first, re-matching lists completed inventories of older
// database versions, and the layer cache is keyed by digest and analyzer revision.
#include <gtest/gtest.h>

#include <algorithm>

#include "control_plane_harness.hpp"

namespace wharf::storage::conformance {
namespace {

using model::Digest;

ImageScanRecord scan(std::string_view text, std::string status, std::int64_t queued) {
    ImageScanRecord r(Digest::of(text), repo("team/app"));
    r.status = std::move(status);
    r.queued_at = at(queued);
    return r;
}

class ScanTableConformance : public StoreConformance {};

TEST_P(ScanTableConformance, RecordsRoundTripWithEveryField) {
    ImageScanRecord full = scan("a", "COMPLETE", 5);
    full.description = "The scan was completed successfully.";
    full.completed_at = at(9);
    full.vulndb_version = 7;
    full.vulndb_updated_at = at(3);
    full.inventory_json = R"({"packages":[]})";
    full.findings_json = R"([{"id":"CVE-1"}])";
    full.counts_json = R"({"HIGH":1})";
    full.manual_scan_at = at(4);
    write([&](MetadataTx& tx) { return tx.scans().put(full); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto got = tx.scans().find(full.digest).value();
        EXPECT_TRUE(got.has_value());
        EXPECT_EQ(got->repository.str(), "team/app");
        EXPECT_EQ(got->status, "COMPLETE");
        EXPECT_EQ(got->description, full.description);
        EXPECT_EQ(got->queued_at, at(5));
        EXPECT_EQ(got->completed_at, at(9));
        EXPECT_EQ(got->vulndb_version, 7);
        EXPECT_EQ(got->vulndb_updated_at, at(3));
        EXPECT_EQ(got->inventory_json, full.inventory_json);
        EXPECT_EQ(got->findings_json, full.findings_json);
        EXPECT_EQ(got->counts_json, full.counts_json);
        EXPECT_EQ(got->manual_scan_at, at(4));
        EXPECT_FALSE(tx.scans().find(Digest::of("absent")).value().has_value());
        return ok();
    });
    // put replaces; optional times go back to absent.
    ImageScanRecord again = scan("a", "PENDING", 20);
    write([&](MetadataTx& tx) { return tx.scans().put(again); });
    read([&](MetadataTx& tx) -> Result<void> {
        auto got = tx.scans().find(again.digest).value();
        EXPECT_EQ(got->status, "PENDING");
        EXPECT_FALSE(got->completed_at.has_value());
        EXPECT_FALSE(got->manual_scan_at.has_value());
        return ok();
    });
}

TEST_P(ScanTableConformance, UnfinishedScansAreListedOldestFirst) {
    write([&](MetadataTx& tx) -> Result<void> {
        for (const auto& r : {scan("late", "PENDING", 30), scan("early", "IN_PROGRESS", 10),
                              scan("done", "COMPLETE", 5), scan("mid", "PENDING", 20),
                              scan("bad", "FAILED", 1)}) {
            if (auto put = tx.scans().put(r); !put) {
                return put;
            }
        }
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.scans().unfinished(10).value(),
                  (std::vector<Digest>{Digest::of("early"), Digest::of("mid"), Digest::of("late")}));
        EXPECT_EQ(tx.scans().unfinished(1).value(), std::vector<Digest>{Digest::of("early")});
        return ok();
    });
}

TEST_P(ScanTableConformance, MatchedBeforeListsCompletedInventoriesOfOlderVersions) {
    write([&](MetadataTx& tx) -> Result<void> {
        auto old_one = scan("old", "COMPLETE", 1);
        old_one.vulndb_version = 1;
        old_one.inventory_json = "{}";
        auto current = scan("current", "COMPLETE", 2);
        current.vulndb_version = 2;
        current.inventory_json = "{}";
        auto no_inventory = scan("none", "COMPLETE", 3);
        no_inventory.vulndb_version = 1;
        auto failed = scan("failed", "FAILED", 4);
        failed.inventory_json = "{}";
        for (const auto& r : {old_one, current, no_inventory, failed}) {
            if (auto put = tx.scans().put(r); !put) {
                return put;
            }
        }
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.scans().matched_before(2, 10).value(), std::vector<Digest>{Digest::of("old")});
        EXPECT_EQ(tx.scans().matched_before(3, 10).value().size(), 2u);
        EXPECT_TRUE(tx.scans().matched_before(1, 10).value().empty());
        return ok();
    });
}

TEST_P(ScanTableConformance, LayerCacheIsKeyedByDigestAndAnalyzer) {
    const Digest layer = Digest::of("layer");
    write([&](MetadataTx& tx) { return tx.scans().put_layer(layer, 1, R"({"entries":[]})", at(0)); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.scans().find_layer(layer, 1).value(), std::optional<std::string>(R"({"entries":[]})"));
        EXPECT_FALSE(tx.scans().find_layer(layer, 2).value().has_value());
        EXPECT_FALSE(tx.scans().find_layer(Digest::of("other"), 1).value().has_value());
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.scans().put_layer(layer, 1, "{}", at(1)); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_EQ(tx.scans().find_layer(layer, 1).value(), std::optional<std::string>("{}"));
        return ok();
    });
}

TEST_P(ScanTableConformance, ANewAnalyzerRevisionReplacesTheOldRowsAndForgetDropsThemAll) {
    const Digest layer = Digest::of("layer");
    const Digest other = Digest::of("other layer");
    write([&](MetadataTx& tx) -> Result<void> {
        if (auto put = tx.scans().put_layer(layer, 1, "old", at(0)); !put) {
            return put;
        }
        if (auto put = tx.scans().put_layer(other, 1, "kept", at(0)); !put) {
            return put;
        }
        return tx.scans().put_layer(layer, 2, "new", at(1));
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.scans().find_layer(layer, 1).value().has_value());
        EXPECT_EQ(tx.scans().find_layer(layer, 2).value(), std::optional<std::string>("new"));
        return ok();
    });
    write([&](MetadataTx& tx) { return tx.scans().forget_layer(layer); });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_FALSE(tx.scans().find_layer(layer, 2).value().has_value());
        EXPECT_EQ(tx.scans().find_layer(other, 1).value(), std::optional<std::string>("kept"));
        return ok();
    });
}

TEST_P(ScanTableConformance, ScansOfManifestsNoRepositoryHoldsAreOrphaned) {
    RepoId a = 0;
    RepoId b = 0;
    write([&](MetadataTx& tx) -> Result<void> {
        a = tx.repositories().create(repo("team/a"), at(0)).value().id;
        b = tx.repositories().create(repo("team/b"), at(0)).value().id;
        for (const char* payload : {"held", "held twice", "deleted", "deleted while queued"}) {
            if (auto put = tx.manifests().put(a, image_manifest(payload), {}); !put) {
                return put;
            }
        }
        if (auto put = tx.manifests().put(b, image_manifest("held twice"), {}); !put) {
            return put;
        }
        for (const auto& r : {scan("held", "COMPLETE", 1), scan("held twice", "COMPLETE", 2),
                              scan("deleted", "COMPLETE", 3), scan("never held", "FAILED", 4),
                              scan("deleted while queued", "PENDING", 5)}) {
            if (auto put = tx.scans().put(r); !put) {
                return put;
            }
        }
        for (const char* payload : {"deleted", "held twice", "deleted while queued"}) {
            if (auto gone = tx.manifests().remove(a, Digest::of(payload), at(9)); !gone) {
                return status(gone);
            }
        }
        return ok();
    });
    const std::vector<Digest> expected = [] {
        std::vector<Digest> d{Digest::of("deleted"), Digest::of("never held")};
        std::sort(d.begin(), d.end());
        return d;
    }();
    read([&](MetadataTx& tx) -> Result<void> {
        // "held twice" is still in team/b; a queued scan is the runner's to finish first.
        EXPECT_EQ(tx.scans().orphaned(10).value(), expected);
        EXPECT_EQ(tx.scans().orphaned(1).value(), std::vector<Digest>{expected[0]});
        return ok();
    });
    write([&](MetadataTx& tx) -> Result<void> {
        // The image comes back before the collector acts: its scan stays.
        if (auto put = tx.manifests().put(b, image_manifest("deleted"), {}); !put) {
            return put;
        }
        EXPECT_FALSE(tx.scans().remove_orphaned(Digest::of("deleted")).value());
        EXPECT_TRUE(tx.scans().remove_orphaned(Digest::of("never held")).value());
        EXPECT_FALSE(tx.scans().remove_orphaned(Digest::of("never held")).value());
        EXPECT_FALSE(tx.scans().remove_orphaned(Digest::of("deleted while queued")).value());
        return ok();
    });
    read([&](MetadataTx& tx) -> Result<void> {
        EXPECT_TRUE(tx.scans().orphaned(10).value().empty());
        EXPECT_TRUE(tx.scans().find(Digest::of("deleted")).value().has_value());
        EXPECT_FALSE(tx.scans().find(Digest::of("never held")).value().has_value());
        return ok();
    });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ScanTableConformance, ::testing::Values(&make_sqlite_store));

}  // namespace
}  // namespace wharf::storage::conformance
