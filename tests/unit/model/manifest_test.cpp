#include "model/manifest.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "model/media_types.hpp"

namespace wharf::model {
namespace {

using json = nlohmann::json;
namespace mt = media_type;

constexpr std::string_view kLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

json descriptor(std::string_view media_type, std::string_view content) {
    return {
        {"mediaType", media_type}, {"digest", Digest::of(content).str()}, {"size", content.size()}};
}

json oci_image() {
    return {{"schemaVersion", 2},
            {"mediaType", mt::kOciManifest},
            {"config", descriptor(mt::kOciConfig, "config")},
            {"layers", {descriptor(kLayerGzip, "layer-1"), descriptor(kLayerGzip, "layer-2")}},
            {"annotations", {{"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}}}};
}

json oci_index() {
    json amd = descriptor(mt::kOciManifest, "amd64");
    amd["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
    json arm = descriptor(mt::kOciManifest, "arm64");
    arm["platform"] = {{"architecture", "arm64"}, {"os", "linux"}, {"variant", "v8"}};
    return {{"schemaVersion", 2}, {"mediaType", mt::kOciIndex}, {"manifests", {amd, arm}}};
}

json docker_image() {
    return {{"schemaVersion", 2},
            {"mediaType", mt::kDockerManifest},
            {"config", descriptor(mt::kDockerConfig, "config")},
            {"layers", {descriptor(kDockerLayer, "layer-1")}}};
}

json docker_list() {
    json entry = descriptor(mt::kDockerManifest, "amd64");
    entry["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
    return {{"schemaVersion", 2}, {"mediaType", mt::kDockerManifestList}, {"manifests", {entry}}};
}

json artifact_with_subject() {
    json m = {{"schemaVersion", 2},
              {"mediaType", mt::kOciManifest},
              {"artifactType", "application/vnd.dev.sigstore.bundle.v0.3+json"},
              {"config", descriptor(mt::kOciEmpty, "{}")},
              {"layers", {descriptor("application/vnd.dev.sigstore.bundle.v0.3+json", "sig")}},
              {"subject", descriptor(mt::kOciManifest, "the image")}};
    m["config"]["size"] = 2;
    return m;
}

ParsedManifest parse_ok(const json& body, std::string_view content_type) {
    auto parsed = parse_manifest(body.dump(), content_type);
    EXPECT_TRUE(parsed) << parsed.error().message;
    return parsed ? std::move(*parsed) : ParsedManifest{};
}

TEST(Manifest, OciImage) {
    const auto m = parse_ok(oci_image(), mt::kOciManifest);
    EXPECT_EQ(m.kind, ManifestKind::oci_manifest);
    EXPECT_FALSE(is_index(m.kind));
    EXPECT_EQ(m.media_type, mt::kOciManifest);
    ASSERT_TRUE(m.config);
    EXPECT_EQ(m.config->digest, Digest::of("config"));
    EXPECT_EQ(m.config->size, 6);
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_EQ(m.layers[1].media_type, kLayerGzip);
    EXPECT_TRUE(m.manifests.empty());
    EXPECT_FALSE(m.subject);
    EXPECT_EQ(m.annotations.at("org.opencontainers.image.created"), "2024-01-01T00:00:00Z");
    EXPECT_EQ(m.effective_artifact_type(), mt::kOciConfig);
    EXPECT_EQ(m.blob_references(), (std::vector<Digest>{Digest::of("config"), Digest::of("layer-1"),
                                                        Digest::of("layer-2")}));
    EXPECT_TRUE(m.manifest_references().empty());
}

TEST(Manifest, OciIndex) {
    const auto m = parse_ok(oci_index(), mt::kOciIndex);
    EXPECT_EQ(m.kind, ManifestKind::oci_index);
    EXPECT_TRUE(is_index(m.kind));
    EXPECT_FALSE(m.config);
    ASSERT_EQ(m.manifests.size(), 2u);
    EXPECT_EQ(m.manifests[1].platform["variant"], "v8");
    EXPECT_TRUE(m.blob_references().empty());
    EXPECT_EQ(m.manifest_references(),
              (std::vector<Digest>{Digest::of("amd64"), Digest::of("arm64")}));
    EXPECT_EQ(m.effective_artifact_type(), "");
}

TEST(Manifest, DockerImage) {
    const auto m = parse_ok(docker_image(), mt::kDockerManifest);
    EXPECT_EQ(m.kind, ManifestKind::docker_manifest);
    EXPECT_EQ(m.media_type, mt::kDockerManifest);
    EXPECT_EQ(m.blob_references().size(), 2u);
    EXPECT_EQ(m.effective_artifact_type(), mt::kDockerConfig);
}

TEST(Manifest, DockerManifestList) {
    const auto m = parse_ok(docker_list(), mt::kDockerManifestList);
    EXPECT_EQ(m.kind, ManifestKind::docker_manifest_list);
    EXPECT_TRUE(is_index(m.kind));
    EXPECT_EQ(m.manifest_references(), std::vector<Digest>{Digest::of("amd64")});
}

TEST(Manifest, ArtifactWithSubject) {
    const auto m = parse_ok(artifact_with_subject(), mt::kOciManifest);
    EXPECT_EQ(m.artifact_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
    EXPECT_EQ(m.effective_artifact_type(), "application/vnd.dev.sigstore.bundle.v0.3+json");
    ASSERT_TRUE(m.subject);
    EXPECT_EQ(m.subject->digest, Digest::of("the image"));
    EXPECT_EQ(m.config->media_type, mt::kOciEmpty);
    // The subject is not required to be present.
    EXPECT_EQ(m.blob_references(), (std::vector<Digest>{Digest::of("{}"), Digest::of("sig")}));
}

TEST(Manifest, ArtifactTypeFallsBackToConfigMediaType) {
    json body = oci_image();
    body["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json";
    const auto m = parse_ok(body, mt::kOciManifest);
    EXPECT_EQ(m.effective_artifact_type(), "application/vnd.cncf.helm.config.v1+json");
}

TEST(Manifest, IndexWithSubjectAndArtifactType) {
    json body = oci_index();
    body["subject"] = descriptor(mt::kOciManifest, "the image");
    body["artifactType"] = "application/vnd.example.sbom";
    body["annotations"] = {{"a", "b"}};
    const auto m = parse_ok(body, mt::kOciIndex);
    ASSERT_TRUE(m.subject);
    EXPECT_EQ(m.effective_artifact_type(), "application/vnd.example.sbom");
    EXPECT_EQ(m.annotations.at("a"), "b");
}

TEST(Manifest, EmptyLayersAreAllowed) {
    json body = artifact_with_subject();
    body["layers"] = json::array();
    EXPECT_TRUE(parse_ok(body, "").layers.empty());
}

TEST(Manifest, NonDistributableAndDuplicateLayersInReferences) {
    json body = oci_image();
    body["layers"].push_back(
        descriptor("application/vnd.oci.image.layer.nondistributable.v1.tar", "windows-1"));
    body["layers"].push_back(
        descriptor("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "windows-2"));
    body["layers"].push_back(
        descriptor("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", "windows-3"));
    json foreign = descriptor(mt::kDockerForeignLayer, "windows-4");
    foreign["urls"] = {"https://mcr.microsoft.com/v2/blobs/sha256:0"};
    body["layers"].push_back(foreign);
    body["layers"].push_back(descriptor(kLayerGzip, "layer-1"));  // repeated layer
    const auto m = parse_ok(body, mt::kOciManifest);
    EXPECT_EQ(m.layers.size(), 7u);
    EXPECT_EQ(m.layers[5].urls.size(), 1u);
    EXPECT_EQ(m.blob_references(), (std::vector<Digest>{Digest::of("config"), Digest::of("layer-1"),
                                                        Digest::of("layer-2")}));
}

TEST(Manifest, MediaTypePredicate) {
    EXPECT_TRUE(mt::is_non_distributable_layer(mt::kDockerForeignLayer));
    EXPECT_TRUE(
        mt::is_non_distributable_layer("application/vnd.oci.image.layer.nondistributable.v1.tar"));
    EXPECT_FALSE(mt::is_non_distributable_layer(kLayerGzip));
    EXPECT_FALSE(mt::is_non_distributable_layer(kDockerLayer));
    EXPECT_FALSE(mt::is_non_distributable_layer(""));
}

struct KindCase {
    std::string name;
    std::function<json()> body;
    std::string content_type;
    ManifestKind kind;
};

TEST(Manifest, KindFromBodyContentTypeOrFields) {
    const auto without_media_type = [](json j) {
        j.erase("mediaType");
        return j;
    };
    const std::vector<KindCase> cases = {
        {"params ignored", oci_image, "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
         ManifestKind::oci_manifest},
        {"content type case", oci_image, "Application/VND.OCI.Image.Manifest.v1+JSON",
         ManifestKind::oci_manifest},
        {"empty content type", oci_image, "", ManifestKind::oci_manifest},
        {"application/json", oci_index, "application/json", ManifestKind::oci_index},
        {"octet-stream", docker_list, "application/octet-stream; x=y",
         ManifestKind::docker_manifest_list},
        {"inferred image", [&] { return without_media_type(oci_image()); }, "",
         ManifestKind::oci_manifest},
        {"inferred index", [&] { return without_media_type(oci_index()); }, "application/json",
         ManifestKind::oci_index},
        {"kind from content type", [&] { return without_media_type(docker_image()); },
         std::string(mt::kDockerManifest), ManifestKind::docker_manifest},
        {"index from content type", [&] { return without_media_type(oci_index()); },
         std::string(mt::kOciIndex), ManifestKind::oci_index},
        {"null mediaType is absent",
         [&] {
             json j = oci_index();
             j["mediaType"] = nullptr;
             return j;
         },
         "", ManifestKind::oci_index},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto m = parse_manifest(c.body().dump(), c.content_type);
        ASSERT_TRUE(m) << m.error().message;
        EXPECT_EQ(m->kind, c.kind);
    }
}

struct ErrorCase {
    std::string name;
    std::string body;
    std::string content_type;
    Errc code;
    std::string message_part;
};

std::string with(json j, const std::function<void(json&)>& edit) {
    edit(j);
    return j.dump();
}

TEST(Manifest, ErrorTable) {
    const std::string image_ct(mt::kOciManifest);
    const std::string index_ct(mt::kOciIndex);
    const std::vector<ErrorCase> cases = {
        // not a JSON object
        {"not json", "not json", image_ct, Errc::manifest_invalid, "not valid JSON"},
        {"truncated", oci_image().dump().substr(0, 40), image_ct, Errc::manifest_invalid,
         "line 1, column"},
        {"empty body", "", image_ct, Errc::manifest_invalid, "not valid JSON"},
        {"array", "[]", image_ct, Errc::manifest_invalid, "must be a JSON object, got array"},
        {"string", "\"x\"", image_ct, Errc::manifest_invalid, "got string"},
        {"null", "null", image_ct, Errc::manifest_invalid, "got null"},
        {"trailing garbage", oci_image().dump() + "x", image_ct, Errc::manifest_invalid,
         "not valid JSON"},
        {"bad utf-8", "{\"schemaVersion\":2,\"a\":\"\xff\"}", image_ct, Errc::manifest_invalid,
         "not valid JSON"},
        {"comments", "{/*c*/\"schemaVersion\":2}", image_ct, Errc::manifest_invalid,
         "not valid JSON"},
        // schema version
        {"no schemaVersion", with(oci_image(), [](json& j) { j.erase("schemaVersion"); }), image_ct,
         Errc::manifest_invalid, "schemaVersion is required"},
        {"schemaVersion 3", with(oci_image(), [](json& j) { j["schemaVersion"] = 3; }), image_ct,
         Errc::manifest_invalid, "schemaVersion must be 2, got 3"},
        {"schemaVersion -2", with(oci_image(), [](json& j) { j["schemaVersion"] = -2; }), image_ct,
         Errc::manifest_invalid, "must be 2, got -2"},
        {"schemaVersion string", with(oci_image(), [](json& j) { j["schemaVersion"] = "2"; }),
         image_ct, Errc::manifest_invalid, "must be the number 2, got string"},
        {"schemaVersion float", with(oci_image(), [](json& j) { j["schemaVersion"] = 2.0; }),
         image_ct, Errc::manifest_invalid, "must be the number 2"},
        // schema 1
        {"schema 1 body",
         R"({"schemaVersion":1,"name":"library/x","tag":"latest","architecture":"amd64","fsLayers":[]})",
         "", Errc::unsupported, "schema 1 is not supported"},
        {"schema 1 signed content type", "{}", std::string(mt::kDockerSchema1Signed),
         Errc::unsupported, "push the image as Docker schema 2 or OCI"},
        {"schema 1 content type", "garbage", std::string(mt::kDockerSchema1), Errc::unsupported,
         "schema 1"},
        {"schema 1 media type in body",
         with(docker_image(), [](json& j) { j["mediaType"] = mt::kDockerSchema1; }), "",
         Errc::unsupported, "schema 1"},
        {"schema 1 without version", R"({"fsLayers":[],"signatures":[]})", "", Errc::unsupported,
         "schema 1"},
        // media types
        {"body and content type disagree", oci_image().dump(), std::string(mt::kDockerManifest),
         Errc::manifest_invalid,
         "\"application/vnd.oci.image.manifest.v1+json\" does not match the Content-Type "
         "\"application/vnd.docker.distribution.manifest.v2+json\""},
        {"index pushed as image", oci_index().dump(), image_ct, Errc::manifest_invalid,
         "does not match"},
        {"unknown content type", with(oci_image(), [](json& j) { j.erase("mediaType"); }),
         "text/plain", Errc::unsupported, "\"text/plain\" is not a manifest type"},
        {"unknown body media type",
         with(oci_image(), [](json& j) { j["mediaType"] = "application/vnd.example+json"; }), "",
         Errc::unsupported, "not a manifest type"},
        {"config type as manifest type", with(oci_image(), [](json& j) { j.erase("mediaType"); }),
         std::string(mt::kOciConfig), Errc::unsupported, "not a manifest type"},
        {"mediaType not a string", with(oci_image(), [](json& j) { j["mediaType"] = 1; }), "",
         Errc::manifest_invalid, "mediaType must be a string, got number"},
        {"mediaType empty", with(oci_image(), [](json& j) { j["mediaType"] = ""; }), "",
         Errc::manifest_invalid, "mediaType must not be empty"},
        {"cannot tell", R"({"schemaVersion":2})", "", Errc::manifest_invalid,
         "cannot tell what kind of manifest"},
        {"both config and manifests",
         with(oci_image(),
              [](json& j) {
                  j.erase("mediaType");
                  j["manifests"] = json::array();
              }),
         "", Errc::manifest_invalid, "both config and manifests"},
        {"image with manifests", with(oci_image(), [](json& j) { j["manifests"] = json::array(); }),
         image_ct, Errc::manifest_invalid, "manifests is not allowed in an image manifest"},
        {"index with layers", with(oci_index(), [](json& j) { j["layers"] = json::array(); }),
         index_ct, Errc::manifest_invalid, "layers is not allowed in an index"},
        {"index with config",
         with(oci_index(), [](json& j) { j["config"] = descriptor(mt::kOciConfig, "c"); }),
         index_ct, Errc::manifest_invalid, "config is not allowed in an index"},
        // required parts
        {"missing config", with(oci_image(), [](json& j) { j.erase("config"); }), image_ct,
         Errc::manifest_invalid, "config is required in an image manifest"},
        {"null config", with(oci_image(), [](json& j) { j["config"] = nullptr; }), image_ct,
         Errc::manifest_invalid, "config is required"},
        {"docker missing config", with(docker_image(), [](json& j) { j.erase("config"); }), "",
         Errc::manifest_invalid, "config is required"},
        {"missing layers", with(oci_image(), [](json& j) { j.erase("layers"); }), image_ct,
         Errc::manifest_invalid, "layers is required in an image manifest"},
        {"layers not array", with(oci_image(), [](json& j) { j["layers"] = json::object(); }),
         image_ct, Errc::manifest_invalid, "layers must be an array of descriptors, got object"},
        {"missing manifests", with(oci_index(), [](json& j) { j.erase("manifests"); }), index_ct,
         Errc::manifest_invalid, "manifests is required in an index"},
        {"config not object", with(oci_image(), [](json& j) { j["config"] = "sha256:x"; }),
         image_ct, Errc::manifest_invalid, "config must be a descriptor object"},
        {"layer not object", with(oci_image(), [](json& j) { j["layers"][1] = 5; }), image_ct,
         Errc::manifest_invalid, "layers[1] must be a descriptor object"},
        // descriptor fields
        {"digest missing", with(oci_image(), [](json& j) { j["layers"][0].erase("digest"); }),
         image_ct, Errc::manifest_invalid, "layers[0].digest is required"},
        {"digest not string", with(oci_image(), [](json& j) { j["config"]["digest"] = 12; }),
         image_ct, Errc::manifest_invalid, "config.digest must be a string, got number"},
        {"digest invalid",
         with(oci_image(), [](json& j) { j["layers"][1]["digest"] = "sha256:abc"; }), image_ct,
         Errc::manifest_invalid,
         "layers[1].digest is wrong: digest \"sha256:abc\" is invalid: sha256 needs 64"},
        {"digest algorithm",
         with(oci_image(), [](json& j) { j["layers"][0]["digest"] = "md5:abc"; }), image_ct,
         Errc::manifest_invalid, "unsupported algorithm"},
        {"size missing", with(oci_image(), [](json& j) { j["config"].erase("size"); }), image_ct,
         Errc::manifest_invalid, "config.size is required"},
        {"size negative", with(oci_image(), [](json& j) { j["layers"][0]["size"] = -1; }), image_ct,
         Errc::manifest_invalid, "layers[0].size must be a non-negative integer, got -1"},
        {"size string", with(oci_image(), [](json& j) { j["layers"][0]["size"] = "12"; }), image_ct,
         Errc::manifest_invalid, "must be a non-negative integer, got string"},
        {"size float", with(oci_image(), [](json& j) { j["layers"][0]["size"] = 1.5; }), image_ct,
         Errc::manifest_invalid, "must be a non-negative integer, got 1.5"},
        {"size too large",
         with(oci_image(), [](json& j) { j["layers"][0]["size"] = std::uint64_t{1} << 63; }),
         image_ct, Errc::manifest_invalid, "layers[0].size is too large"},
        {"size huge literal",
         R"({"schemaVersion":2,"config":{"mediaType":"a","size":1e999,"digest":"x"},"layers":[]})",
         "", Errc::manifest_invalid, "not valid JSON"},
        {"mediaType missing", with(oci_image(), [](json& j) { j["config"].erase("mediaType"); }),
         image_ct, Errc::manifest_invalid, "config.mediaType is required"},
        {"mediaType empty in descriptor",
         with(oci_image(), [](json& j) { j["layers"][0]["mediaType"] = ""; }), image_ct,
         Errc::manifest_invalid, "layers[0].mediaType must not be empty"},
        {"mediaType wrong type",
         with(oci_image(), [](json& j) { j["layers"][0]["mediaType"] = json::array(); }), image_ct,
         Errc::manifest_invalid, "layers[0].mediaType must be a string, got array"},
        {"annotation value not string",
         with(oci_image(), [](json& j) { j["annotations"]["n"] = 1; }), image_ct,
         Errc::manifest_invalid, "annotations[\"n\"] must be a string, got number"},
        {"annotations not object", with(oci_image(), [](json& j) { j["annotations"] = "x"; }),
         image_ct, Errc::manifest_invalid, "annotations must be an object of strings"},
        {"descriptor annotations",
         with(oci_image(),
              [](json& j) {
                  j["layers"][0]["annotations"] = {{"k", true}};
              }),
         image_ct, Errc::manifest_invalid, "layers[0].annotations[\"k\"] must be a string"},
        {"urls not array", with(oci_image(), [](json& j) { j["layers"][0]["urls"] = "u"; }),
         image_ct, Errc::manifest_invalid, "layers[0].urls must be an array of strings"},
        {"url not string", with(oci_image(), [](json& j) { j["layers"][0]["urls"] = {1}; }),
         image_ct, Errc::manifest_invalid, "layers[0].urls[0] must be a string"},
        {"artifactType not string", with(oci_image(), [](json& j) { j["artifactType"] = 7; }),
         image_ct, Errc::manifest_invalid, "artifactType must be a string"},
        {"subject not object", with(oci_image(), [](json& j) { j["subject"] = "sha256:x"; }),
         image_ct, Errc::manifest_invalid, "subject must be a descriptor object"},
        {"subject bad digest",
         with(artifact_with_subject(), [](json& j) { j["subject"]["digest"] = "sha256:"; }),
         image_ct, Errc::manifest_invalid, "subject.digest is wrong"},
        {"platform not object",
         with(oci_index(), [](json& j) { j["manifests"][0]["platform"] = "linux/amd64"; }),
         index_ct, Errc::manifest_invalid, "manifests[0].platform must be an object, got string"},
        {"platform without os",
         with(oci_index(), [](json& j) { j["manifests"][1]["platform"].erase("os"); }), index_ct,
         Errc::manifest_invalid, "manifests[1].platform.os is required"},
        {"child digest invalid",
         with(docker_list(), [](json& j) { j["manifests"][0]["digest"] = "latest"; }), "",
         Errc::manifest_invalid, "manifests[0].digest is wrong"},
        // size limit
        {"too large", std::string(kMaxManifestBytes + 1, ' '), image_ct, Errc::too_large,
         "the limit is 4194304 bytes"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto m = parse_manifest(c.body, c.content_type);
        ASSERT_FALSE(m);
        EXPECT_EQ(m.error().code, c.code) << m.error().message;
        EXPECT_NE(m.error().message.find(c.message_part), std::string::npos) << m.error().message;
        // Every message can go on the wire as JSON.
        EXPECT_NO_THROW(
            (void)json({{"message", m.error().message}, {"detail", m.error().detail}}).dump());
    }
}

TEST(Manifest, ErrorNamesTheFieldInDetail) {
    auto m = parse_manifest(with(oci_image(), [](json& j) { j["layers"][0]["size"] = -1; }),
                            mt::kOciManifest);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().detail["field"], "layers[0].size");
}

TEST(Manifest, JsonErrorCarriesThePosition) {
    auto m = parse_manifest("{\"schemaVersion\": x}", "");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::manifest_invalid);
    EXPECT_EQ(m.error().detail["position"], 19);  // the 'x', counting from 1
    EXPECT_NE(m.error().message.find("line 1, column 19"), std::string::npos) << m.error().message;
}

TEST(Manifest, ExactlyAtTheLimitIsAccepted) {
    std::string body = oci_image().dump();
    body.append(kMaxManifestBytes - body.size(), ' ');
    ASSERT_EQ(body.size(), kMaxManifestBytes);
    EXPECT_TRUE(parse_manifest(body, mt::kOciManifest));
}

TEST(Manifest, DeepNestingDoesNotCrash) {
    std::string body = "{\"schemaVersion\":2,\"x\":" + std::string(100000, '[') +
                       std::string(100000, ']') + ",\"config\":1}";
    auto m = parse_manifest(body, "");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::manifest_invalid);
}

TEST(Manifest, DeeplyNestedPlatformIsRefused) {
    json index = oci_index();
    index["manifests"][0]["platform"]["x"] = "deep";
    std::string body = index.dump();
    // Built as text: dump() of such a value would itself recurse too deeply.
    body.replace(body.find("\"deep\""), 6, std::string(200000, '[') + std::string(200000, ']'));
    auto m = parse_manifest(body, mt::kOciIndex);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::manifest_invalid);
    EXPECT_NE(m.error().message.find("manifests[0].platform is nested too deeply"),
              std::string::npos)
        << m.error().message;
    index["manifests"][0]["platform"]["x"] = {{"features", {"sse4"}}};
    EXPECT_TRUE(parse_manifest(index.dump(), mt::kOciIndex));
}

TEST(Manifest, UnknownFieldsAreIgnored) {
    json body = oci_image();
    body["x-vendor"] = {{"anything", {1, 2, 3}}};
    body["layers"][0]["data"] = "e30=";
    EXPECT_TRUE(parse_manifest(body.dump(), mt::kOciManifest));
}

TEST(Descriptor, ToJsonOmitsAbsentFields) {
    const auto m = parse_ok(oci_image(), mt::kOciManifest);
    const json j = m.config->to_json();
    EXPECT_EQ(j, descriptor(mt::kOciConfig, "config"));
    EXPECT_EQ(j.size(), 3u);
}

TEST(Descriptor, ToJsonKeepsPresentFields) {
    json entry = descriptor(mt::kOciManifest, "child");
    entry["artifactType"] = "application/vnd.example";
    entry["annotations"] = {{"k", "v"}};
    entry["urls"] = {"https://example.com/blob"};
    entry["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
    json index = {{"schemaVersion", 2}, {"manifests", {entry}}};
    const auto m = parse_ok(index, mt::kOciIndex);
    ASSERT_EQ(m.manifests.size(), 1u);
    EXPECT_EQ(m.manifests[0].to_json(), entry);
}

}  // namespace
}  // namespace wharf::model
