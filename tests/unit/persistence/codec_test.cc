#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

#include "persistence/crc64.h"
#include "persistence/lzf.h"

using namespace larder;

namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

uint64_t Le64(std::string_view b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | uint8_t(b[size_t(i)]);
  return v;
}

// DUMP payloads from redis-server 7.0.15: <type 0> <string> <version 10, LE> <CRC-64 LE>.
// The first string is LZF-compressed (0xC3 <clen 34> <len 155> <data>).
const std::string kDumpCompressed = Unhex(
    "00c322409b0668656c6c6f2068e00e0505776f726c642ce0101e8036e048240674686520656e640a00"
    "9763b65c03a31ad6");
const std::string kDumpPlain = Unhex(
    "002e6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435363738394142434445"
    "464748494a0a007d6a0a5b632bb19e");

std::string HelloText() {
  std::string v;
  for (int i = 0; i < 4; ++i) v += "hello hello hello hello hello world, ";
  return v + "the end";
}

}  // namespace

TEST_CASE("CRC-64/Jones check value and redis-server's DUMP checksums", "[persistence][crc64]") {
  CHECK(Crc64(0, "123456789") == 0xe9c6d914c4b8d9caull);
  CHECK(Crc64(0, "") == 0);
  for (const std::string& dump : {kDumpCompressed, kDumpPlain}) {
    const std::string_view body(dump.data(), dump.size() - 8);
    CHECK(Crc64(0, body) == Le64(std::string_view(dump).substr(dump.size() - 8)));
  }
  // Incremental use equals one pass, at any split (covers the 8-byte fast path).
  const std::string text = HelloText();
  for (size_t cut = 0; cut <= text.size(); cut += 7) {
    CHECK(Crc64(Crc64(0, std::string_view(text).substr(0, cut)), std::string_view(text).substr(cut)) ==
          Crc64(0, text));
  }
}

TEST_CASE("LZF decompresses what redis-server compressed", "[persistence][lzf]") {
  REQUIRE(uint8_t(kDumpCompressed[1]) == 0xC3);
  const std::string data = kDumpCompressed.substr(5, 34);
  std::string out;
  REQUIRE(LzfDecompress(data, 155, &out));
  CHECK(out == HelloText());
  CHECK_FALSE(LzfDecompress(data, 154, &out));  // the length must match exactly
  std::string packed;
  REQUIRE(LzfCompress(HelloText(), 155 - 4, &packed));
  CHECK(packed == data);  // the compressor writes Redis's bytes
  CHECK_FALSE(LzfDecompress(data, 156, &out));
}

TEST_CASE("LZF round trips and compresses repetitive data", "[persistence][lzf]") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 300; ++round) {
    const size_t len = rng() % 5000;
    std::string in;
    const int alphabet = 1 + int(rng() % 40);  // from very repetitive to random-ish
    while (in.size() < len) {
      if (!in.empty() && rng() % 3 == 0) {
        const size_t from = rng() % in.size();
        in += in.substr(from, std::min<size_t>(rng() % 300, len - in.size()));
      } else {
        in.push_back(char('a' + rng() % uint64_t(alphabet)));
      }
    }
    std::string packed, back;
    REQUIRE(LzfCompress(in, in.size() + in.size() / 32 + 16, &packed));
    REQUIRE(LzfDecompress(packed, in.size(), &back));
    REQUIRE(back == in);
  }
  std::string zeros(100000, '\0'), packed;
  REQUIRE(LzfCompress(zeros, zeros.size(), &packed));
  CHECK(packed.size() < 1500);
  std::string random_bytes;
  for (int i = 0; i < 1000; ++i) random_bytes.push_back(char(rng()));
  CHECK_FALSE(LzfCompress(random_bytes, random_bytes.size() - 4, &packed));  // Redis's rule
}

TEST_CASE("LZF refuses corrupted input without reading or writing out of bounds",
          "[persistence][lzf]") {
  std::string out;
  CHECK_FALSE(LzfDecompress(std::string("\x05" "ab", 3), 6, &out));      // run past the input
  CHECK_FALSE(LzfDecompress(std::string("\x01" "ab", 3), 1, &out));      // run past the output
  CHECK_FALSE(LzfDecompress(std::string("\x00" "a\x20\x05", 4), 10, &out));  // copy from before the start
  CHECK_FALSE(LzfDecompress(std::string("\xe0", 1), 10, &out));          // truncated long match
  CHECK_FALSE(LzfDecompress(std::string("\x20", 1), 10, &out));          // truncated offset
  // Every truncation and single-byte change of a valid stream is either refused or
  // decodes to some string of the requested length (never a crash: ASan checks this).
  std::string packed;
  const std::string text = HelloText();
  REQUIRE(LzfCompress(text, text.size(), &packed));
  for (size_t cut = 0; cut < packed.size(); ++cut) {
    CHECK_FALSE(LzfDecompress(packed.substr(0, cut), text.size(), &out));
  }
  for (size_t i = 0; i < packed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = packed;
      bad[i] = char(bad[i] ^ (1 << bit));
      if (LzfDecompress(bad, text.size(), &out)) CHECK(out.size() == text.size());
    }
  }
}
