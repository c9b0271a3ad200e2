// npm: an installed package's package.json, and package-lock.json in its three versions.
// v1 nests "dependencies" the way node_modules nests directories; v2 and v3 list every
// installed directory under "packages", keyed by its node_modules path. The nested walk uses an
// explicit stack (the JSON is depth-checked before parsing too).
#include "scan/packages/packages.hpp"

#include <set>
#include <utility>

#include "scan/packages/detail.hpp"

namespace wharf::scan {

namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
    if (!object.is_object()) {
        return {};
    }
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// "license": "MIT", the legacy {"type": "MIT"}, or the older "licenses": [{"type": ...}].
std::string license_of(const json& manifest) {
    const auto it = manifest.find("license");
    if (it != manifest.end()) {
        return it->is_string() ? it->get<std::string>() : string_at(*it, "type");
    }
    const auto list = manifest.find("licenses");
    if (list != manifest.end() && list->is_array() && !list->empty()) {
        return string_at(list->front(), "type");
    }
    return {};
}

// The package a "packages" key names: the part after the last "node_modules/"
// ("node_modules/a/node_modules/@scope/b" -> "@scope/b"); empty for the root and workspace
// folders, which are the project's own code.
std::string_view name_from_path(std::string_view path) {
    constexpr std::string_view kDir = "node_modules/";
    const auto at = path.rfind(kDir);
    if (at == std::string_view::npos || (at != 0 && path[at - 1] != '/')) {
        return {};
    }
    return path.substr(at + kDir.size());
}

class Collector {
public:
    void add(std::string name, std::string version, std::string license) {
        if (name.empty() || version.empty() || out_.size() >= detail::kMaxPackages) {
            return;
        }
        // The same name@version installed in several places is one package.
        if (!seen_.emplace(name, version).second) {
            return;
        }
        Package pkg;
        pkg.type = PackageType::npm;
        pkg.name = std::move(name);
        pkg.version = std::move(version);
        pkg.license = std::move(license);
        out_.push_back(std::move(pkg));
    }
    std::vector<Package> take() { return std::move(out_); }

private:
    std::vector<Package> out_;
    std::set<std::pair<std::string, std::string>> seen_;
};

void read_packages(const json& packages, Collector& out) {
    for (const auto& [path, entry] : packages.items()) {
        if (!entry.is_object()) {
            continue;
        }
        if (const auto link = entry.find("link");
            link != entry.end() && link->is_boolean() && link->get<bool>()) {
            continue;  // a symlink to a workspace folder; the folder has its own entry
        }
        std::string name = string_at(entry, "name");
        const auto from_path = name_from_path(path);
        if (from_path.empty()) {
            continue;
        }
        if (name.empty()) {
            name = from_path;
        }
        out.add(std::move(name), string_at(entry, "version"), string_at(entry, "license"));
    }
}

void read_dependencies_v1(const json& root, Collector& out) {
    std::vector<const json*> stack{&root};
    while (!stack.empty()) {
        const json* deps = stack.back();
        stack.pop_back();
        for (const auto& [name, entry] : deps->items()) {
            if (!entry.is_object()) {
                continue;
            }
            std::string version = string_at(entry, "version");
            // "file:../lib" is a local folder, not a published version.
            if (!version.starts_with("file:") && !version.starts_with("link:")) {
                out.add(name, std::move(version), {});
            }
            const auto nested = entry.find("dependencies");
            if (nested != entry.end() && nested->is_object()) {
                stack.push_back(&*nested);
            }
        }
    }
}

}  // namespace

std::optional<Package> parse_npm_package_json(std::string_view text) {
    const auto manifest = detail::parse_json(text);
    if (!manifest || !manifest->is_object()) {
        return std::nullopt;
    }
    Package pkg;
    pkg.type = PackageType::npm;
    pkg.name = string_at(*manifest, "name");
    pkg.version = string_at(*manifest, "version");
    if (pkg.name.empty() || pkg.version.empty()) {
        return std::nullopt;
    }
    pkg.license = license_of(*manifest);
    return pkg;
}

std::vector<Package> parse_npm_package_lock(std::string_view text) {
    const auto lock = detail::parse_json(text);
    if (!lock || !lock->is_object()) {
        return {};
    }
    Collector out;
    // v2 carries both forms for old npm; "packages" is the complete one.
    const auto packages = lock->find("packages");
    if (packages != lock->end() && packages->is_object()) {
        read_packages(*packages, out);
        return out.take();
    }
    const auto dependencies = lock->find("dependencies");
    if (dependencies != lock->end() && dependencies->is_object()) {
        read_dependencies_v1(*dependencies, out);
    }
    return out.take();
}

}  // namespace wharf::scan
