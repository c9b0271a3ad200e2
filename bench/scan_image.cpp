// Scan throughput and memory: a 500 MB image of 5 gzip layers (the Debian 12 fixture's dpkg
// database and os-release, Python site-packages, 20,000 small files, and this machine's own
// libraries and programs as payload) written into the filesystem blob store, then scanned as the worker does: each layer
// streamed once through libarchive into the layer cache, folded, matched against a database
// imported from the shared Debian bookworm and PyPA data. Then a second image sharing the first
// four layers. Targets (issue #5): first scan < 30 s, max RSS < 256 MiB, second < 1 s.
// Usage: bench_scan_image [DIR=a new directory under /tmp]
#include <archive.h>
#include <archive_entry.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <algorithm>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "common/hash.hpp"
#include "scan/image_inventory.hpp"
#include "scan/vulndb/match.hpp"
#include "storage/blob/fs/fs_blob_store.hpp"
#include "measure.hpp"

namespace {

using namespace wharf;
using bench::max_rss_kib;
using bench::seconds_since;
using bench::Steady;
namespace fs = std::filesystem;

const fs::path kShared = WHARF_VULNDB_DIR "";

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Streams a tar.gz into a blob upload, hashing as it goes: the layer is never whole in memory.
class LayerWriter {
public:
    explicit LayerWriter(storage::BlobStore& blobs)
        : upload_(blobs.create_upload(model::UploadId::generate()).value()) {
        a_ = archive_write_new();
        archive_write_set_format_pax_restricted(a_);
        archive_write_add_filter_gzip(a_);
        archive_write_set_bytes_per_block(a_, 64 * 1024);
        archive_write_open(a_, this, nullptr, &LayerWriter::write, nullptr);
    }
    void file(const std::string& path, std::string_view data, int mode = 0644) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, path.c_str());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, mode);
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_write_header(a_, e);
        archive_write_data(a_, data.data(), data.size());
        archive_entry_free(e);
    }
    scan::LayerRef finish() {
        archive_write_close(a_);
        archive_write_free(a_);
        auto info = upload_->commit(model::Digest::parse("sha256:" + hasher_.hex()).value());
        return {info.value().digest, "application/vnd.oci.image.layer.v1.tar+gzip"};
    }
    std::uint64_t size() const { return hasher_.bytes_hashed(); }

private:
    static la_ssize_t write(archive*, void* self, const void* buf, size_t n) {
        auto* w = static_cast<LayerWriter*>(self);
        const std::span<const std::byte> bytes(static_cast<const std::byte*>(buf), n);
        w->hasher_.update(bytes);
        return w->upload_->append(bytes) ? static_cast<la_ssize_t>(n) : -1;
    }
    archive* a_;
    std::unique_ptr<storage::BlobWriter> upload_;
    Hasher hasher_;
};

// Real files of this machine (shared libraries and programs, exec bits kept, so the scanner
// probes every ELF as it would in a real image) under `dir` until the layer holds about
// `target` compressed bytes: content that compresses like a real image, unlike random bytes
// (gzip stores those uncompressed and inflating them is a memcpy).
void payload(LayerWriter& w, const std::string& dir, std::uint64_t target = 100'000'000) {
    static std::vector<fs::path> files = [] {
        std::vector<fs::path> out;
        for (const char* root : {"/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/share/doc"}) {
            std::error_code ec;
            for (auto it = fs::recursive_directory_iterator(root, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec) {
                    break;
                }
                if (it->is_regular_file(ec) && !it->is_symlink(ec) &&
                    it->file_size(ec) < (32u << 20)) {
                    out.push_back(it->path());
                }
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }();
    static std::size_t next = 0;
    const std::uint64_t start = w.size();
    for (int i = 0; w.size() - start < target && !files.empty(); ++i) {
        const fs::path& f = files[next++ % files.size()];
        std::error_code ec;
        const bool exec = (fs::status(f, ec).permissions() & fs::perms::owner_exec) != fs::perms::none;
        w.file(fmt::format("{}/{:05}-{}", dir, i, f.filename().string()), read_file(f),
               exec ? 0755 : 0644);
    }
}

class MemoryCache final : public scan::LayerCache {
public:
    Result<std::optional<scan::LayerRecord>> get(const model::Digest& d) override {
        auto it = rows_.find(d.str());
        if (it == rows_.end()) {
            return std::optional<scan::LayerRecord>{};
        }
        auto r = scan::layer_record_from_json(nlohmann::json::parse(it->second));
        return std::optional<scan::LayerRecord>{std::move(r.value())};
    }
    Result<void> put(const model::Digest& d, const scan::LayerRecord& r) override {
        rows_[d.str()] = scan::to_json(r).dump();  // stored as text, as the metadata store does
        return ok();
    }

private:
    std::map<std::string, std::string> rows_;
};

}  // namespace

int main(int argc, char** argv) {
    const fs::path dir = argc > 1 ? fs::path(argv[1])
                                  : fs::temp_directory_path() /
                                        fmt::format("wharf-scan-bench-{}", ::getpid());
    fs::create_directories(dir);
    auto blobs = storage::open_fs_blob_store(dir / "blobs").value();
    
    auto t = Steady::now();
    std::vector<scan::LayerRef> layers;
    std::uint64_t image_bytes = 0;
    {
        LayerWriter w(*blobs);
        w.file("usr/lib/os-release", read_file(kShared / "fixtures/bookworm-os-release"));
        w.file("var/lib/dpkg/status", read_file(kShared / "fixtures/bookworm-dpkg-status"));
        payload(w, "usr/share/base");
        layers.push_back(w.finish());
        image_bytes += w.size();
    }
    {
        LayerWriter w(*blobs);
        std::ifstream tsv(kShared / "fixtures/python311-site-packages.tsv");
        std::string line;
        while (std::getline(tsv, line)) {
            const auto a = line.find('\t'), b = line.rfind('\t');
            if (line.empty() || line[0] == '#' || a == b || line.starts_with("name\t")) {
                continue;
            }
            w.file(fmt::format("usr/local/lib/python3.11/site-packages/{}/METADATA",
                               line.substr(b + 1)),
                   fmt::format("Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
                               line.substr(0, a), line.substr(a + 1, b - a - 1)));
        }
        payload(w, "usr/local/lib/python3.11/data");
        layers.push_back(w.finish());
        image_bytes += w.size();
    }
    {
        LayerWriter w(*blobs);
        for (int i = 0; i < 20'000; ++i) {
            w.file(fmt::format("srv/static/{:03}/{:05}.txt", i / 100, i), fmt::format("file {}\n", i));
        }
        payload(w, "srv/assets");
        layers.push_back(w.finish());
        image_bytes += w.size();
    }
    {
        LayerWriter w(*blobs);
        payload(w, "opt/app/data");
        w.file("opt/app/bin/tool", "\x7f" "ELF not really a program", 0755);
        layers.push_back(w.finish());
        image_bytes += w.size();
    }
    {
        LayerWriter w(*blobs);
        payload(w, "var/cache/app");
        layers.push_back(w.finish());
        image_bytes += w.size();
    }
    std::printf("setup: 5 gzip layers, %.1f MB compressed, written in %.1f s\n",
                static_cast<double>(image_bytes) / 1e6, seconds_since(t));

    t = Steady::now();
    auto report = scan::vulndb::import_paths(
        dir / "vulndb", {kShared / "debian/osv-minimal-bookworm", kShared / "pypi/osv-yaml"},
        "2026-11-22T00:00:00Z");
    if (!report) {
        std::fprintf(stderr, "import: %s\n", report.error().message.c_str());
        return 1;
    }
    auto db = scan::vulndb::open_current(dir / "vulndb").value();
    std::printf("database: %lld advisories imported in %.1f s\n",
                static_cast<long long>(report->advisories), seconds_since(t));
    const long rss_before = max_rss_kib();

    MemoryCache cache;
    auto scan_one = [&](const char* what, const std::vector<scan::LayerRef>& refs) {
        const auto start = Steady::now();
        scan::InventoryStats stats;
        auto inv = scan::build_inventory(refs, *blobs, cache, {}, &stats);
        if (!inv) {
            std::fprintf(stderr, "%s: %s\n", what, inv.error().message.c_str());
            std::exit(1);
        }
        auto findings = scan::vulndb::match(*db, inv->os, inv->packages).value();
        std::printf("%s: %.2f s, %zu layers read (%.1f MB), %zu from the cache, %zu packages, "
                    "%zu findings, max RSS %.1f MiB\n",
                    what, seconds_since(start), stats.layers_read,
                    static_cast<double>(stats.bytes_read) / 1e6, stats.layers_cached,
                    inv->packages.size(), findings.size(), max_rss_kib() / 1024.0);
    };
    scan_one("first image", layers);
    std::vector<scan::LayerRef> second(layers.begin(), layers.begin() + 4);
    {
        LayerWriter w(*blobs);
        w.file("etc/app/config.toml", "mode = \"second\"\n");
        second.push_back(w.finish());
    }
    scan_one("second image (4 shared layers)", second);
    std::printf("max RSS before scanning (setup, database): %.1f MiB\n", rss_before / 1024.0);
    fs::remove_all(dir);
    return 0;
}
