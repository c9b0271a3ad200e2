// ScanService: which pushes queue a scan (scanOnPush, registry rules), the worker over real tar
// layers and a real vulnerability database file, StartImageScan's quota, findings, re-matching
// after a database import, SBOM referrers, and the pull gate. A real SQLite file, the in-memory
// blob fake and a FakeClock (registry_fixture.hpp).
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "events/audit.hpp"
#include "registry_fixture.hpp"
#include "scan/vulndb/database.hpp"

namespace wharf::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using registry::ImageId;

// A plain tar of {path -> content}; a content of "\x01link:<target>" makes a symlink.
std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files) {
    std::string out(1 << 20, '\0');
    size_t used = 0;
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_memory(a, out.data(), out.size(), &used);
    for (const auto& [path, content] : files) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, path.c_str());
        if (content.rfind("\x01link:", 0) == 0) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, content.substr(6).c_str());
            archive_entry_set_perm(e, 0777);
            archive_write_header(a, e);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
            archive_write_header(a, e);
            archive_write_data(a, content.data(), content.size());
        }
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    out.resize(used);
    return out;
}

constexpr std::string_view kOsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
    "VERSION_CODENAME=bookworm\nID=debian\n";

std::string dpkg_status(const std::string& zlib_version) {
    return fmt::format(
        "Package: zlib1g\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
        "Maintainer: Mark Brown <broonie@debian.org>\nArchitecture: amd64\nMulti-Arch: same\n"
        "Source: zlib\nVersion: {}\nDescription: compression library - runtime\n\n"
        "Package: tar\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.34+dfsg-1.2\n"
        "Maintainer: Janos Lenart <ocsi@debian.org>\nDescription: GNU version of the tar "
        "archiving utility\n\n",
        zlib_version);
}

// One OSV record for Debian:12 zlib, fixed in 1:1.2.13.dfsg-2 (urgency high) and one for tar
// without a fix (unimportant).
std::string osv_zlib() {
    return R"({"schema_version":"1.6.0","id":"CVE-2023-45853","modified":"2025-01-01T00:00:00Z",
      "summary":"MiniZip integer overflow","details":"zipOpenNewFileInZip4_64 overflow",
      "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
      "affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.2.13.dfsg-2"}]}],
        "ecosystem_specific":{"urgency":"high"}}],
      "references":[{"type":"ADVISORY","url":"https://security-tracker.debian.org/tracker/CVE-2023-45853"}]})";
}
std::string osv_tar() {
    return R"({"schema_version":"1.6.0","id":"CVE-2005-2541","modified":"2025-01-01T00:00:00Z",
      "summary":"tar setuid","details":"Tar 1.15.1 does not properly warn",
      "affected":[{"package":{"ecosystem":"Debian:12","name":"tar"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}],
        "ecosystem_specific":{"urgency":"unimportant"}}]})";
}

class ScanServiceTest : public RegistryTest {
protected:
    void SetUp() override {
        RegistryTest::SetUp();
        import({{"zlib.json", osv_zlib()}});
        registry_->scans.set_database([this] {
            return scan::vulndb::open_current(dir_.path() / "vulndb").value();
        });
    }

    void import(const std::vector<std::pair<std::string, std::string>>& records) {
        const auto folder = dir_.path() / fmt::format("advisories-{}", imports_++);
        std::filesystem::create_directories(folder);
        for (const auto& [name, text] : records) {
            std::ofstream(folder / name) << text;
        }
        auto report = scan::vulndb::import_paths(dir_.path() / "vulndb", {folder},
                                                 to_rfc3339(clock_.now()));
        ASSERT_TRUE(report) << report.error().message;
    }

    // Pushes an image of the given layers (each a tar) under `tag`; returns its digest.
    model::Digest push_image(std::string_view name, std::string_view tag,
                             const std::vector<std::string>& layers) {
        const auto config = push_blob(name, R"({"architecture":"amd64","os":"linux"})");
        json layer_list = json::array();
        for (const std::string& l : layers) {
            layer_list.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                  {"digest", push_blob(name, l).str()},
                                  {"size", l.size()}});
        }
        const std::string manifest =
            json{{"schemaVersion", 2},
                 {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                 {"config",
                  {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                   {"digest", config.str()},
                   {"size", 38}}},
                 {"layers", layer_list}}
                .dump();
        auto pushed = registry_->manifests.put(caller_, repo(name), ref(tag),
                                               "application/vnd.oci.image.manifest.v1+json",
                                               manifest);
        EXPECT_TRUE(pushed) << pushed.error().message;
        return pushed->digest;
    }

    std::string debian_layer(const std::string& zlib_version = "1:1.2.13.dfsg-1") {
        return tar_of({{"etc/os-release", "\x01link:../usr/lib/os-release"},
                       {"usr/lib/os-release", std::string(kOsRelease)},
                       {"var/lib/dpkg/status", dpkg_status(zlib_version)}});
    }

    void scan_on_push(std::string_view name) {
        storage::RepositorySettings settings;
        settings.scan_on_push = true;
        ASSERT_TRUE(registry_->admin.create(repo(name), settings, {}));
    }

    registry::ImageScan scan_of(std::string_view name, std::string_view tag) {
        auto found = registry_->scans.find(repo(name), ImageId{std::nullopt, std::string(tag)});
        EXPECT_TRUE(found) << found.error().message;
        return found->second;
    }

    int imports_ = 0;
};

TEST_F(ScanServiceTest, PushWithoutScanOnPushQueuesNothing) {
    push_image("app", "v1", {debian_layer()});
    auto found = registry_->scans.find(repo("app"), ImageId{std::nullopt, "v1"});
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, Errc::not_found);
    EXPECT_EQ(found.error().detail.value("kind", ""), "scan");
    EXPECT_EQ(registry_->scans.run_queued(10).value(), 0u);
}

TEST_F(ScanServiceTest, ScanOnPushFindsTheDebianAdvisoryBySourcePackage) {
    scan_on_push("app");
    int woken = 0;
    registry_->scans.set_waker([&] { ++woken; });
    push_image("app", "v1", {debian_layer()});
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(scan_of("app", "v1").record.status, "PENDING");
    EXPECT_EQ(registry_->scans.run_queued(10).value(), 1u);

    const auto scan = scan_of("app", "v1");
    ASSERT_EQ(scan.record.status, "COMPLETE") << scan.record.description;
    ASSERT_EQ(scan.findings.size(), 1u) << scan.findings.dump(2);
    const json& f = scan.findings[0];
    EXPECT_EQ(f["id"], "CVE-2023-45853");
    EXPECT_EQ(f["severity"], "HIGH");  // Debian's urgency wins over the 9.8 CVSS score
    EXPECT_EQ(f["fixedIn"], "1:1.2.13.dfsg-2");
    EXPECT_EQ(f["package"]["name"], "zlib1g");
    EXPECT_EQ(f["package"]["sourceName"], "zlib");
    EXPECT_EQ(scan.counts, json({{"HIGH", 1}}));
    EXPECT_TRUE(scan.record.completed_at.has_value());
    EXPECT_EQ(scan.record.vulndb_version, 1);
}

TEST_F(ScanServiceTest, AFixedVersionHasNoFinding) {
    scan_on_push("app");
    push_image("app", "v2", {debian_layer("1:1.2.13.dfsg-2")});
    registry_->scans.run_queued(10).value();
    const auto scan = scan_of("app", "v2");
    EXPECT_EQ(scan.record.status, "COMPLETE");
    EXPECT_TRUE(scan.findings.empty()) << scan.findings.dump(2);
}

TEST_F(ScanServiceTest, AWhiteoutOfTheStatusFileLeavesNoOsPackages) {
    scan_on_push("app");
    push_image("app", "slim", {debian_layer(), tar_of({{"var/lib/dpkg/.wh.status", ""}})});
    registry_->scans.run_queued(10).value();
    const auto scan = scan_of("app", "slim");
    EXPECT_EQ(scan.record.status, "UNSUPPORTED_IMAGE");
    EXPECT_NE(scan.record.description.find("debian 12"), std::string::npos)
        << scan.record.description;
    EXPECT_TRUE(scan.findings.empty());
}

TEST_F(ScanServiceTest, ASharedLayerIsReadOnce) {
    scan_on_push("app");
    const std::string base = debian_layer();
    push_image("app", "a", {base, tar_of({{"srv/a.txt", "a"}})});
    push_image("app", "b", {base, tar_of({{"srv/b.txt", "b"}})});
    registry_->scans.run_queued(10).value();
    EXPECT_EQ(registry_->scans.counters().layers_read.load(), 3u);
    EXPECT_EQ(registry_->scans.counters().layers_cached.load(), 1u);
    EXPECT_EQ(scan_of("app", "b").findings.size(), 1u);
}

TEST_F(ScanServiceTest, ANotTarLayerFailsTheScanWithAReason) {
    scan_on_push("app");
    push_image("app", "bad", {std::string("this is not a tar archive at all, just text....") +
                              std::string(600, 'x')});
    registry_->scans.run_queued(10).value();
    const auto scan = scan_of("app", "bad");
    EXPECT_EQ(scan.record.status, "FAILED");
    EXPECT_NE(scan.record.description.find("layer sha256:"), std::string::npos)
        << scan.record.description;
}

TEST_F(ScanServiceTest, RegistryRulesMatchBySubstringOrGlob) {
    registry::ScanningConfiguration config;
    config.rules.push_back({"SCAN_ON_PUSH", {"prod"}});
    ASSERT_TRUE(registry_->scans.put_configuration(config));
    push_image("team/prod-api", "v1", {debian_layer()});
    // Other content: a scan belongs to the image's digest, whichever repository holds it.
    push_image("team/dev-api", "v1", {debian_layer("1:1.2.13.dfsg-3")});
    EXPECT_EQ(scan_of("team/prod-api", "v1").record.status, "PENDING");
    EXPECT_FALSE(registry_->scans.find(repo("team/dev-api"), ImageId{std::nullopt, "v1"}));

    EXPECT_TRUE(registry::scan_filter_matches("prod", "a/prod-b"));
    EXPECT_TRUE(registry::scan_filter_matches("prod*", "prod-repo"));
    EXPECT_FALSE(registry::scan_filter_matches("prod*", "repo-prod"));
    EXPECT_TRUE(registry::scan_filter_matches("*", "anything"));
}

TEST_F(ScanServiceTest, ConfigurationValidationSpeaksEcr) {
    registry::ScanningConfiguration c;
    c.rules.push_back({"CONTINUOUS_SCAN", {"*"}});
    auto refused = registry_->scans.put_configuration(c);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().detail.value("kind", ""), "validation");
    c.scan_type = "ENHANCED";
    EXPECT_TRUE(registry_->scans.put_configuration(c));
    c.rules[0].filters = {"Bad_Filter!"};
    EXPECT_FALSE(registry_->scans.put_configuration(c));
    c.scan_type = "FANCY";
    EXPECT_FALSE(registry_->scans.put_configuration(c));
    c = {};
    c.rules = {{"SCAN_ON_PUSH", {"a"}}, {"SCAN_ON_PUSH", {"b"}}};
    EXPECT_FALSE(registry_->scans.put_configuration(c));
    EXPECT_EQ(registry_->scans.configuration()->scan_type, "ENHANCED");
}

TEST_F(ScanServiceTest, StartImageScanAllowsOneScanPerImagePerDay) {
    push_image("app", "v1", {debian_layer()});
    auto started = registry_->scans.start(repo("app"), ImageId{std::nullopt, "v1"});
    ASSERT_TRUE(started) << started.error().message;
    registry_->scans.run_queued(10).value();
    EXPECT_EQ(scan_of("app", "v1").record.status, "COMPLETE");
    clock_.advance(23h);
    auto again = registry_->scans.start(repo("app"), ImageId{std::nullopt, "v1"});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::limit_exceeded);
    clock_.advance(2h);
    EXPECT_TRUE(registry_->scans.start(repo("app"), ImageId{std::nullopt, "v1"}));
    auto missing = registry_->scans.start(repo("app"), ImageId{std::nullopt, "nope"});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::manifest_unknown);
}

TEST_F(ScanServiceTest, ANewDatabaseRematchesStoredInventoriesAndAuditsNewFindings) {
    struct Sink : events::AuditSink {
        void append(events::AuditRecord r) override { records.push_back(std::move(r)); }
        std::vector<events::AuditRecord> records;
    } sink;
    registry_->audit.attach(&sink);
    scan_on_push("app");
    push_image("app", "v1", {debian_layer()});
    registry_->scans.run_queued(10).value();
    ASSERT_EQ(scan_of("app", "v1").findings.size(), 1u);

    import({{"tar.json", osv_tar()}});
    EXPECT_EQ(registry_->scans.rematch_all().value(), 1u);
    const auto scan = scan_of("app", "v1");
    EXPECT_EQ(scan.record.vulndb_version, 2);
    ASSERT_EQ(scan.findings.size(), 2u) << scan.findings.dump(2);
    EXPECT_EQ(scan.counts, json({{"HIGH", 1}, {"INFORMATIONAL", 1}}));
    ASSERT_FALSE(sink.records.empty());
    EXPECT_EQ(sink.records.back().action, "scan:NewFindings");
    EXPECT_NE(sink.records.back().detail.find("CVE-2005-2541"), std::string::npos);
    EXPECT_EQ(registry_->scans.rematch_all().value(), 0u);  // nothing older any more
    registry_->audit.attach(nullptr);
}

TEST_F(ScanServiceTest, WithoutADatabaseTheInventoryWaitsForTheFirstImport) {
    const auto empty = dir_.path() / "no-vulndb-yet";
    registry_->scans.set_database(
        [empty] { return scan::vulndb::open_current(empty).value(); });
    scan_on_push("app");
    push_image("app", "v1", {debian_layer()});
    registry_->scans.run_queued(10).value();
    auto scan = scan_of("app", "v1");
    EXPECT_EQ(scan.record.status, "COMPLETE");
    EXPECT_NE(scan.record.description.find("No vulnerability database"), std::string::npos);
    EXPECT_TRUE(scan.findings.empty());
    // The gate does not count it as scanned.
    ASSERT_TRUE(registry_->scans.put_gate_rules({{"app", "HIGH", false, {}}}));
    EXPECT_FALSE(registry_->manifests.get(caller_, repo("app"), ref("v1"), ""));

    registry_->scans.set_database([this] {
        return scan::vulndb::open_current(dir_.path() / "vulndb").value();
    });
    EXPECT_EQ(registry_->scans.rematch_all().value(), 1u);
    EXPECT_EQ(scan_of("app", "v1").findings.size(), 1u);
}

TEST_F(ScanServiceTest, ACompletedScanStoresSpdxAndCycloneDxReferrers) {
    scan_on_push("app");
    const auto digest = push_image("app", "v1", {debian_layer()});
    registry_->scans.run_queued(10).value();
    auto referrers = registry_->referrers.list(caller_, repo("app"), digest, std::nullopt);
    ASSERT_TRUE(referrers) << referrers.error().message;
    std::vector<std::string> types;
    for (const auto& r : referrers->manifests) {
        types.push_back(r.artifact_type);
    }
    std::sort(types.begin(), types.end());
    EXPECT_EQ(types, (std::vector<std::string>{"application/spdx+json",
                                               "application/vnd.cyclonedx+json"}));
    // A second scan of the same inventory stores the same documents: no new referrers.
    clock_.advance(25h);
    ASSERT_TRUE(registry_->scans.start(repo("app"), ImageId{digest.str(), std::nullopt}));
    registry_->scans.run_queued(10).value();
    EXPECT_EQ(registry_->referrers.list(caller_, repo("app"), digest, std::nullopt)->manifests.size(),
              2u);
}

TEST_F(ScanServiceTest, TheGateDeniesPullsAtTheThresholdUntilAllowlisted) {
    scan_on_push("app");
    push_image("app", "v1", {debian_layer()});
    push_image("app", "unscanned-later", {debian_layer("1:1.2.13.dfsg-2")});
    registry_->scans.run_queued(10).value();
    auto pull = [&](std::string_view tag) {
        return registry_->manifests.get(caller_, repo("app"), ref(tag), "");
    };
    EXPECT_TRUE(pull("v1"));  // no rule yet

    registry::GateRule rule{"app", "HIGH", true, {}};
    ASSERT_TRUE(registry_->scans.put_gate_rules({rule}));
    auto denied = pull("v1");
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::denied);
    EXPECT_NE(denied.error().message.find("HIGH CVE-2023-45853 in zlib1g"), std::string::npos)
        << denied.error().message;
    EXPECT_TRUE(pull("unscanned-later"));  // scanned clean

    rule.threshold = "CRITICAL";
    ASSERT_TRUE(registry_->scans.put_gate_rules({rule}));
    EXPECT_TRUE(pull("v1"));

    rule.threshold = "HIGH";
    rule.allowlist.push_back({"CVE-2023-45853", clock_.now() + 48h, "fix ships next week"});
    ASSERT_TRUE(registry_->scans.put_gate_rules({rule}));
    EXPECT_TRUE(pull("v1"));
    clock_.advance(49h);  // the allowlist entry expired
    EXPECT_FALSE(pull("v1"));

    // Unscanned images: allowed unless the rule says otherwise.
    push_image("app", "new", {debian_layer("1:1.2.11.dfsg-4")});
    rule.allowlist.clear();
    rule.threshold = "CRITICAL";
    ASSERT_TRUE(registry_->scans.put_gate_rules({rule}));
    EXPECT_TRUE(pull("new"));  // queued on push, not yet run: PENDING, and unscanned is allowed
    registry::GateRule strict{"app", "CRITICAL", false, {}};
    ASSERT_TRUE(registry_->scans.put_gate_rules({strict}));
    auto unscanned = pull("new");
    ASSERT_FALSE(unscanned);
    EXPECT_NE(unscanned.error().message.find("no completed scan"), std::string::npos);
    EXPECT_EQ(registry_->scans.counters().gate_denied.load(), 3u);
}

}  // namespace
}  // namespace wharf::testing
