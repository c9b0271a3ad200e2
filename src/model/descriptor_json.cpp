#include "model/descriptor_json.hpp"

#include <limits>

#include <fmt/format.h>

#include "model/text.hpp"

namespace wharf::model {
namespace detail {

using json = nlohmann::json;

// `field` names the offending part ("layers[2].size"); `why` finishes the sentence.
Error manifest_invalid(const std::string& field, std::string_view why) {
    Error e{Errc::manifest_invalid,
            field.empty() ? fmt::format("invalid manifest: {}", why)
                          : fmt::format("invalid manifest: {} {}", field, why),
            nullptr};
    if (!field.empty()) {
        e.detail = {{"field", field}};
    }
    return e;
}

namespace {

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

}  // namespace

// A JSON member that is absent or null counts as absent, as encoding/json-based clients do.
const json* member(const json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

Result<std::string> optional_string(const json& object, const std::string& path,
                                    std::string_view key) {
    const json* value = member(object, key);
    if (value == nullptr) {
        return std::string();
    }
    if (!value->is_string()) {
        return manifest_invalid(join(path, key),
                                fmt::format("must be a string, got {}", value->type_name()));
    }
    return value->get<std::string>();
}

namespace {

Result<std::string> required_string(const json& object, const std::string& path,
                                    std::string_view key) {
    const json* value = member(object, key);
    if (value == nullptr) {
        return manifest_invalid(join(path, key), "is required");
    }
    if (!value->is_string()) {
        return manifest_invalid(join(path, key),
                                fmt::format("must be a string, got {}", value->type_name()));
    }
    if (value->get_ref<const std::string&>().empty()) {
        return manifest_invalid(join(path, key), "must not be empty");
    }
    return value->get<std::string>();
}

}  // namespace

Result<std::map<std::string, std::string>> parse_annotations(const json& object,
                                                             const std::string& path) {
    std::map<std::string, std::string> out;
    const json* value = member(object, "annotations");
    if (value == nullptr) {
        return out;
    }
    const auto field = join(path, "annotations");
    if (!value->is_object()) {
        return manifest_invalid(
            field, fmt::format("must be an object of strings, got {}", value->type_name()));
    }
    for (const auto& [key, v] : value->items()) {
        if (!v.is_string()) {
            return manifest_invalid(fmt::format("{}[{}]", field, detail::quote(key, 64)),
                                    fmt::format("must be a string, got {}", v.type_name()));
        }
        out.emplace(key, v.get<std::string>());
    }
    return out;
}

namespace {

Result<std::int64_t> parse_size(const json& object, const std::string& path) {
    const json* value = member(object, "size");
    const auto field = join(path, "size");
    if (value == nullptr) {
        return manifest_invalid(field, "is required (the length of the content in bytes)");
    }
    if (value->is_number_unsigned()) {
        const auto size = value->get<std::uint64_t>();
        if (size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return manifest_invalid(field, fmt::format("is too large: {}", size));
        }
        return static_cast<std::int64_t>(size);
    }
    if (value->is_number_integer()) {
        const auto size = value->get<std::int64_t>();
        if (size < 0) {
            return manifest_invalid(field,
                                    fmt::format("must be a non-negative integer, got {}", size));
        }
        return size;
    }
    if (value->is_number_float()) {
        return manifest_invalid(
            field, fmt::format("must be a non-negative integer, got {}", value->get<double>()));
    }
    return manifest_invalid(
        field, fmt::format("must be a non-negative integer, got {}", value->type_name()));
}

// Copying a JSON value recurses, so a value we keep must not be nested without bound.
bool nested_deeper_than(const json& value, int limit) {
    if (!value.is_structured()) {
        return false;
    }
    if (limit == 0) {
        return true;
    }
    for (const auto& child : value) {
        if (nested_deeper_than(child, limit - 1)) {
            return true;
        }
    }
    return false;
}

Result<json> parse_platform(const json& object, const std::string& path) {
    const json* value = member(object, "platform");
    if (value == nullptr) {
        return json(nullptr);
    }
    const auto field = join(path, "platform");
    if (!value->is_object()) {
        return manifest_invalid(field,
                                fmt::format("must be an object, got {}", value->type_name()));
    }
    if (nested_deeper_than(*value, 4)) {
        return manifest_invalid(field,
                                "is nested too deeply (a platform is a flat object with a few "
                                "string arrays)");
    }
    for (const auto key : {"architecture", "os"}) {
        auto text = required_string(*value, field, key);
        if (!text) {
            return std::move(text).error();
        }
    }
    return *value;
}

}  // namespace

// An OCI content descriptor at `path` ("config", "layers[3]", ...).
Result<Descriptor> parse_descriptor(const json& value, const std::string& path, bool index_entry) {
    if (!value.is_object()) {
        return manifest_invalid(
            path, fmt::format("must be a descriptor object (mediaType, digest, size), "
                              "got {}",
                              value.type_name()));
    }
    auto media = required_string(value, path, "mediaType");
    if (!media) {
        return std::move(media).error();
    }
    const json* digest_value = member(value, "digest");
    const auto digest_field = join(path, "digest");
    if (digest_value == nullptr) {
        return manifest_invalid(digest_field, "is required");
    }
    if (!digest_value->is_string()) {
        return manifest_invalid(digest_field,
                                fmt::format("must be a string, got {}", digest_value->type_name()));
    }
    auto digest = Digest::parse(digest_value->get_ref<const std::string&>());
    if (!digest) {
        return manifest_invalid(digest_field, fmt::format("is wrong: {}", digest.error().message));
    }
    auto size = parse_size(value, path);
    if (!size) {
        return std::move(size).error();
    }
    auto artifact_type = optional_string(value, path, "artifactType");
    if (!artifact_type) {
        return std::move(artifact_type).error();
    }
    auto annotations = parse_annotations(value, path);
    if (!annotations) {
        return std::move(annotations).error();
    }
    std::vector<std::string> urls;
    if (const json* list = member(value, "urls")) {
        if (!list->is_array()) {
            return manifest_invalid(
                join(path, "urls"),
                fmt::format("must be an array of strings, got {}", list->type_name()));
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto& url = (*list)[i];
            if (!url.is_string()) {
                return manifest_invalid(fmt::format("{}.urls[{}]", path, i),
                                        fmt::format("must be a string, got {}", url.type_name()));
            }
            urls.push_back(url.get<std::string>());
        }
    }
    json platform = nullptr;
    if (index_entry) {
        auto parsed = parse_platform(value, path);
        if (!parsed) {
            return std::move(parsed).error();
        }
        platform = std::move(*parsed);
    }
    return Descriptor{std::move(*media),         std::move(*digest),      *size,
                      std::move(*artifact_type), std::move(*annotations), std::move(urls),
                      std::move(platform)};
}

Result<std::vector<Descriptor>> parse_descriptor_list(const json& doc, std::string_view key,
                                                      bool index_entries, std::string_view kind) {
    const json* list = member(doc, key);
    if (list == nullptr) {
        return manifest_invalid(std::string(key),
                                fmt::format("is required in {} (an array of descriptors)", kind));
    }
    if (!list->is_array()) {
        return manifest_invalid(
            std::string(key),
            fmt::format("must be an array of descriptors, got {}", list->type_name()));
    }
    std::vector<Descriptor> out;
    out.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto d = parse_descriptor((*list)[i], fmt::format("{}[{}]", key, i), index_entries);
        if (!d) {
            return std::move(d).error();
        }
        out.push_back(std::move(*d));
    }
    return out;
}

}  // namespace detail

nlohmann::json Descriptor::to_json() const {
    nlohmann::json out = nlohmann::json::object();
    out["mediaType"] = media_type;
    out["digest"] = digest.str();
    out["size"] = size;
    if (!artifact_type.empty()) {
        out["artifactType"] = artifact_type;
    }
    if (!annotations.empty()) {
        out["annotations"] = annotations;
    }
    if (!urls.empty()) {
        out["urls"] = urls;
    }
    if (!platform.is_null()) {
        out["platform"] = platform;
    }
    return out;
}

}  // namespace wharf::model
