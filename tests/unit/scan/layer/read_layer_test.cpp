#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "scan/layer/layer.hpp"
#include "unit/scan/layer/archive_builder.hpp"

namespace wharf::scan::layer {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the builders
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kOsRelease = "ID=debian\nVERSION_ID=\"12\"\n";
// An ELF start, then Go's build-information header at a 16-byte aligned offset: what the
// reader keeps of a program is that header onwards.
const std::string kGoMagic("\xff Go buildinf:", 14);
const std::string kElf = std::string(
                             "\x7f"
                             "ELF\x02\x01\x01",
                             7) +
                         std::string(25, '\0') + kGoMagic + std::string(100, '\0');
const std::string kBuildInfo = kElf.substr(32);

std::vector<Entry> basic_entries() {
    return {dir("./"),
            dir("./etc/"),
            file("./etc/os-release", kOsRelease),
            file("./etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
            file("./var/lib/dpkg/status", "Package: bash\n"),
            file("./usr/share/doc/big.txt", std::string(100'000, 'x'))};
}

void expect_basic(const LayerContents& c) {
    ASSERT_EQ(c.files.size(), 2u);
    EXPECT_EQ(c.files[0].path, "etc/os-release");
    EXPECT_EQ(c.files[0].kind, FileKind::os_release);
    EXPECT_EQ(c.files[0].bytes, kOsRelease);
    EXPECT_EQ(c.files[1].path, "var/lib/dpkg/status");
    EXPECT_EQ(c.files[1].kind, FileKind::dpkg_status);
    EXPECT_EQ(c.entries, 6u);
    EXPECT_THAT(c.notes, IsEmpty());
}

class Compressions : public ::testing::TestWithParam<Filter> {};

TEST_P(Compressions, KeepsInterestingFilesOnly) {
    const std::string bytes = build_tar(basic_entries(), GetParam());
    auto c = read_bytes(bytes);
    ASSERT_TRUE(c) << c.error().message;
    expect_basic(*c);
    EXPECT_EQ(c->bytes_read, bytes.size());
}

TEST_P(Compressions, OneByteReadsGiveTheSameResult) {
    auto c = read_layer(reader(build_tar(basic_entries(), GetParam()), 1));
    ASSERT_TRUE(c) << c.error().message;
    expect_basic(*c);
}

TEST_P(Compressions, TruncatedStreamFailsWithoutPartialResult) {
    std::vector<Entry> entries = basic_entries();
    std::mt19937 rng(7);  // incompressible content, so the cut falls inside the data
    std::string noise(200'000, '\0');
    for (auto& ch : noise) {
        ch = static_cast<char>(rng());
    }
    entries.push_back(file("var/lib/dpkg/status.d/base", noise));
    const std::string bytes = build_tar(entries, GetParam());
    auto c = read_bytes(bytes.substr(0, bytes.size() / 2));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::bad_request);
    EXPECT_THAT(c.error().message, HasSubstr("truncated or corrupt"));
}

std::string filter_name(const ::testing::TestParamInfo<Filter>& info) {
    switch (info.param) {
        case Filter::none:
            return "plain";
        case Filter::gzip:
            return "gzip";
        case Filter::zstd:
            return "zstd";
        case Filter::xz:
            return "xz";
    }
    return "unknown";
}

INSTANTIATE_TEST_SUITE_P(Layer, Compressions,
                         ::testing::Values(Filter::none, Filter::gzip, Filter::zstd, Filter::xz),
                         filter_name);

TEST(ReadLayer, EmptyTarIsAnEmptyLayer) {
    auto c = read_bytes(build_tar({}, Filter::gzip));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(c->files, IsEmpty());
    EXPECT_EQ(c->entries, 0u);
}

TEST(ReadLayer, WhiteoutsAndOpaqueDirsAreNotContent) {
    auto c = read_bytes(build_tar({
        file("etc/.wh.os-release", ""),
        file("usr/lib/.wh..wh..opq", ""),
        file(".wh..wh..opq", ""),
        file(".wh.tmp", ""),
        file("var/lib/dpkg/.wh.status", "not content"),
        file("var/.wh..wh.plnk", ""),  // AUFS bookkeeping: neither
        file("var/lib/dpkg/status", "Package: a\n"),
    }));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(c->whiteouts, ElementsAre("etc/os-release", "tmp", "var/lib/dpkg/status"));
    EXPECT_THAT(c->opaque_dirs, ElementsAre("usr/lib", ""));
    ASSERT_EQ(c->files.size(), 1u);
    EXPECT_EQ(c->files[0].path, "var/lib/dpkg/status");
    EXPECT_EQ(c->entries, 7u);
}

TEST(ReadLayer, TraversalNamesAreSkippedWithANote) {
    auto c = read_bytes(build_tar({
        file("../../etc/passwd", "evil"),
        file("etc/../etc/os-release", "evil"),
        file("/etc/os-release", kOsRelease),  // absolute names are relative to the root
        file("//usr///lib/os-release", kOsRelease),
    }));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 2u);
    EXPECT_EQ(c->files[0].path, "etc/os-release");
    EXPECT_EQ(c->files[0].bytes, kOsRelease);
    EXPECT_EQ(c->files[1].path, "usr/lib/os-release");
    ASSERT_EQ(c->notes.size(), 2u);
    EXPECT_THAT(c->notes[0], HasSubstr("../../etc/passwd: skipped"));
    EXPECT_THAT(c->notes[1], HasSubstr("\"..\""));
}

TEST(ReadLayer, SymlinksAreRecordedNotFollowed) {
    auto c = read_bytes(build_tar({
        symlink("etc/os-release", "../usr/lib/os-release"),
        symlink("etc/escape", "../../../../etc/shadow"),
        symlink("./bin", "/usr/bin"),
        file("usr/lib/os-release", kOsRelease),
    }));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->symlinks.size(), 3u);
    EXPECT_EQ(c->symlinks.at("etc/os-release"), "../usr/lib/os-release");
    EXPECT_EQ(c->symlinks.at("etc/escape"), "../../../../etc/shadow");
    EXPECT_EQ(c->symlinks.at("bin"), "/usr/bin");
    ASSERT_EQ(c->files.size(), 1u);
    EXPECT_EQ(c->files[0].path, "usr/lib/os-release");
    EXPECT_EQ(resolve_symlink("etc/os-release", c->symlinks), "usr/lib/os-release");
    EXPECT_EQ(resolve_symlink("etc/escape", c->symlinks), "etc/shadow");  // clamped at the root
}

TEST(ReadLayer, HardlinkToAKeptFileCopiesItsBytes) {
    auto c = read_bytes(build_tar({
        file("usr/lib/os-release", kOsRelease), hardlink("etc/os-release", "usr/lib/os-release"),
        file("tmp/status", "Package: x\n"),
        hardlink("var/lib/dpkg/status", "tmp/status"),  // target was not kept
        hardlink("tmp/copy", "usr/lib/os-release"),     // not interesting itself
    }));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 2u);
    EXPECT_EQ(c->files[1].path, "etc/os-release");
    EXPECT_EQ(c->files[1].kind, FileKind::os_release);
    EXPECT_EQ(c->files[1].bytes, kOsRelease);
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_THAT(c->notes[0], HasSubstr("var/lib/dpkg/status: skipped: hardlink to tmp/status"));
}

TEST(ReadLayer, FileOverTheCapIsSkippedWithANote) {
    Limits limits;
    limits.max_file_bytes = 1000;
    auto c = read_bytes(build_tar({
                            file("var/lib/dpkg/status", std::string(1001, 'x')),
                            file("etc/os-release", std::string(1000, 'y')),
                        }),
                        limits);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 1u);
    EXPECT_EQ(c->files[0].path, "etc/os-release");
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_EQ(c->notes[0], "var/lib/dpkg/status: skipped: 1001 bytes, over the 1000-byte cap");
}

TEST(ReadLayer, KeptBytesTotalIsCapped) {
    Limits limits;
    limits.max_kept_bytes = 2500;
    auto c = read_bytes(build_tar({
                            file("a/node_modules/x/package.json", std::string(1000, 'x')),
                            file("b/node_modules/x/package.json", std::string(1000, 'x')),
                            file("c/node_modules/x/package.json", std::string(1000, 'x')),
                            file("d/node_modules/x/package.json", std::string(500, 'x')),
                        }),
                        limits);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 3u);
    EXPECT_EQ(c->files[2].path, "d/node_modules/x/package.json");
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_THAT(c->notes[0], HasSubstr("c/node_modules/x/package.json: skipped: the layer's kept"));
}

TEST(ReadLayer, ProgramsWithoutBuildInfoAreNotKept) {
    const std::string plain_elf = kElf.substr(0, 32) + std::string(200, 'x');
    const std::string misaligned = kElf.substr(0, 33) + kGoMagic + std::string(40, '\0');
    const std::string rust = kElf.substr(0, 32) + ".dep-v0" + std::string(40, '\0');
    auto c = read_bytes(build_tar({file("usr/bin/c", plain_elf, 0755),
                                   file("usr/bin/odd", misaligned, 0755),
                                   file("usr/bin/rusty", rust, 0755)}));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 1u);
    EXPECT_EQ(c->files[0].path, "usr/bin/rusty");
    EXPECT_EQ(c->files[0].bytes, rust);  // cargo-auditable needs the section table: whole
}

TEST(ReadLayer, DevicesAndFifosAreIgnored) {
    Entry dev{"etc/os-release", "", AE_IFCHR, 0600, {}, {}};
    Entry fifo{"var/lib/dpkg/status", "", AE_IFIFO, 0600, {}, {}};
    auto c = read_bytes(build_tar({dev, fifo}));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_THAT(c->files, IsEmpty());
    EXPECT_EQ(c->entries, 2u);
}

TEST(ReadLayer, ExecutablesAreKeptOnlyWhenElf) {
    Limits limits;
    limits.max_executable_probe = 50;
    auto c = read_bytes(build_tar({
                            file("usr/bin/app", kElf, 0755),
                            file("usr/bin/script", "#!/bin/sh\necho hi\n", 0755),
                            file("usr/lib/libx.so", kElf, 0644),  // no exec bit
                            file("usr/bin/tiny",
                                 std::string("\x7f"
                                             "EL",
                                             3),
                                 0755),
                            hardlink("usr/bin/app2", "usr/bin/app", 0755),
                        }),
                        limits);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 2u);
    EXPECT_EQ(c->files[0].path, "usr/bin/app");
    EXPECT_EQ(c->files[0].kind, FileKind::executable);
    EXPECT_EQ(c->files[0].bytes, kElf.substr(32, 18));  // the build info within the probe
    EXPECT_THAT(c->notes, ElementsAre("usr/bin/app: executable truncated to its first 50 bytes"));
    EXPECT_EQ(c->files[1].path, "usr/bin/app2");
}

TEST(ReadLayer, ExecutableUnderTheProbeKeepsItsWholeBuildInfo) {
    auto c = read_bytes(build_tar({file("app", kElf, 0700)}, Filter::gzip));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->files.size(), 1u);
    EXPECT_EQ(c->files[0].bytes, kBuildInfo);
}

TEST(ReadLayer, TooManyEntriesFails) {
    Limits limits;
    limits.max_entries = 3;
    std::vector<Entry> entries{file("a", ""), file("b", ""), file("c", "")};
    auto ok = read_bytes(build_tar(entries), limits);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->entries, 3u);
    entries.push_back(file("d", ""));
    auto c = read_bytes(build_tar(entries), limits);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::bad_request);
    EXPECT_EQ(c.error().message, "layer has more than 3 entries");
}

TEST(ReadLayer, RandomBytesAreNotATar) {
    std::mt19937 rng(1);
    std::string noise(10'000, '\0');
    for (auto& ch : noise) {
        ch = static_cast<char>(rng());
    }
    auto c = read_bytes(noise);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::bad_request);
    EXPECT_THAT(c.error().message, HasSubstr("layer is not a tar archive"));
}

TEST(ReadLayer, ZipIsNotATar) {
    auto c = read_bytes(build_zip({file("etc/os-release", kOsRelease)}));
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("layer is not a tar archive"));
}

TEST(ReadLayer, GzipOfSomethingElseIsNotATar) {
    std::string gz;
    {
        // A gzip stream whose content is text, written through the same writer as raw data.
        std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                                  &archive_write_free);
        archive_write_set_format_raw(a.get());
        archive_write_add_filter_gzip(a.get());
        archive_write_open(a.get(), &gz, nullptr, &append_to_string, nullptr);
        auto* e = archive_entry_new();
        archive_entry_set_filetype(e, AE_IFREG);
        archive_write_header(a.get(), e);
        const std::string text(2000, 'z');
        archive_write_data(a.get(), text.data(), text.size());
        archive_entry_free(e);
        archive_write_close(a.get());
    }
    auto c = read_bytes(gz);
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("not a tar archive"));
    EXPECT_THAT(c.error().message, HasSubstr("gzip"));
}

TEST(ReadLayer, EmptyInputIsAnError) {
    auto c = read_bytes("");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::bad_request);
    EXPECT_THAT(c.error().message, HasSubstr("empty"));
}

TEST(ReadLayer, SourceErrorIsReturnedAsIs) {
    int calls = 0;
    ReadFn failing = [&](std::span<std::byte>) -> Result<std::size_t> {
        if (++calls == 1) {
            return Error{Errc::unavailable, "blob store went away"};
        }
        return std::size_t{0};
    };
    auto c = read_layer(failing);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::unavailable);
    EXPECT_EQ(c.error().message, "blob store went away");
}

TEST(ReadLayer, SourceThatThrowsBecomesAnError) {
    const std::string bytes = build_tar(basic_entries());
    std::size_t pos = 0;
    ReadFn throwing = [&](std::span<std::byte> out) -> Result<std::size_t> {
        if (pos > 0) {
            throw std::runtime_error("disk on fire");
        }
        const std::size_t n = std::min<std::size_t>(out.size(), 1024);
        std::memcpy(out.data(), bytes.data(), n);
        pos += n;
        return n;
    };
    auto c = read_layer(throwing);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::internal);
    EXPECT_THAT(c.error().message, HasSubstr("disk on fire"));
}

TEST(ReadLayer, NotesStopAtAHundred) {
    std::vector<Entry> entries;
    for (int i = 0; i < 150; ++i) {
        entries.push_back(file("../x" + std::to_string(i), ""));
    }
    auto c = read_bytes(build_tar(entries));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->notes.size(), 100u);
    EXPECT_EQ(c->entries, 150u);
}

}  // namespace
}  // namespace wharf::scan::layer
