// Expected replies were checked against redis-server 7.0.15 (values as hex: the bytes
// redis-server's GET returned after the same commands).
#include <catch2/catch.hpp>

#include <random>

#include "unit/commands/harness.h"

using larder::testing::Harness;

namespace {

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string BulkHex(std::string_view hex) {
  std::string v = Hex(hex);
  return "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
}

// The bulk payload of a RESP bulk reply.
std::string Payload(const std::string& reply) {
  size_t start = reply.find("\r\n") + 2;
  return reply.substr(start, reply.size() - start - 2);
}

const char* kNotHll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
const char* kCorrupt = "-INVALIDOBJ Corrupted HLL object detected\r\n";

}  // namespace

TEST_CASE("PFADD and PFCOUNT keep redis-server's bytes", "[hll]") {
  Harness h;
  CHECK(h.Run({"PFADD", "h"}) == ":1\r\n");
  CHECK(h.Run({"GET", "h"}) == BulkHex("48594c4c0100000000000000000000807fff"));
  CHECK(h.Run({"PFADD", "h"}) == ":0\r\n");
  CHECK(h.Run({"PFADD", "h", "a"}) == ":1\r\n");
  CHECK(h.Run({"GET", "h"}) == BulkHex("48594c4c01000000000000000000008071a6844e57"));
  CHECK(h.Run({"PFADD", "h", "a"}) == ":0\r\n");
  CHECK(h.Run({"PFCOUNT", "h"}) == ":1\r\n");
  CHECK(h.Run({"GET", "h"}) == BulkHex("48594c4c01000000010000000000000071a6844e57"));
  CHECK(h.Run({"PFADD", "h", "b", "c", "a"}) == ":1\r\n");
  CHECK(h.Run({"GET", "h"}) == BulkHex("48594c4c01000000010000000000008060f38050b1844bfb80425a"));
  CHECK(h.Run({"PFCOUNT", "h"}) == ":3\r\n");
  CHECK(h.Run({"PFCOUNT", "h"}) == ":3\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "h"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"PFCOUNT", "missing"}) == ":0\r\n");
  CHECK(h.Run({"PFCOUNT", "missing", "missing2"}) == ":0\r\n");
  CHECK(h.Run({"PFCOUNT", "h", "missing"}) == ":3\r\n");
  CHECK(h.Run({"PFADD", "g", "c", "d", "e", "f"}) == ":1\r\n");
  CHECK(h.Run({"PFCOUNT", "h", "g"}) == ":6\r\n");
  CHECK(h.Run({"GET", "g"}) ==
        BulkHex("48594c4c010000000000000000000080466d80560c804476805a3f8044c9"));
  CHECK(h.Run({"PFADD", "h", "", "x\x00y"}) == ":1\r\n");
  CHECK(h.Run({"PFCOUNT", "h"}) == ":5\r\n");
  CHECK(h.Run({"PFADD"}) == "-ERR wrong number of arguments for 'pfadd' command\r\n");
  CHECK(h.Run({"PFCOUNT"}) == "-ERR wrong number of arguments for 'pfcount' command\r\n");
}

TEST_CASE("PFMERGE into new and existing keys", "[hll]") {
  Harness h;
  CHECK(h.Run({"PFMERGE", "m"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "m"}) == BulkHex("48594c4c0100000000000000000000807fff"));
  CHECK(h.Run({"PFADD", "a", "x", "y", "z"}) == ":1\r\n");
  CHECK(h.Run({"PFADD", "b", "z", "w"}) == ":1\r\n");
  CHECK(h.Run({"PFMERGE", "m", "a", "b", "missing"}) == "+OK\r\n");
  CHECK(h.Run({"PFCOUNT", "m"}) == ":4\r\n");
  CHECK(h.Run({"GET", "m"}) ==
        BulkHex("48594c4c010000000400000000000000504784513b8058cd8845a08408"));
  CHECK(h.Run({"PFMERGE", "n", "a"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "n"}) ==
        BulkHex("48594c4c01000000000000000000008061848058cd8845a08408"));
  CHECK(h.Run({"PFMERGE", "a", "b"}) == "+OK\r\n");  // the destination is also a source
  CHECK(h.Run({"PFCOUNT", "a"}) == ":4\r\n");
  // An existing destination is edited in place: its TTL stays.
  CHECK(h.Run({"PFADD", "t", "q"}) == ":1\r\n");
  CHECK(h.Run({"EXPIRE", "t", "100"}) == ":1\r\n");
  CHECK(h.Run({"PFMERGE", "t", "a"}) == "+OK\r\n");
  CHECK(h.Run({"TTL", "t"}) == ":100\r\n");
  CHECK(h.Run({"PFADD", "t", "r"}) == ":1\r\n");
  CHECK(h.Run({"TTL", "t"}) == ":100\r\n");
  CHECK(h.Run({"PFCOUNT", "t"}) == ":6\r\n");
  CHECK(h.Run({"TTL", "t"}) == ":100\r\n");
}

TEST_CASE("strings that are not HLLs are refused", "[hll]") {
  Harness h;
  h.Run({"PFADD", "h", "a"});
  h.Run({"SET", "s", "abc"});
  CHECK(h.Run({"PFADD", "s", "a"}) == kNotHll);
  CHECK(h.Run({"PFCOUNT", "s"}) == kNotHll);
  CHECK(h.Run({"PFCOUNT", "h", "s"}) == kNotHll);
  CHECK(h.Run({"PFMERGE", "s"}) == kNotHll);
  CHECK(h.Run({"PFMERGE", "h", "s"}) == kNotHll);
  CHECK(h.Run({"PFMERGE", "new", "h", "s"}) == kNotHll);
  CHECK(h.Run({"EXISTS", "new"}) == ":0\r\n");
  CHECK(h.Run({"GET", "s"}) == "$3\r\nabc\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "$6\r\nembstr\r\n");
  h.Run({"SET", "short", "HYLL"});
  CHECK(h.Run({"PFCOUNT", "short"}) == kNotHll);
  h.Run({"SET", "enc", Hex("48594c4c0200000000000000000000007fff")});
  CHECK(h.Run({"PFADD", "enc", "a"}) == kNotHll);
  h.Run({"SET", "magic", Hex("48594c4d0100000000000000000000007fff")});
  CHECK(h.Run({"PFCOUNT", "magic"}) == kNotHll);
  // Dense with the wrong length.
  h.Run({"SET", "dense", Hex("48594c4c0000000000000000000000007fff")});
  CHECK(h.Run({"PFCOUNT", "dense"}) == kNotHll);
  CHECK(h.Run({"PFADD", "dense", "a"}) == kNotHll);
  CHECK(h.Run({"PFMERGE", "dense"}) == kNotHll);
}

TEST_CASE("corrupt sparse values give INVALIDOBJ", "[hll]") {
  Harness h;
  h.Run({"PFADD", "h", "a"});
  // XZERO covering registers 0..255 only.
  h.Run({"SET", "c", Hex("48594c4c01000000000000000000008040ff")});
  CHECK(h.Run({"PFCOUNT", "c"}) == kCorrupt);
  CHECK(h.Run({"PFCOUNT", "c", "h"}) == kCorrupt);
  CHECK(h.Run({"PFMERGE", "c"}) == kCorrupt);
  CHECK(h.Run({"PFMERGE", "h", "c"}) == kCorrupt);
  CHECK(h.Run({"PFADD", "c", "a"}) == kCorrupt);  // register 12711 is not covered
  CHECK(h.Run({"GET", "c"}) == BulkHex("48594c4c01000000000000000000008040ff"));
  // A VAL run past the last register.
  h.Run({"SET", "o", Hex("48594c4c0100000000000000000000807ffe83")});
  CHECK(h.Run({"PFCOUNT", "o"}) == kCorrupt);
  CHECK(h.Run({"PFMERGE", "x", "o"}) == kCorrupt);
  CHECK(h.Run({"EXISTS", "x"}) == ":0\r\n");
  // Opcodes past 16384 registers.
  h.Run({"SET", "p", Hex("48594c4c0100000000000000000000807fff00")});
  CHECK(h.Run({"PFCOUNT", "p"}) == kCorrupt);
  CHECK(h.Run({"PFCOUNT", "p", "h"}) == kCorrupt);
  // A header without registers.
  h.Run({"SET", "e", Hex("48594c4c010000000000000000000080")});
  CHECK(h.Run({"PFCOUNT", "e"}) == kCorrupt);
  CHECK(h.Run({"PFADD", "e", "a"}) == kCorrupt);
  // A valid cached cardinality is trusted, as redis-server does.
  h.Run({"SET", "v", Hex("48594c4c010000002a000000000000007fff")});
  CHECK(h.Run({"PFCOUNT", "v"}) == ":42\r\n");
  CHECK(h.Run({"PFCOUNT", "v", "v"}) == ":0\r\n");
}

TEST_CASE("PFADD goes dense past 3000 bytes", "[hll][slow]") {
  Harness h;
  bool dense = false;
  int64_t largest_sparse = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string e = "e" + std::to_string(i);
    REQUIRE(h.Run({"PFADD", "d", e}).rfind(":", 0) == 0);
    std::string len = h.Run({"STRLEN", "d"});
    int64_t n = std::stoll(len.substr(1));
    if (n == 12304) {
      dense = true;
    } else {
      REQUIRE_FALSE(dense);  // never back to sparse
      REQUIRE(n <= 3000);
      largest_sparse = std::max(largest_sparse, n);
    }
  }
  CHECK(dense);
  CHECK(largest_sparse == 3000);
  CHECK(h.Run({"PFCOUNT", "d"}) == ":4968\r\n");  // redis-server after the same PFADDs
  CHECK(Payload(h.Run({"GET", "d"})).substr(0, 16) == Hex("48594c4c000000006813000000000000"));
  // A dense source makes the destination dense.
  CHECK(h.Run({"PFADD", "s", "a", "b"}) == ":1\r\n");
  CHECK(h.Run({"PFMERGE", "s", "d"}) == "+OK\r\n");
  CHECK(h.Run({"STRLEN", "s"}) == ":12304\r\n");
  CHECK(h.Run({"PFCOUNT", "s"}) == ":4970\r\n");
  CHECK(h.Run({"PFCOUNT", "s", "d", "missing"}) == ":4970\r\n");
  CHECK(h.Run({"PFADD", "d", "e1"}) == ":0\r\n");
}

TEST_CASE("PFCOUNT and PFADD survive damaged values", "[hll][fuzz]") {
  Harness h;
  for (int i = 0; i < 150; ++i) h.Run({"PFADD", "sparse", "s" + std::to_string(i)});
  for (int i = 0; i < 3000; ++i) h.Run({"PFADD", "dense", "d" + std::to_string(i)});
  const std::string sparse = Payload(h.Run({"GET", "sparse"}));
  const std::string dense = Payload(h.Run({"GET", "dense"}));
  REQUIRE(sparse.size() < 3000);
  REQUIRE(dense.size() == 12304);
  std::mt19937_64 rng(7);
  auto acceptable = [](const std::string& r) {
    return r[0] == ':' || r == "+OK\r\n" || r == kCorrupt || r == kNotHll;
  };
  for (int round = 0; round < 1500; ++round) {
    std::string v = round % 3 == 0 ? dense : sparse;
    const int flips = 1 + int(rng() % 6);
    for (int f = 0; f < flips; ++f) {
      // Mostly the registers; sometimes the header.
      size_t at = rng() % 4 ? 16 + rng() % (v.size() - 16) : rng() % 16;
      v[at] = char(v[at] ^ char(1 + rng() % 255));
    }
    if (rng() % 5 == 0) v.resize(rng() % (v.size() + 1));
    REQUIRE(h.Run({"SET", "c", v}) == "+OK\r\n");
    std::string e = "z" + std::to_string(rng() % 100000);
    CHECK(acceptable(h.Run({"PFCOUNT", "c"})));
    CHECK(acceptable(h.Run({"PFADD", "c", e, "y", "x"})));
    CHECK(acceptable(h.Run({"PFCOUNT", "c", "sparse"})));
    CHECK(acceptable(h.Run({"PFMERGE", "m", "c", "sparse"})));
    CHECK(acceptable(h.Run({"PFMERGE", "c", "dense"})));
  }
}
