#pragma once

// rpm header blobs for the rpm database tests: real ones written by librpm (loaded at run time,
// so the module's link line stays as the layer table says) and hand-built ones that reach cases
// librpm never writes.

#include <dlfcn.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "test_util.hpp"

namespace wharf::scan::test_util {

class Librpm {
public:
    Librpm() {
        lib_ = dlopen("librpm.so.9", RTLD_NOW | RTLD_LOCAL);
        if (!lib_) {
            lib_ = dlopen("librpm.so", RTLD_NOW | RTLD_LOCAL);
        }
        if (!lib_) {
            return;
        }
        load(new_, "headerNew");
        load(free_, "headerFree");
        load(put_string_, "headerPutString");
        load(put_uint32_, "headerPutUint32");
        load(put_string_array_, "headerPutStringArray");
        load(export_, "headerExport");
        load(reload_, "headerReload");
    }
    ~Librpm() {
        if (lib_) {
            dlclose(lib_);
        }
    }
    bool available() const {
        return new_ && free_ && put_string_ && put_uint32_ && put_string_array_ && export_ &&
               reload_;
    }

    struct Spec {
        const char* name;
        std::optional<std::uint32_t> epoch;
        const char* version;
        const char* release;
        const char* arch;
        const char* sourcerpm;  // nullptr: none
        std::vector<const char*> dirs;
        std::vector<const char*> bases;
        std::vector<std::uint32_t> indexes;
    };

    // The blob rpm stores in rpmdb.sqlite: the header reloaded as an immutable region.
    Bytes blob(const Spec& s) const {
        void* h = new_();
        put_string_(h, 1000, s.name);
        if (s.epoch) {
            put_uint32_(h, 1003, &*s.epoch, 1);
        }
        put_string_(h, 1001, s.version);
        put_string_(h, 1002, s.release);
        put_string_(h, 1022, s.arch);
        put_string_(h, 1011, "Red Hat, Inc.");
        put_string_(h, 1014, "LGPLv2+ and GPLv2+");
        if (s.sourcerpm) {
            put_string_(h, 1044, s.sourcerpm);
        }
        if (!s.bases.empty()) {
            auto dirs = s.dirs;
            auto bases = s.bases;
            put_string_array_(h, 1118, dirs.data(), static_cast<std::uint32_t>(dirs.size()));
            put_string_array_(h, 1117, bases.data(), static_cast<std::uint32_t>(bases.size()));
            put_uint32_(h, 1116, s.indexes.data(), static_cast<std::uint32_t>(s.indexes.size()));
        }
        h = reload_(h, 63);  // RPMTAG_HEADERIMMUTABLE
        unsigned size = 0;
        void* raw = export_(h, &size);
        Bytes out(static_cast<std::uint8_t*>(raw), static_cast<std::uint8_t*>(raw) + size);
        std::free(raw);
        free_(h);
        return out;
    }

private:
    template <typename F>
    void load(F& f, const char* name) {
        f = reinterpret_cast<F>(dlsym(lib_, name));
    }
    void* lib_ = nullptr;
    void* (*new_)() = nullptr;
    void* (*free_)(void*) = nullptr;
    int (*put_string_)(void*, std::int32_t, const char*) = nullptr;
    int (*put_uint32_)(void*, std::int32_t, const std::uint32_t*, std::uint32_t) = nullptr;
    int (*put_string_array_)(void*, std::int32_t, const char**, std::uint32_t) = nullptr;
    void* (*export_)(void*, unsigned*) = nullptr;
    void* (*reload_)(void*, std::int32_t) = nullptr;
};

inline const Librpm::Spec kGlibc{"glibc",
                          std::nullopt,
                          "2.34",
                          "100.el9_4.2",
                          "x86_64",
                          "glibc-2.34-100.el9_4.2.src.rpm",
                          {"/etc/", "/usr/lib64/", "/usr/share/doc/glibc/"},
                          {"ld.so.conf", "libc.so.6", "libm.so.6", "README"},
                          {0, 1, 1, 2}};
inline const Librpm::Spec kOpensslLibs{"openssl-libs",
                                1,
                                "3.0.7",
                                "27.el9",
                                "x86_64",
                                "openssl-3.0.7-27.el9.src.rpm",
                                {"/usr/lib64/"},
                                {"libcrypto.so.3"},
                                {0}};
inline const Librpm::Spec kPubkey{"gpg-pubkey", std::nullopt, "fd431d51", "4ae0493b", "(none)",
                           nullptr,      {},           {},         {}};

class HeaderBuilder {
public:
    void string(std::uint32_t tag, std::string_view s, std::uint32_t type = 6) {
        add(tag, type, static_cast<std::uint32_t>(data_.size()), 1);
        data_.insert(data_.end(), s.begin(), s.end());
        data_.push_back(0);
    }
    void raw_entry(std::uint32_t tag, std::uint32_t type, std::uint32_t offset,
                   std::uint32_t count) {
        add(tag, type, offset, count);
    }
    // An immutable region covering every entry: the region entry first, its trailer last in
    // the data.
    Bytes build(bool region = true) const {
        auto entries = entries_;
        auto data = data_;
        if (region) {
            const auto il = static_cast<std::uint32_t>(entries.size() + 1);
            entries.insert(entries.begin(), {63, 7, static_cast<std::uint32_t>(data.size()), 16});
            for (const std::uint32_t v : {63u, 7u, 0u - il * 16, 16u}) {
                put32(data, v);
            }
        }
        Bytes out;
        put32(out, static_cast<std::uint32_t>(entries.size()));
        put32(out, static_cast<std::uint32_t>(data.size()));
        for (const auto& e : entries) {
            for (const std::uint32_t v : e) {
                put32(out, v);
            }
        }
        out.insert(out.end(), data.begin(), data.end());
        return out;
    }

private:
    static void put32(Bytes& out, std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    }
    void add(std::uint32_t tag, std::uint32_t type, std::uint32_t offset, std::uint32_t count) {
        entries_.push_back({tag, type, offset, count});
    }
    std::vector<std::array<std::uint32_t, 4>> entries_;
    Bytes data_;
};

}  // namespace wharf::scan::test_util
