#pragma once

// From layers to an image's package inventory. A layer is analysed once (its kept files parsed
// into package records) and the result, a LayerRecord, is cached by layer digest: layers are
// content-addressed, so the cache is exact and a base layer shared by many images is read once.
// The records of an image's layers are then folded in order, whiteouts and opaque directories
// applied first (Trivy's ApplyLayers model), into one inventory.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/layer/layer.hpp"
#include "scan/packages/packages.hpp"

namespace wharf::scan {

// Bump when analyze() changes what it extracts: cached records of older analyzers are ignored.
// 2: rpm Berkeley DB and ndb databases are read.
inline constexpr int kAnalyzerRevision = 2;

struct LayerEntry {
    std::string path;  // the file (for jar members "<jar>!/<member>")
    layer::FileKind kind = layer::FileKind::os_release;
    std::vector<Package> packages;
    std::optional<OsRelease> os;
    std::vector<std::string> owned_files;  // dpkg .list/.md5sums files: what the OS installed
};

struct LayerRecord {
    std::vector<LayerEntry> entries;
    std::vector<std::string> whiteouts;
    std::vector<std::string> opaque_dirs;
    std::map<std::string, std::string> symlinks;
    std::vector<std::string> notes;  // files skipped or unreadable, with the reason
};

// Parses every kept file of one layer. Pure.
LayerRecord analyze(const layer::LayerContents& contents);

struct Inventory {
    std::optional<OsRelease> os;
    std::vector<Package> packages;     // OS packages first, then language packages
    std::vector<std::string> layers;   // per package: the digest of the layer that introduced it
    std::vector<std::string> notes;
};

// Folds the layers (bottom first; `digests` names them) into the image's inventory: OS release
// (etc/os-release, through a symlink, else usr/lib/os-release), OS packages from the surviving
// package databases, language packages except those whose file an OS package owns, each
// package once per (type, name, version, file).
Inventory squash(std::span<const LayerRecord> layers, std::span<const std::string> digests);

nlohmann::json to_json(const Package& p);
Package package_from_json(const nlohmann::json& j);
nlohmann::json to_json(const LayerRecord& r);
// Errc::internal when the document is not a LayerRecord (a damaged cache row: re-analyse).
Result<LayerRecord> layer_record_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Inventory& inv);
Result<Inventory> inventory_from_json(const nlohmann::json& j);

}  // namespace wharf::scan
