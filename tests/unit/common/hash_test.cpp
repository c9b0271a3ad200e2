#include "common/hash.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf {
namespace {

struct Vector {
    HashAlgorithm algorithm;
    std::string input;
    std::string hex;
};

const std::string kLong = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

std::vector<Vector> known_vectors() {
    return {
        {HashAlgorithm::sha256, "",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {HashAlgorithm::sha256, "abc",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {HashAlgorithm::sha256, kLong,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {HashAlgorithm::sha256, std::string(1000000, 'a'),
         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
        {HashAlgorithm::sha512, "",
         "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
         "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
        {HashAlgorithm::sha512, "abc",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
         "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {HashAlgorithm::sha512, kLong,
         "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
         "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
        {HashAlgorithm::sha512, std::string(1000000, 'a'),
         "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
         "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
    };
}

TEST(Hash, KnownVectorsOneShot) {
    for (const auto& v : known_vectors()) {
        SCOPED_TRACE(std::string(to_string(v.algorithm)) + " of " + std::to_string(v.input.size()) +
                     " bytes");
        EXPECT_EQ(hex_digest(v.algorithm, v.input), v.hex);
        EXPECT_EQ(hex_digest(v.algorithm, v.input).size(), hex_length(v.algorithm));
    }
}

TEST(Hash, IncrementalEqualsOneShot) {
    for (const auto& v : known_vectors()) {
        for (const std::size_t piece : {1u, 7u, 63u, 64u, 65u, 127u, 128u, 4096u}) {
            if (piece == 1 && v.input.size() > 10000) {
                continue;  // byte-at-a-time over a megabyte is slow in debug builds
            }
            SCOPED_TRACE(std::to_string(piece));
            Hasher h(v.algorithm);
            for (std::size_t at = 0; at < v.input.size(); at += piece) {
                h.update(std::string_view(v.input).substr(at, piece));
            }
            EXPECT_EQ(h.hex(), v.hex);
            EXPECT_EQ(h.bytes_hashed(), v.input.size());
        }
    }
}

TEST(Hash, HexLeavesStateUntouched) {
    Hasher h;
    h.update("ab");
    EXPECT_EQ(h.hex(), hex_digest(HashAlgorithm::sha256, "ab"));
    EXPECT_EQ(h.hex(), hex_digest(HashAlgorithm::sha256, "ab"));  // asking twice is harmless
    h.update("c");
    EXPECT_EQ(h.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, ByteSpanUpdateMatchesText) {
    const std::string text = "hello, registry";
    Hasher a;
    a.update(std::as_bytes(std::span{text.data(), text.size()}));
    EXPECT_EQ(a.hex(), hex_digest(HashAlgorithm::sha256, text));
}

TEST(Hash, ExportImportContinuesToTheSameDigest) {
    for (const auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::sha512}) {
        const std::string all = kLong + kLong + kLong + "tail";
        for (const std::size_t split :
             std::initializer_list<std::size_t>{0, 1, 3, 64, 100, 128, 129, all.size()}) {
            SCOPED_TRACE(std::string(to_string(algorithm)) + " split at " + std::to_string(split));
            Hasher first(algorithm);
            first.update(std::string_view(all).substr(0, split));
            const std::string state = first.export_state();

            auto resumed = Hasher::import_state(state);
            ASSERT_TRUE(resumed.has_value());
            EXPECT_EQ(resumed->algorithm(), algorithm);
            EXPECT_EQ(resumed->bytes_hashed(), split);
            resumed->update(std::string_view(all).substr(split));
            EXPECT_EQ(resumed->hex(), hex_digest(algorithm, all));
            EXPECT_EQ(resumed->bytes_hashed(), all.size());
        }
    }
}

TEST(Hash, ExportOfImportIsStable) {
    Hasher h(HashAlgorithm::sha512);
    h.update("some bytes");
    const auto state = h.export_state();
    auto again = Hasher::import_state(state);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->export_state(), state);
}

TEST(Hash, ImportOfGarbageIsNullopt) {
    const std::string good256 = Hasher(HashAlgorithm::sha256).export_state();
    const std::string good512 = Hasher(HashAlgorithm::sha512).export_state();
    std::string wrong_magic = good256;
    wrong_magic[0] = 'X';
    std::string wrong_kind = good256;
    wrong_kind[4] = '9';
    std::string kinds_swapped = good256;  // a sha256 body labelled sha512
    kinds_swapped[4] = '5';
    const std::vector<std::string> cases = {
        "",
        "garbage",
        "WHS1",
        std::string("WHS1\x32", 5),
        wrong_magic,
        wrong_kind,
        kinds_swapped,
        good256.substr(0, good256.size() - 1),
        good256 + "x",
        good512.substr(0, good512.size() - 1),
        std::string(good256.size(), '\0'),
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_FALSE(Hasher::import_state(cases[i]).has_value());
    }
}

TEST(Hash, MovedHasherKeepsItsState) {
    Hasher a;
    a.update("abc");
    Hasher b = std::move(a);
    EXPECT_EQ(b.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(b.bytes_hashed(), 3u);
}

TEST(Hash, AlgorithmNames) {
    EXPECT_EQ(to_string(HashAlgorithm::sha256), "sha256");
    EXPECT_EQ(to_string(HashAlgorithm::sha512), "sha512");
    EXPECT_EQ(hex_length(HashAlgorithm::sha256), 64u);
    EXPECT_EQ(hex_length(HashAlgorithm::sha512), 128u);
}

}  // namespace
}  // namespace wharf

namespace wharf {
namespace {

// A snapshot read back from disk may be corrupt: every field OpenSSL indexes with is checked.
TEST(HasherState, CorruptFieldsAreRefused) {
    for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::sha512}) {
        Hasher h(algorithm);
        h.update(std::string(300, 'x'));
        const std::string good = h.export_state();
        ASSERT_TRUE(Hasher::import_state(good));
        // Flip each byte of the state in turn; whatever is accepted must still hash safely.
        for (std::size_t i = 0; i < good.size(); ++i) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ 0x5a);
            if (auto imported = Hasher::import_state(bad)) {
                imported->update(std::string(1000, 'y'));
                (void)imported->hex();
            }
        }
    }
}

}  // namespace
}  // namespace wharf
