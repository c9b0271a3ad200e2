#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "scan/inventory.hpp"

namespace wharf::scan {
namespace {

using layer::FileKind;

struct Placed {
    const LayerEntry* entry = nullptr;
    std::size_t layer = 0;
};

bool under(std::string_view path, std::string_view dir) {
    return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// Removes `path` and everything below it from a path-keyed map.
template <typename Map>
void erase_tree(Map& map, const std::string& path, bool keep_self) {
    auto it = map.lower_bound(path);
    while (it != map.end() && (it->first == path || under(it->first, path))) {
        if (keep_self && it->first == path) {
            ++it;
            continue;
        }
        it = map.erase(it);
    }
}

// Jar members and files inside a dist-info/egg-info directory belong to the file or directory
// the OS package manager lists: test the path and each of its parents.
bool owned_by_os(std::string_view path, const std::set<std::string, std::less<>>& owned) {
    path = path.substr(0, path.find("!/"));
    while (!path.empty()) {
        if (owned.contains(path)) {
            return true;
        }
        const auto slash = path.rfind('/');
        if (slash == std::string_view::npos) {
            break;
        }
        path = path.substr(0, slash);
    }
    return false;
}

// The layer that introduced a package: the lowest one holding the same package record (a later
// layer that rewrote the database without changing it does not claim it).
std::size_t first_layer_with(std::span<const LayerRecord> layers, const Package& p,
                             std::size_t found_at) {
    for (std::size_t i = 0; i < found_at; ++i) {
        for (const LayerEntry& e : layers[i].entries) {
            for (const Package& q : e.packages) {
                if (q.type == p.type && q.name == p.name && q.version == p.version) {
                    return i;
                }
            }
        }
    }
    return found_at;
}

}  // namespace

Inventory squash(std::span<const LayerRecord> layers, std::span<const std::string> digests) {
    std::map<std::string, Placed, std::less<>> files;
    std::map<std::string, std::string, std::less<>> links;
    Inventory inv;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerRecord& layer = layers[i];
        // OCI image-spec: whiteouts apply only to lower layers, so they go before this layer's
        // own entries.
        for (const std::string& dir : layer.opaque_dirs) {
            erase_tree(files, dir, true);
            erase_tree(links, dir, true);
        }
        for (const std::string& gone : layer.whiteouts) {
            erase_tree(files, gone, false);
            erase_tree(links, gone, false);
        }
        for (const auto& [path, target] : layer.symlinks) {
            links[path] = target;
            files.erase(path);
        }
        for (const LayerEntry& e : layer.entries) {
            files[e.path] = Placed{&e, i};
            links.erase(e.path);
        }
        for (const std::string& note : layer.notes) {
            inv.notes.push_back(note);
        }
    }

    // OS release: etc/os-release (often a link to ../usr/lib/os-release), else usr/lib's.
    const std::map<std::string, std::string> link_map(links.begin(), links.end());
    for (std::string_view candidate : {"etc/os-release", "usr/lib/os-release"}) {
        auto resolved = layer::resolve_symlink(candidate, link_map);
        if (!resolved) {
            continue;
        }
        if (auto it = files.find(*resolved); it != files.end() && it->second.entry->os) {
            inv.os = it->second.entry->os;
            break;
        }
    }

    std::set<std::string, std::less<>> owned;
    for (const auto& [path, placed] : files) {
        for (const std::string& f : placed.entry->owned_files) {
            owned.insert(f);
        }
        if (layer::is_os_package_record(placed.entry->kind)) {
            for (const Package& p : placed.entry->packages) {
                owned.insert(p.files.begin(), p.files.end());
            }
        }
    }

    std::set<std::tuple<PackageType, std::string, std::string, std::string>> seen;
    auto add = [&](const Package& p, std::size_t layer) {
        if (!seen.emplace(p.type, p.name, p.version, p.found_in).second) {
            return;
        }
        Package copy = p;
        copy.files.clear();  // the inventory is stored per image; owned files served their purpose
        inv.packages.push_back(std::move(copy));
        const std::size_t introduced = first_layer_with(layers, p, layer);
        inv.layers.push_back(introduced < digests.size() ? digests[introduced] : std::string{});
    };
    for (const auto& [path, placed] : files) {
        if (layer::is_os_package_record(placed.entry->kind)) {
            for (const Package& p : placed.entry->packages) {
                add(p, placed.layer);
            }
        }
    }
    for (const auto& [path, placed] : files) {
        if (layer::is_os_package_record(placed.entry->kind)) {
            continue;
        }
        for (const Package& p : placed.entry->packages) {
            if (!owned_by_os(p.found_in.empty() ? path : p.found_in, owned)) {
                add(p, placed.layer);
            }
        }
    }
    return inv;
}

}  // namespace wharf::scan
