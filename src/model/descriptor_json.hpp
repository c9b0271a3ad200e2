#pragma once

// Internal to the model module: reading manifest fields and OCI descriptors out of parsed JSON,
// with errors that name the offending field ("layers[2].size").

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "model/manifest.hpp"

namespace wharf::model::detail {

// Errc::manifest_invalid: "invalid manifest: <field> <why>", detail {"field": field}.
Error manifest_invalid(const std::string& field, std::string_view why);

// The member `key` of `object`, nullptr when absent or null (encoding/json clients treat null as
// absent).
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);

// Empty when absent; manifest_invalid when present and not a string. `path` prefixes the field.
Result<std::string> optional_string(const nlohmann::json& object, const std::string& path,
                                    std::string_view key);
// The "annotations" member of `object`: absent -> empty; must map strings to strings.
Result<std::map<std::string, std::string>> parse_annotations(const nlohmann::json& object,
                                                             const std::string& path);
// An OCI content descriptor at `path` ("config", "layers[3]"): mediaType (non-empty string),
// digest (Digest::parse), size (integer >= 0), optional artifactType, annotations, urls; and,
// for index entries, an optional platform object with architecture and os.
Result<Descriptor> parse_descriptor(const nlohmann::json& value, const std::string& path,
                                    bool index_entry);
// The required array `key` of `doc`, each element a descriptor; `kind` words the error
// ("an index").
Result<std::vector<Descriptor>> parse_descriptor_list(const nlohmann::json& doc,
                                                      std::string_view key, bool index_entries,
                                                      std::string_view kind);

}  // namespace wharf::model::detail
