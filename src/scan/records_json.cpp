#include <array>
#include <string_view>
#include <utility>

#include "scan/inventory.hpp"

// The cache rows and stored inventories are JSON. Readers are strict about shape (a damaged row
// is an error the caller answers by analysing again) and lenient about missing optional fields.
namespace wharf::scan {
namespace {

using layer::FileKind;
using nlohmann::json;

constexpr std::array<std::pair<FileKind, std::string_view>, 16> kKinds{{
    {FileKind::os_release, "os-release"},
    {FileKind::dpkg_status, "dpkg-status"},
    {FileKind::dpkg_status_d, "dpkg-status.d"},
    {FileKind::dpkg_file_list, "dpkg-file-list"},
    {FileKind::apk_installed, "apk-installed"},
    {FileKind::rpm_sqlite, "rpm-sqlite"},
    {FileKind::rpm_bdb, "rpm-bdb"},
    {FileKind::rpm_ndb, "rpm-ndb"},
    {FileKind::python_metadata, "python-metadata"},
    {FileKind::npm_package_json, "npm-package-json"},
    {FileKind::npm_lock, "npm-lock"},
    {FileKind::cargo_lock, "cargo-lock"},
    {FileKind::jar, "jar"},
    {FileKind::jar_pom_properties, "jar-pom-properties"},
    {FileKind::jar_manifest, "jar-manifest"},
    {FileKind::executable, "executable"},
}};

constexpr std::array kTypes{PackageType::deb,    PackageType::apk,   PackageType::rpm,
                            PackageType::npm,    PackageType::pypi,  PackageType::golang,
                            PackageType::cargo,  PackageType::maven};

std::string_view kind_name(FileKind kind) {
    for (const auto& [k, name] : kKinds) {
        if (k == kind) {
            return name;
        }
    }
    return "unknown";
}

std::optional<FileKind> kind_of(std::string_view name) {
    for (const auto& [k, n] : kKinds) {
        if (n == name) {
            return k;
        }
    }
    return std::nullopt;
}

std::optional<PackageType> type_of(std::string_view name) {
    for (PackageType t : kTypes) {
        if (to_string(t) == name) {
            return t;
        }
    }
    return std::nullopt;
}

std::string text(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::vector<std::string> texts(const json& j, const char* key) {
    std::vector<std::string> out;
    if (auto it = j.find(key); it != j.end() && it->is_array()) {
        for (const json& v : *it) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}

json os_to_json(const OsRelease& os) {
    return {{"id", os.id},
            {"versionId", os.version_id},
            {"codename", os.version_codename},
            {"prettyName", os.pretty_name}};
}

OsRelease os_from_json(const json& j) {
    return OsRelease{text(j, "id"), text(j, "versionId"), text(j, "codename"),
                     text(j, "prettyName")};
}

Error damaged(std::string_view what) {
    return Error{Errc::internal, std::string("stored scan document is damaged: ") + std::string(what)};
}

}  // namespace

json to_json(const Package& p) {
    json j = {{"type", to_string(p.type)}, {"name", p.name}, {"version", p.version}};
    auto put = [&](const char* key, const std::string& v) {
        if (!v.empty()) {
            j[key] = v;
        }
    };
    put("sourceName", p.source_name);
    put("sourceVersion", p.source_version);
    put("arch", p.arch);
    put("maintainer", p.maintainer);
    put("license", p.license);
    put("foundIn", p.found_in);
    if (!p.files.empty()) {
        j["files"] = p.files;
    }
    return j;
}

Package package_from_json(const json& j) {
    Package p;
    p.type = type_of(text(j, "type")).value_or(PackageType::deb);
    p.name = text(j, "name");
    p.version = text(j, "version");
    p.source_name = text(j, "sourceName");
    p.source_version = text(j, "sourceVersion");
    p.arch = text(j, "arch");
    p.maintainer = text(j, "maintainer");
    p.license = text(j, "license");
    p.found_in = text(j, "foundIn");
    p.files = texts(j, "files");
    return p;
}

json to_json(const LayerRecord& r) {
    json entries = json::array();
    for (const LayerEntry& e : r.entries) {
        json je = {{"path", e.path}, {"kind", kind_name(e.kind)}};
        if (!e.packages.empty()) {
            json ps = json::array();
            for (const Package& p : e.packages) {
                ps.push_back(to_json(p));
            }
            je["packages"] = std::move(ps);
        }
        if (e.os) {
            je["os"] = os_to_json(*e.os);
        }
        if (!e.owned_files.empty()) {
            je["ownedFiles"] = e.owned_files;
        }
        entries.push_back(std::move(je));
    }
    return {{"entries", std::move(entries)},
            {"whiteouts", r.whiteouts},
            {"opaqueDirs", r.opaque_dirs},
            {"symlinks", r.symlinks},
            {"notes", r.notes}};
}

Result<LayerRecord> layer_record_from_json(const json& j) {
    if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array()) {
        return damaged("layer record without entries");
    }
    LayerRecord r;
    for (const json& je : j["entries"]) {
        if (!je.is_object()) {
            return damaged("layer entry is not an object");
        }
        auto kind = kind_of(text(je, "kind"));
        if (!kind) {
            return damaged("layer entry of unknown kind");
        }
        LayerEntry e{text(je, "path"), *kind, {}, std::nullopt, texts(je, "ownedFiles")};
        if (auto ps = je.find("packages"); ps != je.end() && ps->is_array()) {
            for (const json& p : *ps) {
                e.packages.push_back(package_from_json(p));
            }
        }
        if (auto os = je.find("os"); os != je.end() && os->is_object()) {
            e.os = os_from_json(*os);
        }
        r.entries.push_back(std::move(e));
    }
    r.whiteouts = texts(j, "whiteouts");
    r.opaque_dirs = texts(j, "opaqueDirs");
    r.notes = texts(j, "notes");
    if (auto links = j.find("symlinks"); links != j.end() && links->is_object()) {
        for (const auto& [k, v] : links->items()) {
            if (v.is_string()) {
                r.symlinks[k] = v.get<std::string>();
            }
        }
    }
    return r;
}

json to_json(const Inventory& inv) {
    json packages = json::array();
    for (std::size_t i = 0; i < inv.packages.size(); ++i) {
        json p = to_json(inv.packages[i]);
        if (i < inv.layers.size() && !inv.layers[i].empty()) {
            p["layer"] = inv.layers[i];
        }
        packages.push_back(std::move(p));
    }
    json j = {{"packages", std::move(packages)}, {"notes", inv.notes}};
    if (inv.os) {
        j["os"] = os_to_json(*inv.os);
    }
    return j;
}

Result<Inventory> inventory_from_json(const json& j) {
    if (!j.is_object() || !j.contains("packages") || !j["packages"].is_array()) {
        return damaged("inventory without packages");
    }
    Inventory inv;
    if (auto os = j.find("os"); os != j.end() && os->is_object()) {
        inv.os = os_from_json(*os);
    }
    for (const json& p : j["packages"]) {
        if (!p.is_object()) {
            return damaged("inventory package is not an object");
        }
        inv.packages.push_back(package_from_json(p));
        inv.layers.push_back(text(p, "layer"));
    }
    inv.notes = texts(j, "notes");
    return inv;
}

}  // namespace wharf::scan
