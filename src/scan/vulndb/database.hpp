#pragma once

// The vulnerability database: one SQLite file, <data>/vulndb/vulndb-<version>.sqlite, with a
// `current` pointer file renamed into place, so an import is atomic and a running scanner keeps
// reading the version it opened. Each import builds a new version from the previous one plus the
// new records (a record id imported again replaces the old one).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "scan/vulndb/advisory.hpp"

namespace wharf::scan::vulndb {

struct SourceStatus {
    std::string name;          // "debian-osv", "alpine-secdb", "go-osv", "pypi-osv", ... (by ecosystem family)
    std::int64_t records = 0;  // advisories from that source
    std::string imported_at;   // RFC 3339 of the import that last touched it
    std::string newest_modified;  // the newest `modified` among its records
};
struct Status {
    std::int64_t version = 0;  // 0 when nothing was imported yet
    std::string built_at;      // RFC 3339
    std::int64_t advisories = 0;
    std::int64_t affected_rows = 0;
    std::vector<SourceStatus> sources;
};

struct ImportReport {
    std::int64_t files = 0;       // files read (inside archives too)
    std::int64_t advisories = 0;  // records imported
    std::int64_t skipped = 0;     // files that are not advisories of a known format
    std::vector<std::string> problems;  // first 20: "path: message"
    Status status;                // of the new version
};

// A read-only view of one version; thread-safe for concurrent lookups.
class Database {
public:
    virtual ~Database() = default;
    virtual const Status& status() const = 0;
    // Every advisory with an affected entry for (ecosystem, name). Name comparison is exact
    // except PyPI (PEP 503 normalised) and ecosystems compare case-sensitively as OSV writes
    // them. Withdrawn advisories are not returned.
    virtual Result<std::vector<Advisory>> lookup(std::string_view ecosystem,
                                                 std::string_view name) const = 0;
    // Advisories whose id or aliases include `id` (used to borrow severity from alias records).
    virtual Result<std::vector<Advisory>> by_alias(std::string_view id) const = 0;
};

// Opens the current version under dir; a Database with version 0 and no records when nothing
// was imported yet.
Result<std::shared_ptr<const Database>> open_current(const std::filesystem::path& dir);

// Imports each path: a file (.json OSV or Alpine secdb or Node.js WG by shape, .yaml/.yml OSV),
// a directory (recursively), or a .tar.xz/.tar.gz/.tar archive (read with libarchive, entries
// handled like files). Node.js WG files are recognised by their path (".../npm/<n>.json",
// ".../core/<n>.json" with a module_name/cve field). Writes a new version and makes it current.
Result<ImportReport> import_paths(const std::filesystem::path& dir,
                                  const std::vector<std::filesystem::path>& paths,
                                  std::string_view now_rfc3339);

}  // namespace wharf::scan::vulndb
