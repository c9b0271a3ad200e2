#pragma once

// Internals shared by the .cpp files of scan/vulndb; not part of the module's interface.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "scan/vulndb/advisory.hpp"

namespace wharf::scan::vulndb::detail {

// Refusals of outside input are bad_request and name the field.
Error bad(std::string message);

// --- readers over already-parsed JSON (the importer parses each file once) ------------------
Result<Advisory> advisory_from_osv(const nlohmann::json& root);
Result<std::vector<Advisory>> advisories_from_secdb(const nlohmann::json& root);
Result<Advisory> advisory_from_nodejs_wg(const nlohmann::json& root, std::string_view file_stem,
                                         bool core);
// A YAML document as JSON: every scalar becomes a string (its text as written), null stays null.
// Refuses documents nested deeper than 64 levels or expanding (through aliases) past a node
// budget proportional to the input, so a hostile file cannot exhaust the stack or memory.
Result<nlohmann::json> yaml_to_json(std::string_view text);

// --- the stored form: compact JSON of the normalised model ---------------------------------
std::string encode(const Advisory& a);
Result<Advisory> decode(std::string_view stored);

// --- naming ---------------------------------------------------------------------------------
// The source an advisory belongs to: "debian-osv", "go-osv", "pypi-osv", "rustsec-osv", "osv"
// for OSV records (by ecosystem family), "alpine-secdb", "nodejs-security-wg" by format.
enum class Format { osv, alpine_secdb, nodejs_wg };
std::string source_of(const Advisory& a, Format format);
// The storage key: advisories of different sources (or, for Alpine, of different releases and
// packages) may share an id, so the key says which record it is.
std::string storage_key(const Advisory& a, std::string_view source);
// Lookup form of a package name: PEP 503 for PyPI, as written elsewhere.
std::string normalize_name(std::string_view ecosystem, std::string_view name);

bool is_cve(std::string_view id);
// DSA/DLA/DTSA: Debian advisories that bundle several CVEs (related[] lists them).
bool is_debian_bundle(std::string_view id);

}  // namespace wharf::scan::vulndb::detail
