#include <fmt/format.h>

#include "common/version.hpp"
#include "registry/manifests.hpp"
#include "registry/scans.hpp"
#include "scan/sbom.hpp"

// Every completed scan stores its inventory as two OCI artifacts whose subject is the image
// (SPDX 2.3 and CycloneDX 1.5), so the referrers API lists them and any OCI client fetches them.
namespace wharf::registry {
namespace {

using nlohmann::json;

constexpr std::string_view kEmptyConfig = "{}";
constexpr std::string_view kEmptyMediaType = "application/vnd.oci.empty.v1+json";

std::span<const std::byte> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

Result<void> attach_sboms(ServiceContext& ctx, const model::RepoName& repo,
                          const model::Digest& image, const scan::Inventory& inventory) {
    std::optional<storage::ManifestRecord> subject;
    auto read = ctx.meta.read([&](storage::MetadataTx& tx) -> Result<void> {
        auto r = tx.repositories().find(repo);
        if (!r || !*r) {
            return r ? ok() : Result<void>(r.error());
        }
        auto m = tx.manifests().find((*r)->id, image);
        if (!m) {
            return m.error();
        }
        subject = std::move(*m);
        return ok();
    });
    if (!read) {
        return read.error();
    }
    if (!subject) {
        return ok();  // deleted meanwhile: nothing to describe
    }
    const scan::SbomSubject about{repo.str(), image.str(),
                                  ctx.options.public_host.empty() ? "localhost"
                                                                  : ctx.options.public_host,
                                  to_rfc3339(subject->pushed_at), fmt::format("wharf-{}", kVersion)};
    auto config = ctx.blobs.put(bytes_of(kEmptyConfig));
    if (!config) {
        return config.error();
    }
    ManifestService manifests(ctx);
    for (const auto& [media_type, document, title] :
         {std::tuple{scan::kSpdxMediaType, scan::spdx_document(inventory, about), "sbom.spdx.json"},
          std::tuple{scan::kCycloneDxMediaType, scan::cyclonedx_document(inventory, about),
                     "sbom.cdx.json"}}) {
        const std::string body = document.dump();
        auto blob = ctx.blobs.put(bytes_of(body));
        if (!blob) {
            return blob.error();
        }
        auto linked = ctx.meta.write([&](storage::MetadataTx& tx) -> Result<void> {
            auto r = tx.repositories().find(repo);
            if (!r || !*r) {
                return r ? Result<void>(Error{Errc::name_unknown, "repository deleted"})
                         : Result<void>(r.error());
            }
            const TimePoint now = ctx.clock.now();
            if (auto l = tx.blob_links().link((*r)->id, config->digest, config->size, now); !l) {
                return l;
            }
            return tx.blob_links().link((*r)->id, blob->digest, blob->size, now);
        });
        if (!linked) {
            return linked.error();
        }
        const json manifest{
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"artifactType", media_type},
            {"config",
             {{"mediaType", kEmptyMediaType},
              {"digest", config->digest.str()},
              {"size", config->size},
              {"data", "e30="}}},
            {"layers",
             json::array({{{"mediaType", media_type},
                           {"digest", blob->digest.str()},
                           {"size", blob->size},
                           {"annotations", {{"org.opencontainers.image.title", title}}}}})},
            {"subject",
             {{"mediaType", subject->media_type},
              {"digest", image.str()},
              {"size", subject->payload.size()}}},
            {"annotations",
             {{"org.opencontainers.image.created", about.created},
              {"dev.wharf.sbom.generator", about.tool}}}};
        const std::string text = manifest.dump();
        auto pushed = manifests.put(Caller{}, repo, model::Reference(model::Digest::of(text)),
                                    "application/vnd.oci.image.manifest.v1+json", text);
        if (!pushed) {
            return pushed.error();
        }
    }
    return ok();
}

}  // namespace wharf::registry
