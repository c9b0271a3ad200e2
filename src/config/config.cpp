#include "config/config.hpp"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace wharf::config {
namespace {

Error config_error(std::string message) {
    return Error{Errc::bad_request, std::move(message)};
}

std::string where(const toml::node& node, std::string_view source) {
    const auto& src = node.source();
    return fmt::format("{}:{}", source, src.begin.line);
}

// Reads known keys of one table into typed fields, and rejects every key it did not read.
class TableReader {
public:
    TableReader(const toml::table& table, std::string prefix, std::string_view source)
        : table_(table), prefix_(std::move(prefix)), source_(source) {}

    template <typename T>
    Result<void> read(std::string_view key, T& out) {
        seen_.insert(std::string(key));
        const toml::node* node = table_.get(key);
        if (node == nullptr) {
            return ok();
        }
        if constexpr (std::is_same_v<T, bool>) {
            if (const auto* v = node->as_boolean()) {
                out = v->get();
                return ok();
            }
            return wrong_type(key, *node, "true or false");
        } else if constexpr (std::is_integral_v<T>) {
            if (const auto* integer = node->as_integer()) {
                const std::int64_t v = integer->get();
                if (v < 0 || static_cast<std::uint64_t>(v) >
                                 static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
                    return config_error(fmt::format("{}: {}{} = {} is out of range",
                                                    where(*node, source_), prefix_, key, v));
                }
                out = static_cast<T>(v);
                return ok();
            }
            return wrong_type(key, *node, "a whole number");
        } else if constexpr (std::is_floating_point_v<T>) {
            if (const auto* f = node->as_floating_point()) {
                out = static_cast<T>(f->get());
                return ok();
            }
            if (const auto* integer = node->as_integer()) {
                out = static_cast<T>(integer->get());
                return ok();
            }
            return wrong_type(key, *node, "a number");
        } else {
            if (const auto* v = node->as_string()) {
                out = T(v->get());
                return ok();
            }
            return wrong_type(key, *node, "a string");
        }
    }

    const toml::table* sub(std::string_view key) {
        seen_.insert(std::string(key));
        return table_.get_as<toml::table>(key);
    }

    Result<void> reject_unknown() const {
        for (const auto& [key, node] : table_) {
            if (!seen_.contains(std::string(key.str()))) {
                return config_error(fmt::format("{}: unknown setting {}{}", where(node, source_),
                                                prefix_, key.str()));
            }
        }
        return ok();
    }

private:
    Result<void> wrong_type(std::string_view key, const toml::node& node, std::string_view want) {
        return config_error(
            fmt::format("{}: {}{} must be {}", where(node, source_), prefix_, key, want));
    }

    const toml::table& table_;
    std::string prefix_;
    std::string_view source_;
    std::set<std::string> seen_;
};

#define WHARF_TRY(expr)              \
    do {                             \
        if (auto r_ = (expr); !r_) { \
            return r_.error();       \
        }                            \
    } while (false)

Result<void> read_server(const toml::table& t, ServerConfig& s, std::string_view src) {
    TableReader r(t, "server.", src);
    std::string listen;
    WHARF_TRY(r.read("listen", listen));
    if (!listen.empty()) {
        auto parsed = parse_listen(listen);
        if (!parsed) {
            return parsed.error();
        }
        s.listen = *parsed;
    }
    WHARF_TRY(r.read("io_threads", s.io_threads));
    WHARF_TRY(r.read("blocking_threads", s.blocking_threads));
    WHARF_TRY(r.read("max_connections", s.max_connections));
    WHARF_TRY(r.read("max_header_kib", s.max_header_kib));
    WHARF_TRY(r.read("access_log", s.access_log));
    if (const auto* timeouts = r.sub("timeouts")) {
        TableReader tr(*timeouts, "server.timeouts.", src);
        WHARF_TRY(tr.read("header_seconds", s.timeouts.header_seconds));
        WHARF_TRY(tr.read("idle_seconds", s.timeouts.idle_seconds));
        WHARF_TRY(tr.read("body_seconds", s.timeouts.body_seconds));
        WHARF_TRY(tr.read("write_seconds", s.timeouts.write_seconds));
        WHARF_TRY(tr.read("shutdown_grace_seconds", s.timeouts.shutdown_grace_seconds));
        WHARF_TRY(tr.reject_unknown());
    }
    if (const auto* tls = r.sub("tls")) {
        TableReader tr(*tls, "server.tls.", src);
        TlsConfig c;
        std::string cert;
        std::string key;
        WHARF_TRY(tr.read("certificate", cert));
        WHARF_TRY(tr.read("private_key", key));
        WHARF_TRY(tr.reject_unknown());
        if (!cert.empty() || !key.empty()) {
            s.tls = TlsConfig{cert, key};
        }
    }
    return r.reject_unknown();
}

}  // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return config_error(fmt::format("listen address \"{}\" must be HOST:PORT", text));
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port > 65535) {
        return config_error(
            fmt::format("listen address \"{}\": port must be a number from 0 to 65535", text));
    }
    return ListenAddress{host.empty() ? "0.0.0.0" : std::string(host),
                         static_cast<std::uint16_t>(port)};
}

Result<Config> load_string(std::string_view text, std::string_view source) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        return config_error(fmt::format("{}:{}:{}: {}", source, e.source().begin.line,
                                        e.source().begin.column, e.description()));
    }
    Config c;
    TableReader r(root, "", source);
    if (const auto* server = r.sub("server")) {
        WHARF_TRY(read_server(*server, c.server, source));
    }
    if (const auto* storage = r.sub("storage")) {
        TableReader sr(*storage, "storage.", source);
        std::string dir;
        WHARF_TRY(sr.read("data_dir", dir));
        if (!dir.empty()) {
            c.storage.data_dir = dir;
        }
        WHARF_TRY(sr.read("sqlite_full_sync", c.storage.sqlite_full_sync));
        WHARF_TRY(sr.reject_unknown());
    }
    if (const auto* registry = r.sub("registry")) {
        TableReader rr(*registry, "registry.", source);
        WHARF_TRY(rr.read("create_on_push", c.registry.create_on_push));
        WHARF_TRY(rr.read("chunk_min_length", c.registry.chunk_min_length));
        WHARF_TRY(rr.read("account_id", c.registry.account_id));
        WHARF_TRY(rr.read("region", c.registry.region));
        WHARF_TRY(rr.read("public_host", c.registry.public_host));
        WHARF_TRY(rr.read("pull_time_flush_seconds", c.registry.pull_time_flush_seconds));
        WHARF_TRY(rr.reject_unknown());
    }
    if (const auto* auth = r.sub("auth")) {
        TableReader ar(*auth, "auth.", source);
        std::string key_file;
        WHARF_TRY(ar.read("master_key_file", key_file));
        c.auth.master_key_file = key_file;
        WHARF_TRY(ar.read("token_hours", c.auth.token_hours));
        WHARF_TRY(ar.reject_unknown());
    }
    if (const auto* lifecycle = r.sub("lifecycle")) {
        TableReader lr(*lifecycle, "lifecycle.", source);
        WHARF_TRY(lr.read("interval_hours", c.lifecycle.interval_hours));
        WHARF_TRY(lr.reject_unknown());
    }
    if (const auto* gc = r.sub("gc")) {
        TableReader gr(*gc, "gc.", source);
        WHARF_TRY(gr.read("interval_seconds", c.gc.interval_seconds));
        WHARF_TRY(gr.read("grace_seconds", c.gc.grace_seconds));
        WHARF_TRY(gr.read("upload_max_age_seconds", c.gc.upload_max_age_seconds));
        WHARF_TRY(gr.reject_unknown());
    }
    if (const auto* usage = r.sub("usage")) {
        TableReader ur(*usage, "usage.", source);
        WHARF_TRY(ur.read("price_per_gb_month", c.usage.price_per_gb_month));
        WHARF_TRY(ur.read("currency", c.usage.currency));
        WHARF_TRY(ur.reject_unknown());
    }
    if (const auto* scan = r.sub("scan")) {
        TableReader sr(*scan, "scan.", source);
        std::string dir;
        WHARF_TRY(sr.read("vulndb_dir", dir));
        c.scan.vulndb_dir = dir;
        WHARF_TRY(sr.read("sweep_seconds", c.scan.sweep_seconds));
        WHARF_TRY(sr.read("max_layer_entries", c.scan.max_layer_entries));
        WHARF_TRY(sr.reject_unknown());
    }
    if (const auto* log = r.sub("log")) {
        TableReader lr(*log, "log.", source);
        WHARF_TRY(lr.read("level", c.log.level));
        WHARF_TRY(lr.reject_unknown());
    }
    WHARF_TRY(r.reject_unknown());
    WHARF_TRY(validate(c));
    return c;
}

Result<Config> load_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        return config_error(fmt::format("cannot read config file {}", file.string()));
    }
    std::stringstream text;
    text << in.rdbuf();
    return load_string(text.str(), file.string());
}

Result<void> validate(const Config& c) {
    static const std::set<std::string> kLevels{"trace", "debug", "info", "warn", "error", "off"};
    if (!kLevels.contains(c.log.level)) {
        return config_error(fmt::format(
            "log.level \"{}\" must be one of trace, debug, info, warn, error, off", c.log.level));
    }
    if (c.server.blocking_threads == 0) {
        return config_error("server.blocking_threads must be at least 1");
    }
    if (c.server.max_connections == 0) {
        return config_error("server.max_connections must be at least 1");
    }
    if (c.server.max_header_kib < 1 || c.server.max_header_kib > 1024) {
        return config_error("server.max_header_kib must be from 1 to 1024");
    }
    if (c.server.tls && (c.server.tls->certificate.empty() || c.server.tls->private_key.empty())) {
        return config_error("server.tls needs both certificate and private_key");
    }
    if (c.storage.data_dir.empty()) {
        return config_error("storage.data_dir must not be empty");
    }
    const auto& id = c.registry.account_id;
    if (id.size() != 12 || id.find_first_not_of("0123456789") != std::string::npos) {
        return config_error(fmt::format(
            "registry.account_id \"{}\" must be 12 digits, like an AWS account id", id));
    }
    if (c.registry.region.empty() ||
        c.registry.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
            std::string::npos) {
        return config_error(fmt::format(
            "registry.region \"{}\" must be lower-case letters, digits and '-', like us-east-1",
            c.registry.region));
    }
    if (c.registry.pull_time_flush_seconds < 1 || c.registry.pull_time_flush_seconds > 86400) {
        return config_error("registry.pull_time_flush_seconds must be from 1 to 86400");
    }
    if (c.scan.sweep_seconds < 1 || c.scan.sweep_seconds > 3600) {
        return config_error("scan.sweep_seconds must be from 1 to 3600");
    }
    if (c.scan.max_layer_entries < 1000) {
        return config_error("scan.max_layer_entries must be at least 1000");
    }
    if (c.lifecycle.interval_hours < 1 || c.lifecycle.interval_hours > 24 * 7) {
        return config_error("lifecycle.interval_hours must be from 1 to 168");
    }
    if (c.gc.interval_seconds < 1) {
        return config_error("gc.interval_seconds must be at least 1");
    }
    if (c.gc.upload_max_age_seconds < 60) {
        return config_error(
            "gc.upload_max_age_seconds must be at least 60 (a slow push must be able to finish)");
    }
    if (!(c.usage.price_per_gb_month >= 0)) {
        return config_error("usage.price_per_gb_month must be a number >= 0");
    }
    if (c.auth.token_hours < 1 || c.auth.token_hours > 12) {
        return config_error("auth.token_hours must be from 1 to 12 (ECR's tokens last 12 hours)");
    }
    return ok();
}

}  // namespace wharf::config
