// Turning import paths into advisories: files, directories (recursively, in name order so the
// result does not depend on the file system) and tar archives streamed entry by entry with
// libarchive (never extracted to disk). Each file is recognised by its name and shape.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "scan/vulndb/store.hpp"

namespace wharf::scan::vulndb::detail {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxFileBytes = 64u << 20;  // the biggest real file (a secdb) is < 1 MiB
constexpr std::size_t kMaxProblems = 20;

void problem(ImportReport& report, std::string_view where, std::string_view message) {
    if (report.problems.size() < kMaxProblems) {
        report.problems.push_back(fmt::format("{}: {}", where, message));
    }
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Node.js WG files are ".../npm/<n>.json" and ".../core/<n>.json"; the name is the only mark
// of the format besides its fields.
std::optional<bool> nodejs_wg_kind(const fs::path& name, const json& root) {
    if (!all_digits(name.stem().string())) {
        return std::nullopt;
    }
    const std::string parent = name.parent_path().filename().string();
    if (parent == "npm" && root.contains("module_name")) {
        return false;
    }
    if (parent == "core" && root.contains("cve")) {
        return true;
    }
    return std::nullopt;
}

Result<void> deliver(Result<Advisory> adv, Format format, std::string_view where,
                     ImportReport& report, const AdvisorySink& sink) {
    if (!adv) {
        ++report.skipped;
        problem(report, where, adv.error().message);
        return ok();
    }
    ++report.advisories;
    return sink(std::move(*adv), format);
}

// One file's bytes; `name` is its path (inside an archive: the entry's path).
Result<void> handle_file(const fs::path& name, std::string_view where, std::string_view bytes,
                         ImportReport& report, const AdvisorySink& sink) {
    ++report.files;
    const std::string ext = name.extension().string();
    if (ext == ".yaml" || ext == ".yml") {
        return deliver(parse_osv_yaml(bytes), Format::osv, where, report, sink);
    }
    if (ext != ".json") {
        ++report.skipped;  // READMEs, licenses, indexes in other formats
        return ok();
    }
    const json root = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded() || !root.is_object()) {
        ++report.skipped;
        problem(report, where, root.is_discarded() ? "not valid JSON" : "not a JSON object");
        return ok();
    }
    if (const auto core = nodejs_wg_kind(name, root)) {
        return deliver(advisory_from_nodejs_wg(root, name.stem().string(), *core),
                       Format::nodejs_wg, where, report, sink);
    }
    if (root.contains("distroversion") && root.contains("packages")) {
        auto advisories = advisories_from_secdb(root);
        if (!advisories) {
            ++report.skipped;
            problem(report, where, advisories.error().message);
            return ok();
        }
        for (auto& adv : *advisories) {
            ++report.advisories;
            if (auto r = sink(std::move(adv), Format::alpine_secdb); !r) {
                return r;
            }
        }
        return ok();
    }
    const auto id = root.find("id");
    if (id != root.end() && id->is_string() &&
        (root.contains("affected") || root.contains("modified"))) {
        return deliver(advisory_from_osv(root), Format::osv, where, report, sink);
    }
    ++report.skipped;  // index.json and the like
    return ok();
}

Result<void> read_regular_file(const fs::path& path, ImportReport& report,
                               const AdvisorySink& sink) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
        return Error{Errc::not_found,
                     fmt::format("cannot read {}: {}", path.string(), ec.message())};
    }
    if (size > kMaxFileBytes) {
        ++report.files;
        ++report.skipped;
        problem(report, path.string(),
                fmt::format("{} bytes is over the {} byte limit", size, kMaxFileBytes));
        return ok();
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
        return Error{Errc::internal, fmt::format("cannot read {}", path.string())};
    }
    return handle_file(path, path.string(), bytes, report, sink);
}

struct ArchiveFree {
    void operator()(archive* a) const noexcept { archive_read_free(a); }
};

Result<void> read_archive(const fs::path& path, ImportReport& report, const AdvisorySink& sink) {
    std::unique_ptr<archive, ArchiveFree> ar(archive_read_new());
    archive_read_support_filter_all(ar.get());
    archive_read_support_format_tar(ar.get());
    if (archive_read_open_filename(ar.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
        return Error{Errc::bad_request, fmt::format("cannot open archive {}: {}", path.string(),
                                                    archive_error_string(ar.get()))};
    }
    std::string bytes;
    archive_entry* entry = nullptr;
    for (;;) {
        const int rc = archive_read_next_header(ar.get(), &entry);
        if (rc == ARCHIVE_EOF) {
            break;
        }
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            return Error{Errc::bad_request, fmt::format("archive {} is damaged: {}", path.string(),
                                                        archive_error_string(ar.get()))};
        }
        if (archive_entry_filetype(entry) != AE_IFREG) {
            continue;
        }
        const char* entry_name = archive_entry_pathname(entry);
        const fs::path name = entry_name != nullptr ? entry_name : "";
        const std::string where = fmt::format("{}!{}", path.string(), name.string());
        const auto size = archive_entry_size(entry);
        if (size < 0 || static_cast<std::uint64_t>(size) > kMaxFileBytes) {
            ++report.files;
            ++report.skipped;
            problem(report, where, "entry size unknown or over the limit");
            continue;  // archive_read_next_header skips its data
        }
        bytes.resize(static_cast<std::size_t>(size));
        std::size_t got = 0;
        while (got < bytes.size()) {
            const auto n = archive_read_data(ar.get(), bytes.data() + got, bytes.size() - got);
            if (n < 0) {
                return Error{Errc::bad_request,
                             fmt::format("archive {} is damaged at {}: {}", path.string(),
                                         name.string(), archive_error_string(ar.get()))};
            }
            if (n == 0) {
                break;
            }
            got += static_cast<std::size_t>(n);
        }
        bytes.resize(got);
        if (auto r = handle_file(name, where, bytes, report, sink); !r) {
            return r;
        }
    }
    return ok();
}

bool is_archive(const fs::path& path) {
    const std::string name = path.filename().string();
    for (std::string_view suffix : {".tar", ".tar.xz", ".txz", ".tar.gz", ".tgz"}) {
        if (name.ends_with(suffix)) {
            return true;
        }
    }
    return false;
}

Result<void> read_file(const fs::path& path, ImportReport& report, const AdvisorySink& sink) {
    return is_archive(path) ? read_archive(path, report, sink)
                            : read_regular_file(path, report, sink);
}

}  // namespace

Result<void> read_import_path(const fs::path& path, ImportReport& report,
                              const AdvisorySink& sink) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        return Error{Errc::not_found,
                     fmt::format("{} does not exist; nothing was imported", path.string())};
    }
    if (!fs::is_directory(status)) {
        return read_file(path, report, sink);
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            files.push_back(it->path());
        }
    }
    if (ec) {
        return Error{Errc::internal,
                     fmt::format("cannot list {}: {}", path.string(), ec.message())};
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        if (auto r = read_file(file, report, sink); !r) {
            return r;
        }
    }
    return ok();
}

}  // namespace wharf::scan::vulndb::detail
