// The scanning part of the MetadataStore contract (ScanTable in
// src/storage/meta/metadata_store.hpp): scan records round trip with every field, the durable
// queue lists unfinished scans oldest first, re-matching lists completed inventories of older
// database versions, and the layer cache is keyed by digest and analyzer revision.
#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(Sqlite, ScanTableConformance, ::testing::Values(&make_sqlite_store));

}  // namespace
}  // namespace wharf::storage::conformance
