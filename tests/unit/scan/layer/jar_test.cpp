#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scan/layer/layer.hpp"
#include "unit/scan/layer/archive_builder.hpp"

namespace wharf::scan::layer {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the builders
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kPom = "groupId=org.example\nartifactId=lib\nversion=1.2.3\n";
const std::string kManifest = "Manifest-Version: 1.0\nImplementation-Version: 2.0\n";

std::string inner_jar() {
    return build_zip({
        file("META-INF/MANIFEST.MF", kManifest),
        file("META-INF/maven/org.inner/inner/pom.properties", "artifactId=inner\n"),
        file("org/inner/A.class", std::string(500, 'c')),
    });
}

std::string outer_jar() {
    return build_zip({
        dir("META-INF/"),
        file("META-INF/MANIFEST.MF", kManifest),
        file("META-INF/maven/org.example/lib/pom.properties", kPom),
        file("META-INF/maven/org.example/lib/pom.xml", "<project/>"),
        file("META-INF/maven/too/deep/x/pom.properties", "no"),
        file("org/example/Main.class", std::string(2000, 'c')),
        file("BOOT-INF/lib/inner.jar", inner_jar()),
    });
}

std::vector<std::string> paths(const LayerContents& c) {
    std::vector<std::string> out;
    for (const auto& f : c.files) {
        out.push_back(f.path);
    }
    return out;
}

TEST(Jar, MembersOfInterestAreReportedNotTheJar) {
    auto c = read_bytes(build_tar({file("opt/app/app.jar", outer_jar())}, Filter::gzip));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(paths(*c),
                ElementsAre("opt/app/app.jar!/META-INF/MANIFEST.MF",
                            "opt/app/app.jar!/META-INF/maven/org.example/lib/pom.properties",
                            "opt/app/app.jar!/BOOT-INF/lib/inner.jar!/META-INF/MANIFEST.MF",
                            "opt/app/app.jar!/BOOT-INF/lib/inner.jar!/META-INF/maven/org.inner/"
                            "inner/pom.properties"));
    EXPECT_EQ(c->files[0].kind, FileKind::jar_manifest);
    EXPECT_EQ(c->files[0].bytes, kManifest);
    EXPECT_EQ(c->files[1].kind, FileKind::jar_pom_properties);
    EXPECT_EQ(c->files[1].bytes, kPom);
    EXPECT_EQ(c->files[3].bytes, "artifactId=inner\n");
    EXPECT_THAT(c->notes, IsEmpty());
}

TEST(Jar, DepthLimitStopsNestedJars) {
    const std::string level3 = build_zip({file("META-INF/MANIFEST.MF", "three")});
    const std::string level2 =
        build_zip({file("META-INF/MANIFEST.MF", "two"), file("lib/l3.jar", level3)});
    const std::string level1 =
        build_zip({file("META-INF/MANIFEST.MF", "one"), file("lib/l2.jar", level2)});
    Limits limits;
    limits.max_jar_depth = 2;
    auto c = read_bytes(build_tar({file("a.jar", level1)}), limits);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(paths(*c), ElementsAre("a.jar!/META-INF/MANIFEST.MF",
                                       "a.jar!/lib/l2.jar!/META-INF/MANIFEST.MF"));
    EXPECT_THAT(c->notes, ElementsAre("a.jar!/lib/l2.jar!/lib/l3.jar: nested jar not opened: "
                                      "deeper than 2 levels"));

    limits.max_jar_depth = 3;
    c = read_bytes(build_tar({file("a.jar", level1)}), limits);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->files.size(), 3u);
    EXPECT_EQ(c->files[2].bytes, "three");
}

TEST(Jar, RatioGuardStopsAZipBomb) {
    Limits limits;
    limits.max_jar_ratio = 50;
    const std::string bomb = build_zip({
        file("META-INF/MANIFEST.MF", kManifest),
        file("zeros.bin", std::string(20u << 20, '\0')),  // 20 MiB deflates to ~20 KiB
        file("META-INF/maven/a/b/pom.properties", kPom),  // after the bomb: not reached
    });
    ASSERT_LT(bomb.size(), 200'000u);
    auto c =
        read_bytes(build_tar({file("bomb.jar", bomb), file("etc/os-release", "ID=x\n")}), limits);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(paths(*c), ElementsAre("bomb.jar!/META-INF/MANIFEST.MF", "etc/os-release"));
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_THAT(c->notes[0], AllOf(HasSubstr("bomb.jar!/zeros.bin: zip bomb guard"),
                                   HasSubstr("more than 50 times")));
}

TEST(Jar, InflatedTotalGuardCoversNestedJars) {
    Limits limits;
    limits.max_jar_inflated = 100'000;
    const std::string inner = build_zip({file("data.bin", std::string(60'000, 'a'))});
    const std::string outer = build_zip({
        file("lib/one.jar", inner),
        file("lib/two.jar", inner),
        file("META-INF/MANIFEST.MF", kManifest),
    });
    auto c = read_bytes(build_tar({file("app.war", outer)}), limits);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(paths(*c), IsEmpty());
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_THAT(c->notes[0], AllOf(HasSubstr("app.war!/lib/two.jar!/data.bin: zip bomb guard"),
                                   HasSubstr("more than 100000 bytes")));
}

TEST(Jar, CorruptJarIsANoteNotAFailure) {
    std::string jar = outer_jar();
    std::string cut = jar.substr(0, jar.size() / 3);
    auto c = read_bytes(build_tar({
        file("bad.jar", "this is not a zip file at all"),
        file("cut.jar", cut),
        file("etc/os-release", "ID=x\n"),
    }));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->files.back().path, "etc/os-release");
    ASSERT_EQ(c->notes.size(), 2u);
    EXPECT_THAT(c->notes[0], HasSubstr("bad.jar: jar not read"));
    EXPECT_THAT(c->notes[1], HasSubstr("cut.jar"));
}

TEST(Jar, HardlinkToAJarCopiesItsMembers) {
    auto c = read_bytes(build_tar({
        file("a/lib.jar", build_zip({file("META-INF/MANIFEST.MF", kManifest)})),
        hardlink("b/lib.jar", "a/lib.jar"),
    }));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(paths(*c),
                ElementsAre("a/lib.jar!/META-INF/MANIFEST.MF", "b/lib.jar!/META-INF/MANIFEST.MF"));
    EXPECT_EQ(c->files[1].kind, FileKind::jar_manifest);
}

}  // namespace
}  // namespace wharf::scan::layer
