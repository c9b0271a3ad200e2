#include "cli/commands.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/version.hpp"
#include "config/config.hpp"
#include "server/admin.hpp"
#include "server/app.hpp"

namespace wharf::cli {
namespace {

struct ServeFlags {
    std::string config_file;
    std::string listen;
    std::string data_dir;
};

// File first, then flags: a flag always wins over the file.
Result<config::Config> resolve_config(const ServeFlags& flags) {
    config::Config c;
    if (!flags.config_file.empty()) {
        auto loaded = config::load_file(flags.config_file);
        if (!loaded) {
            return loaded.error();
        }
        c = std::move(*loaded);
    }
    if (!flags.listen.empty()) {
        auto listen = config::parse_listen(flags.listen);
        if (!listen) {
            return listen.error();
        }
        c.server.listen = *listen;
    }
    if (!flags.data_dir.empty()) {
        c.storage.data_dir = flags.data_dir;
    }
    if (auto valid = config::validate(c); !valid) {
        return valid.error();
    }
    return c;
}

// vulndb import|status; scan run|findings|gate|gate-rule list|put|allow|delete.
template <typename Runner>
void add_scan_commands(CLI::App* admin, Runner& run_admin) {
    namespace a = server::admin;
    auto* vulndb = admin->add_subcommand("vulndb", "The vulnerability database scans match against");
    vulndb->require_subcommand(1);
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* import = vulndb->add_subcommand(
        "import", "Import advisories: OSV JSON/YAML files, directories, .tar.xz archives, Alpine "
                  "secdb, Node.js security WG");
    import->add_option("paths", *paths, "Files, directories or archives")->required();
    import->callback(
        run_admin([=](const config::Config& c) { return a::vulndb_import(c, *paths); }));
    vulndb->add_subcommand("status", "Version, sources, record counts and age")
        ->callback(run_admin([](const config::Config& c) { return a::vulndb_status(c); }));

    auto* scan = admin->add_subcommand("scan", "Image scans, findings and the vulnerability gate");
    scan->require_subcommand(1);
    auto image = std::make_shared<a::ImageRef>();
    auto add_image = [image](CLI::App* cmd) {
        cmd->add_option("--repo", image->repository, "Repository name")->required();
        cmd->add_option("--tag", image->tag, "Image tag");
        cmd->add_option("--digest", image->digest, "Image digest");
    };
    auto* run = scan->add_subcommand("run", "Scan an image now");
    add_image(run);
    run->callback(run_admin([=](const config::Config& c) { return a::scan_run(c, *image); }));
    auto as_json = std::make_shared<bool>(false);
    auto* findings = scan->add_subcommand("findings", "Print an image's findings, worst first");
    add_image(findings);
    findings->add_flag("--json", *as_json, "Print JSON");
    findings->callback(
        run_admin([=](const config::Config& c) { return a::scan_findings(c, *image, *as_json); }));
    auto max_severity = std::make_shared<std::string>("HIGH");
    auto allow = std::make_shared<std::vector<std::string>>();
    auto* gate = scan->add_subcommand(
        "gate", "CI check: exit 1 and print the findings at or above --max-severity");
    add_image(gate);
    gate->add_option("--max-severity", *max_severity,
                     "CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL (default HIGH)");
    gate->add_option("--allow", *allow, "Finding ids to accept (repeatable)");
    gate->callback(run_admin([=](const config::Config& c) {
        return a::scan_gate_check(c, *image, *max_severity, *allow);
    }));

    auto* rules = scan->add_subcommand("gate-rule", "The pull gate: deny pulls of vulnerable images");
    rules->require_subcommand(1);
    rules->add_subcommand("list", "Print the gate rules")
        ->callback(run_admin([](const config::Config& c) { return a::gate_rules_list(c); }));
    auto edit = std::make_shared<a::GateRuleEdit>();
    auto* put = rules->add_subcommand("put", "Create or replace the rule of a repository or prefix");
    put->add_option("--repo", edit->repository,
                    "A repository, a prefix ending in '/', a pattern with '*', or '*'")
        ->required();
    put->add_option("--threshold", edit->threshold,
                    "Deny pulls of images with findings at or above this severity")
        ->required();
    put->add_flag("--deny-unscanned", edit->deny_unscanned,
                  "Also deny images without a completed scan");
    put->callback(run_admin([=](const config::Config& c) { return a::gate_rule_put(c, *edit); }));
    auto* allow_cmd = rules->add_subcommand("allow", "Allowlist a finding id for a rule");
    allow_cmd->add_option("--repo", edit->repository, "The rule's repository pattern")->required();
    allow_cmd->add_option("--id", edit->allow_id, "CVE or advisory id")->required();
    allow_cmd->add_option("--expires", edit->expires, "Until this instant (RFC 3339)");
    allow_cmd->add_option("--reason", edit->reason, "Why it is accepted");
    allow_cmd->callback(
        run_admin([=](const config::Config& c) { return a::gate_rule_put(c, *edit); }));
    auto* del = rules->add_subcommand("delete", "Delete the rule of a repository pattern");
    del->add_option("--repo", edit->repository, "The rule's repository pattern")->required();
    del->callback(run_admin([=](const config::Config& c) {
        edit->remove = true;
        return a::gate_rule_put(c, *edit);
    }));
}

// user|role: create, list, delete, policy put|delete|list; key: create, list, disable, enable,
// delete; audit.
template <typename Runner>
void add_admin_commands(CLI::App* admin, Runner& run_admin) {
    namespace a = server::admin;
    for (const auto kind : {a::Kind::user, a::Kind::role}) {
        const bool user = kind == a::Kind::user;
        auto* p = admin->add_subcommand(user ? "user" : "role",
                                        user ? "Users of the account" : "Roles of the account");
        p->require_subcommand(1);
        auto name = std::make_shared<std::string>();
        auto policy = std::make_shared<std::string>();
        auto file = std::make_shared<std::string>();
        auto* create = p->add_subcommand("create", "Create one");
        create->add_option("NAME", *name)->required();
        create->callback(run_admin(
            [=](const config::Config& c) { return a::create_principal(c, kind, *name); }));
        auto* list = p->add_subcommand("list", "List them as JSON");
        list->callback(
            run_admin([=](const config::Config& c) { return a::list_principals(c, kind); }));
        auto* del = p->add_subcommand("delete", "Delete one with its policies and keys");
        del->add_option("NAME", *name)->required();
        del->callback(run_admin(
            [=](const config::Config& c) { return a::delete_principal(c, kind, *name); }));
        auto* pol = p->add_subcommand("policy", "Identity policies (IAM JSON documents)");
        pol->require_subcommand(1);
        auto* put =
            pol->add_subcommand("put", "Add or replace a named policy from FILE (- = stdin)");
        put->add_option("NAME", *name)->required();
        put->add_option("POLICY_NAME", *policy)->required();
        put->add_option("FILE", *file)->required();
        put->callback(run_admin([=](const config::Config& c) {
            return a::put_policy(c, kind, *name, *policy, *file);
        }));
        auto* pdel = pol->add_subcommand("delete", "Remove a named policy");
        pdel->add_option("NAME", *name)->required();
        pdel->add_option("POLICY_NAME", *policy)->required();
        pdel->callback(run_admin(
            [=](const config::Config& c) { return a::delete_policy(c, kind, *name, *policy); }));
        auto* plist = pol->add_subcommand("list", "Print the policies as JSON");
        plist->add_option("NAME", *name)->required();
        plist->callback(
            run_admin([=](const config::Config& c) { return a::list_policies(c, kind, *name); }));
    }
    auto* key = admin->add_subcommand("key", "Access keys (AKID + secret) of users and roles");
    key->require_subcommand(1);
    auto user = std::make_shared<std::string>();
    auto role = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto* kcreate = key->add_subcommand("create",
                                        "Create a key; prints it once, like "
                                        "`aws iam create-access-key`");
    auto* by_user = kcreate->add_option("--user", *user, "The user the key belongs to");
    auto* by_role = kcreate->add_option("--role", *role, "The role the key acts as");
    by_user->excludes(by_role);
    kcreate->require_option(1);
    kcreate->callback(run_admin([=](const config::Config& c) {
        return user->empty() ? a::create_key(c, a::Kind::role, *role)
                             : a::create_key(c, a::Kind::user, *user);
    }));
    auto* klist = key->add_subcommand("list", "List keys (never their secrets) as JSON");
    klist->callback(run_admin([](const config::Config& c) { return a::list_keys(c); }));
    for (const auto* verb : {"disable", "enable", "delete"}) {
        auto* k = key->add_subcommand(verb, std::string(verb) + " an access key");
        k->add_option("ACCESS_KEY_ID", *id)->required();
        const std::string v = verb;
        k->callback(run_admin([=](const config::Config& c) {
            if (v == "delete") {
                return a::delete_key(c, *id);
            }
            return a::set_key_active(c, *id, v == "enable");
        }));
    }
    auto* repo = admin->add_subcommand("repository", "Repository settings beyond ECR's API");
    repo->require_subcommand(1);
    auto repo_name = std::make_shared<std::string>();
    auto switch_value = std::make_shared<std::string>();
    auto* identical =
        repo->add_subcommand("identical-repush",
                             "on: pushing the digest an immutable tag already names succeeds "
                             "(CI retries); off: it fails, as in ECR (default)");
    identical->add_option("NAME", *repo_name)->required();
    identical->add_option("on|off", *switch_value)->required()->check(CLI::IsMember({"on", "off"}));
    identical->callback(run_admin([=](const config::Config& c) {
        return a::set_identical_repush(c, *repo_name, *switch_value == "on");
    }));
    auto filter = std::make_shared<a::AuditFilter>();
    auto* audit = admin->add_subcommand("audit", "Print audit records (JSON lines), oldest first");
    audit->add_option("--since", filter->since,
                      "An instant (2026-11-22T10:00:00Z) or an age (30m, 12h, 7d)");
    audit->add_option("--principal", filter->principal, "Principal ARN, or part of it");
    audit->add_option("--action", filter->action, "IAM action, e.g. ecr:PutImage");
    audit->callback(run_admin([=](const config::Config& c) { return a::audit(c, *filter); }));

    auto* lifecycle = admin->add_subcommand("lifecycle", "Lifecycle policies: preview and run");
    lifecycle->require_subcommand(1);
    auto preview_request = std::make_shared<a::PreviewRequest>();
    auto* preview = lifecycle->add_subcommand(
        "preview", "Show, for every image, whether the policy keeps or acts on it, and why");
    preview->add_option("--repo", preview_request->repository, "Repository name")->required();
    preview->add_option("--policy", preview_request->policy_file,
                        "A draft policy file to evaluate instead of the stored one (- = stdin)");
    preview->add_option("--at", preview_request->at,
                        "Evaluate as of this instant (2027-03-01T00:00:00Z) instead of now");
    preview->add_flag("--json", preview_request->json,
                      "Print GetLifecyclePolicyPreview's shape, with a reason per image");
    preview->callback(run_admin(
        [=](const config::Config& c) { return a::lifecycle_preview(c, *preview_request); }));
    auto run_repo = std::make_shared<std::string>();
    auto run_dry = std::make_shared<bool>(false);
    auto* run = lifecycle->add_subcommand(
        "run", "Apply the stored policies now (all repositories that have one, or --repo)");
    run->add_option("--repo", *run_repo, "Only this repository");
    run->add_flag("--dry-run", *run_dry, "Report what would happen; change nothing");
    run->callback(run_admin(
        [=](const config::Config& c) { return a::lifecycle_run(c, *run_repo, *run_dry); }));

    auto gc_dry = std::make_shared<bool>(false);
    auto* gc = admin->add_subcommand(
        "gc", "Collect garbage now: blobs nothing references, abandoned uploads");
    gc->add_flag("--dry-run", *gc_dry, "Report what would be deleted; change nothing");
    gc->callback(run_admin([=](const config::Config& c) { return a::gc(c, *gc_dry); }));

    auto usage_json = std::make_shared<bool>(false);
    auto* usage = admin->add_subcommand(
        "usage", "Bytes and monthly cost per repository, before and after lifecycle policies");
    usage->add_flag("--json", *usage_json, "Print JSON");
    usage->callback(run_admin([=](const config::Config& c) { return a::usage(c, *usage_json); }));

    add_scan_commands(admin, run_admin);
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"Wharf: a container image registry compatible with OCI Distribution and ECR"};
    app.require_subcommand(1);

    ServeFlags serve_flags;
    auto* serve = app.add_subcommand("serve", "Run the registry server");
    serve->add_option("--config", serve_flags.config_file, "TOML configuration file");
    serve->add_option("--listen", serve_flags.listen,
                      "Address to listen on, HOST:PORT (default 127.0.0.1:5000; port 0 picks one)");
    serve->add_option("--data", serve_flags.data_dir, "Data directory (default ./var)");

    auto* version = app.add_subcommand("version", "Print the version");

    // wharf admin ...: every command takes --data or --config, like serve.
    ServeFlags admin_flags;
    int admin_status = -1;
    auto* admin = app.add_subcommand("admin",
                                     "Manage users, roles, access keys; query the audit "
                                     "log (works while the server runs)");
    admin->require_subcommand(1);
    admin->add_option("--config", admin_flags.config_file, "TOML configuration file")
        ->configurable(false);
    admin->add_option("--data", admin_flags.data_dir, "Data directory (default ./var)");
    admin->fallthrough();
    auto run_admin = [&](auto fn) {
        return [&, fn] {
            auto config = resolve_config(admin_flags);
            if (!config) {
                std::fprintf(stderr, "wharf admin: %s\n", config.error().message.c_str());
                admin_status = 2;
                return;
            }
            admin_status = fn(*config);
        };
    };
    add_admin_commands(admin, run_admin);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (version->parsed()) {
        std::printf("wharf %s\n", kVersion);
        return 0;
    }
    if (admin->parsed()) {
        return admin_status < 0 ? 2 : admin_status;
    }
    if (serve->parsed()) {
        auto config = resolve_config(serve_flags);
        if (!config) {
            std::fprintf(stderr, "wharf serve: %s\n", config.error().message.c_str());
            return 2;
        }
        return server::serve(*config);
    }
    return 2;
}

}  // namespace wharf::cli
