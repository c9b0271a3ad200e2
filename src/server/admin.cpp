#include "server/admin.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "auth/identity.hpp"
#include "events/audit.hpp"
#include "server/credentials.hpp"
#include "server/admin_support.hpp"
#include "server/runtime.hpp"

namespace wharf::server::admin {
namespace {

using json = nlohmann::json;

storage::PrincipalKind to_kind(Kind k) {
    return k == Kind::user ? storage::PrincipalKind::user : storage::PrincipalKind::role;
}

json principal_json(const Runtime& rt, const storage::PrincipalRecord& p) {
    const auto& account = rt.registry->ctx.options.account;
    return json{{p.kind == storage::PrincipalKind::user ? "UserName" : "RoleName", p.name},
                {p.kind == storage::PrincipalKind::user ? "UserId" : "RoleId", p.unique_id},
                {"Arn", auth::principal_arn(account, p.kind, p.name)},
                {"CreateDate", to_rfc3339(p.created_at)}};
}

Result<TimePoint> parse_since(const std::string& text, TimePoint now) {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) &&
        text.find('-') == std::string::npos) {
        const char unit = text.back();
        std::int64_t n = 0;
        try {
            n = std::stoll(text.substr(0, text.size() - 1));
        } catch (...) {
            n = -1;
        }
        const std::int64_t seconds = unit == 's'   ? 1
                                     : unit == 'm' ? 60
                                     : unit == 'h' ? 3600
                                     : unit == 'd' ? 86400
                                                   : 0;
        if (n >= 0 && seconds > 0) {
            return now - std::chrono::seconds(n * seconds);
        }
    }
    auto instant = parse_instant(text, "--since");
    if (!instant) {
        return Error{Errc::bad_request,
                     instant.error().message + " or a duration like 30m, 12h, 7d"};
    }
    return instant;
}

}  // namespace

int create_principal(const config::Config& c, Kind kind, const std::string& name) {
    return with_runtime(c, [&](Runtime& rt) {
        auto made = rt.accounts->create(to_kind(kind), name);
        if (!made) {
            return fail(made.error());
        }
        print(json{{kind == Kind::user ? "User" : "Role", principal_json(rt, *made)}});
        return 0;
    });
}

int list_principals(const config::Config& c, Kind kind) {
    return with_runtime(c, [&](Runtime& rt) {
        auto all = rt.accounts->list(to_kind(kind));
        if (!all) {
            return fail(all.error());
        }
        json items = json::array();
        for (const auto& p : *all) {
            items.push_back(principal_json(rt, p));
        }
        print(json{{kind == Kind::user ? "Users" : "Roles", items}});
        return 0;
    });
}

int delete_principal(const config::Config& c, Kind kind, const std::string& name) {
    return with_runtime(c, [&](Runtime& rt) {
        auto done = rt.accounts->remove(to_kind(kind), name);
        return done ? 0 : fail(done.error());
    });
}

int put_policy(const config::Config& c, Kind kind, const std::string& name,
               const std::string& policy_name, const std::string& file) {
    auto document = read_input(file);
    if (!document) {
        return fail(document.error());
    }
    return with_runtime(c, [&](Runtime& rt) {
        auto done = rt.accounts->put_policy(to_kind(kind), name, policy_name, *document);
        return done ? 0 : fail(done.error());
    });
}

int delete_policy(const config::Config& c, Kind kind, const std::string& name,
                  const std::string& policy_name) {
    return with_runtime(c, [&](Runtime& rt) {
        auto done = rt.accounts->delete_policy(to_kind(kind), name, policy_name);
        return done ? 0 : fail(done.error());
    });
}

int list_policies(const config::Config& c, Kind kind, const std::string& name) {
    return with_runtime(c, [&](Runtime& rt) {
        auto all = rt.accounts->policies(to_kind(kind), name);
        if (!all) {
            return fail(all.error());
        }
        json items = json::array();
        for (const auto& [policy_name, document] : *all) {
            items.push_back({{"PolicyName", policy_name},
                             {"PolicyDocument", json::parse(document, nullptr, false)}});
        }
        print(json{{"Policies", items}});
        return 0;
    });
}

int create_key(const config::Config& c, Kind kind, const std::string& name) {
    return with_runtime(c, [&](Runtime& rt) {
        auto key = rt.accounts->create_key(to_kind(kind), name);
        if (!key) {
            return fail(key.error());
        }
        std::fputs(access_key_json(*key).c_str(), stdout);
        return 0;
    });
}

int list_keys(const config::Config& c) {
    return with_runtime(c, [&](Runtime& rt) {
        auto keys = rt.accounts->list_keys();
        if (!keys) {
            return fail(keys.error());
        }
        json items = json::array();
        for (const auto& k : *keys) {
            items.push_back(
                {{k.principal.kind == storage::PrincipalKind::user ? "UserName" : "RoleName",
                  k.principal.name},
                 {"AccessKeyId", k.key.access_key_id},
                 {"Status", k.key.active ? "Active" : "Inactive"},
                 {"CreateDate", to_rfc3339(k.key.created_at)}});
        }
        print(json{{"AccessKeyMetadata", items}});
        return 0;
    });
}

int set_key_active(const config::Config& c, const std::string& access_key_id, bool active) {
    return with_runtime(c, [&](Runtime& rt) {
        auto done = rt.accounts->set_key_active(access_key_id, active);
        return done ? 0 : fail(done.error());
    });
}

int delete_key(const config::Config& c, const std::string& access_key_id) {
    return with_runtime(c, [&](Runtime& rt) {
        auto done = rt.accounts->delete_key(access_key_id);
        return done ? 0 : fail(done.error());
    });
}

int set_identical_repush(const config::Config& c, const std::string& repository, bool on) {
    auto name = model::RepoName::parse(repository);
    if (!name) {
        return fail(name.error());
    }
    return with_runtime(c, [&](Runtime& rt) {
        auto r = rt.registry->admin.set_identical_repush(*name, on);
        if (!r) {
            return fail(r.error());
        }
        print(json{{"repositoryName", r->name.str()},
                   {"imageTagMutability", r->settings.tag_mutability},
                   {"allowIdenticalRepush", r->settings.immutable_allows_identical}});
        return 0;
    });
}

int audit(const config::Config& c, const AuditFilter& filter) {
    events::AuditQuery query{
        .since = std::nullopt, .principal = filter.principal, .action = filter.action};
    if (!filter.since.empty()) {
        auto since = parse_since(filter.since, SystemClock{}.now());
        if (!since) {
            return fail(since.error());
        }
        query.since = *since;
    }
    auto records = events::read_audit(c.storage.data_dir / "audit", query);
    if (!records) {
        return fail(records.error());
    }
    for (const auto& r : *records) {
        std::fputs((r.dump() + "\n").c_str(), stdout);
    }
    return 0;
}

}  // namespace wharf::server::admin
