// Paths inside a layer: normalising tar names and resolving symlinks against the image root.
#include "scan/layer/layer.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer {

namespace {

constexpr int kMaxHops = 16;

// Calls f(component) for each non-empty component of a '/'-separated path.
template <typename F>
void for_each_component(std::string_view path, F&& f) {
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (end > start) {
            f(path.substr(start, end - start));
        }
        start = end + 1;
    }
}

// A path being resolved: the components so far, joined, with the length before each one so the
// last can be dropped in O(1).
class Walk {
public:
    void push(std::string_view component) {
        marks_.push_back(path_.size());
        if (!path_.empty()) {
            path_ += '/';
        }
        path_ += component;
    }
    // ".." at the root stays at the root, as it does for a process chrooted into the image.
    void pop() {
        if (!marks_.empty()) {
            path_.resize(marks_.back());
            marks_.pop_back();
        }
    }
    void clear() {
        path_.clear();
        marks_.clear();
    }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    std::vector<std::size_t> marks_;
};

}  // namespace

std::optional<std::string> normalize_path(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    bool dotdot = false;
    for_each_component(path, [&](std::string_view c) {
        if (c == ".") {
            return;
        }
        if (c == "..") {
            dotdot = true;
            return;
        }
        if (!out.empty()) {
            out += '/';
        }
        out += c;
    });
    if (dotdot || out.empty()) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> resolve_symlink(std::string_view path,
                                           const std::map<std::string, std::string>& links) {
    // Components still to walk, last first, so a link's target can be put in front of them.
    std::vector<std::string> todo;
    for_each_component(path, [&](std::string_view c) { todo.emplace_back(c); });
    std::reverse(todo.begin(), todo.end());

    Walk walk;
    int hops = 0;
    while (!todo.empty()) {
        std::string c;
        c.swap(todo.back());  // (a move here trips GCC 12's -Wmaybe-uninitialized at -O3)
        todo.pop_back();
        if (c.size() == 1 && c[0] == '.') {
            continue;
        }
        if (c.size() == 2 && c[0] == '.' && c[1] == '.') {
            walk.pop();
            continue;
        }
        walk.push(c);
        const auto link = links.find(walk.path());
        if (link == links.end()) {
            continue;
        }
        if (++hops > kMaxHops) {
            return std::nullopt;  // a loop, or a chain longer than the kernel would follow here
        }
        // Relative targets are relative to the link's directory; absolute ones to the root.
        walk.pop();
        if (link->second.starts_with('/')) {
            walk.clear();
        }
        const std::size_t before = todo.size();
        for_each_component(link->second, [&](std::string_view t) { todo.emplace_back(t); });
        std::reverse(todo.begin() + static_cast<std::ptrdiff_t>(before), todo.end());
    }
    if (walk.path().empty()) {
        return std::nullopt;  // the root itself is not a file
    }
    return walk.path();
}

namespace detail {

std::string_view basename(std::string_view path) noexcept {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname(std::string_view path) noexcept {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string join(std::string_view dir, std::string_view name) {
    std::string out;
    out.reserve(dir.size() + 1 + name.size());
    out += dir;
    if (!out.empty()) {
        out += '/';
    }
    out += name;
    return out;
}

}  // namespace detail

}  // namespace wharf::scan::layer
