// parse_manifest on arbitrary bodies; the first byte picks the Content-Type ('0'..'9' map to the
// table entries in order, so seed files stay readable).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/manifest.hpp"
#include "fuzz_check.hpp"

namespace {
constexpr std::array<std::string_view, 10> kContentTypes = {
    "",
    "application/json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
    "application/octet-stream",
    "text/plain",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const auto pick = static_cast<std::uint8_t>(data[0] - '0') % kContentTypes.size();
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    auto parsed = wharf::model::parse_manifest(body, kContentTypes[pick]);
    if (!parsed) {
        // Whatever we say goes on the wire as JSON; it must serialise.
        (void)nlohmann::json(
            {{"message", parsed.error().message}, {"detail", parsed.error().detail}})
            .dump();
        check(!parsed.error().message.empty());
        check(parsed.error().code != wharf::Errc::internal);
        return 0;
    }
    const auto& m = *parsed;
    check(!m.media_type.empty());
    check(wharf::model::is_index(m.kind) == !m.config.has_value());
    check(!wharf::model::is_index(m.kind) || m.layers.empty());
    for (const auto& d : m.blob_references()) {
        check(wharf::model::Digest::parse(d.str()).has_value());
    }
    for (const auto& d : m.manifest_references()) {
        check(wharf::model::Digest::parse(d.str()).has_value());
    }
    (void)m.effective_artifact_type();
    const auto dump_all = [](const std::vector<wharf::model::Descriptor>& list) {
        for (const auto& d : list) {
            check(d.size >= 0);
            (void)d.to_json().dump();
        }
    };
    dump_all(m.layers);
    dump_all(m.manifests);
    if (m.config) {
        (void)m.config->to_json().dump();
    }
    if (m.subject) {
        (void)m.subject->to_json().dump();
    }
    return 0;
}
