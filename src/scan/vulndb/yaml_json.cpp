// YAML to JSON for the PyPA advisory database, which writes OSV records as YAML. Scalars stay
// text (a plain `fixed: 2.3.0` or `fixed: 1.10` must not become a number), so the OSV reader sees
// the same strings it would in JSON.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "scan/vulndb/detail.hpp"

namespace wharf::scan::vulndb::detail {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

struct Converter {
    std::size_t budget;  // nodes left; aliases can make a small file expand enormously

    Result<json> convert(const YAML::Node& node, int depth) {
        if (depth > kMaxDepth) {
            return bad(fmt::format("the YAML document nests deeper than {} levels", kMaxDepth));
        }
        if (budget == 0) {
            return bad("the YAML document expands to too many nodes (aliases?)");
        }
        --budget;
        switch (node.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                return json(nullptr);
            case YAML::NodeType::Scalar:
                return json(node.Scalar());
            case YAML::NodeType::Sequence: {
                json out = json::array();
                for (const auto& child : node) {
                    auto v = convert(child, depth + 1);
                    if (!v) {
                        return v;
                    }
                    out.push_back(std::move(*v));
                }
                return out;
            }
            case YAML::NodeType::Map: {
                json out = json::object();
                for (const auto& kv : node) {
                    if (!kv.first.IsScalar()) {
                        return bad("a YAML mapping key must be a plain scalar");
                    }
                    auto v = convert(kv.second, depth + 1);
                    if (!v) {
                        return v;
                    }
                    out[kv.first.Scalar()] = std::move(*v);
                }
                return out;
            }
        }
        return json(nullptr);
    }
};

}  // namespace

Result<json> yaml_to_json(std::string_view text) {
    try {
        const YAML::Node root = YAML::Load(std::string(text));
        Converter c{16 * text.size() + 1024};
        return c.convert(root, 0);
    } catch (const std::exception& e) {  // YAML::ParserException, DeepRecursion, bad_alloc
        return bad(fmt::format("the file is not valid YAML: {}", e.what()));
    }
}

}  // namespace wharf::scan::vulndb::detail
