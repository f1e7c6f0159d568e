#include "storage/hyperloglog.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>

namespace hll = larder::hll;

namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// FNV-1a 64: a compact fingerprint of the 12304-byte dense values captured from
// redis-server 7.0.15 (the same function computed the expected constants there).
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string AddAll(std::string v, const std::string& prefix, int n, size_t max_bytes = 3000) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(hll::Add(&v, prefix + std::to_string(i), max_bytes) != hll::Update::kCorrupt);
  }
  return v;
}

// PFADD e0 .. e299 on redis-server 7.0.15 (GET of the key afterwards).
constexpr std::string_view kSparse300Hex =
    "48594c4c010000000000000000000080368414880b801980405480404984048402a40e880f803380404a8440"
    "4580259c01900188128838844094804065840e88404c8040578817881180404280008040608c18800c80410f"
    "8812802d801e80268001880a842a8040638440768c40468440cd842390405480098019843f84168021843e80"
    "09804094804062881a904073804062840d80406b8418840c80408384405d841480406f80405a8407840d8040"
    "f080405c800080068427844081803c844047840780404e8040478803802f841084039404844043840c842684"
    "406e804057841a80404084409d84198019802a8440e78c198c0884405f844087801d80208010800f800b8840"
    "529c0c801080404b8c4052881b804070883e80406e804057804063802b8c40df80148040618c1a840380318c"
    "404b80408080404580088440e4801780404480148012804052841788404a801b801d8040468c108c01840184"
    "1e8811801f840284407d8440de84178c4049803088008410843d8008801c8407841980288040608440528440"
    "46843a8c404f8814802988008402800a8840578041328040739011842e844070801384088000840180189440"
    "4280028040818c2e8440848c168410800f813c881d801380048430840e840080068040818411883180404584"
    "409e88406080038013900d8040b88440bb88268c0e800e84118003801780404e84399022844049800484406a"
    "80404c882c8037800a80388c0784405380238c308440998017840d80058003801d843580409e880b983f882e"
    "8840448040b080198408841f880380405b841b80398004804044800580404e800d88128440d380388800841d"
    "88405f802a800290407e800784407b801d841d80148832801e8440458418840f8440458033843a8813802884"
    "2e8c40778440768017883e8419842880068016800e9022840a800a80405e840d8019901e8013801380406c8c"
    "178828804046844044";

}  // namespace

TEST_CASE("MurmurHash64A matches the reference algorithm", "[hll]") {
  // Published vectors of Appleby's MurmurHash64A (seed 0xc6a4a7935bd1e995).
  constexpr uint64_t seed = 0xc6a4a7935bd1e995ULL;
  CHECK(hll::MurmurHash64A("", seed) == 0x1ab11ea5a7b2c56eULL);
  CHECK(hll::MurmurHash64A("a", seed) == 0x4292cee227b9150aULL);
  CHECK(hll::MurmurHash64A("hello", seed) == 0x5ba5b8a59803e699ULL);
  CHECK(hll::MurmurHash64A(std::string_view("hello\0world", 11), seed) == 0xdcd0bc9f75315849ULL);
  // With Redis's seed: "a" lands in register 12711 with a run of 2 (read off the sparse
  // value redis-server stores for PFADD k a: XZERO 12711, VAL 2, XZERO 3672).
  hll::Pattern p = hll::PatternOf("a");
  CHECK(p.index == 12711);
  CHECK(p.count == 2);
}

TEST_CASE("a new HLL is an 18-byte sparse value", "[hll]") {
  std::string v = hll::NewSparse();
  CHECK(v == FromHex("48594c4c0100000000000000000000007fff"));
  CHECK(hll::IsValid(v));
  CHECK_FALSE(hll::IsDense(v));
  CHECK(hll::CacheValid(v));
  CHECK(hll::Count(v) == 0);
}

TEST_CASE("sparse encodings are byte-identical to redis-server", "[hll]") {
  std::string v = hll::NewSparse();
  CHECK(hll::Add(&v, "a", 3000) == hll::Update::kChanged);
  CHECK(hll::Add(&v, "a", 3000) == hll::Update::kUnchanged);
  CHECK(v == FromHex("48594c4c01000000000000000000008071a6844e57"));

  v = AddAll(hll::NewSparse(), "", 0);
  for (std::string_view e : {"a", "b", "c"}) hll::Add(&v, e, 3000);
  CHECK(v == FromHex("48594c4c01000000000000000000008060f38050b1844bfb80425a"));
  REQUIRE(hll::Count(v) == 3);
  hll::StoreCachedCount(v.data(), 3);
  CHECK(v == FromHex("48594c4c01000000030000000000000060f38050b1844bfb80425a"));
  CHECK(hll::CacheValid(v));
  CHECK(hll::CachedCount(v) == 3);

  v = AddAll(hll::NewSparse(), "e", 300);
  CHECK(v.size() == 713);
  CHECK(v == FromHex(kSparse300Hex));
  CHECK(hll::Count(v) == 302);
}

TEST_CASE("sparse becomes dense past hll-sparse-max-bytes, as on redis-server", "[hll]") {
  std::string v = AddAll(hll::NewSparse(), "e", 5000);
  REQUIRE(v.size() == hll::kDenseSize);
  CHECK(hll::IsDense(v));
  CHECK(Fnv1a(v) == 0x805246753a1cdadaULL);
  REQUIRE(hll::Count(v) == 4968);
  hll::StoreCachedCount(v.data(), 4968);
  CHECK(Fnv1a(v) == 0x9219c5a2921db657ULL);

  // CONFIG SET hll-sparse-max-bytes 100, then PFADD e0 .. e39.
  v = AddAll(hll::NewSparse(), "e", 40, 100);
  hll::InvalidateCache(v.data());
  REQUIRE(v.size() == hll::kDenseSize);
  CHECK(Fnv1a(v) == 0xfc8682dcfca8b600ULL);

  // The same elements under the default limit stay sparse.
  CHECK(AddAll(hll::NewSparse(), "e", 40).size() < 200);
}

TEST_CASE("a register above 32 forces the dense encoding", "[hll]") {
  std::string v = AddAll(hll::NewSparse(), "e", 10);
  const std::string before = v;
  CHECK(hll::SetRegister(&v, 77, 33, 3000) == hll::Update::kChanged);
  REQUIRE(hll::IsDense(v));
  auto* regs = reinterpret_cast<const uint8_t*>(v.data()) + hll::kHeaderSize;
  CHECK(hll::DenseGet(regs, 77) == 33);
  // Every other register survived the conversion.
  hll::RawRegisters a{}, b{};
  REQUIRE(hll::MergeInto(&a, before));
  REQUIRE(hll::MergeInto(&b, v));
  a[77] = 33;
  CHECK(a == b);
  CHECK(v.substr(0, 4) == "HYLL");
  CHECK(v.substr(5, 11) == before.substr(5, 11));  // header (cache included) is kept
}

TEST_CASE("dense registers pack 6 bits each without touching neighbours", "[hll]") {
  std::string v = hll::NewSparse();
  REQUIRE(hll::SparseToDense(&v));
  auto* regs = reinterpret_cast<uint8_t*>(v.data()) + hll::kHeaderSize;
  for (uint32_t i = 0; i < hll::kRegisters; ++i) hll::DenseSet(regs, i, uint8_t(i % 64));
  for (uint32_t i = 0; i < hll::kRegisters; ++i) REQUIRE(hll::DenseGet(regs, i) == i % 64);
  hll::DenseSet(regs, hll::kRegisters - 2, 0);
  hll::DenseSet(regs, hll::kRegisters - 1, 63);
  CHECK(hll::DenseGet(regs, hll::kRegisters - 3) == (hll::kRegisters - 3) % 64);
  CHECK(uint8_t(v.back()) == 0xfc);  // last register = top 6 bits of the last byte
  hll::DenseSet(regs, hll::kRegisters - 2, 63);
  CHECK(uint8_t(v.back()) == 0xff);  // ... the one before it ends in its low 2 bits
}

TEST_CASE("the estimator is within 2% over 100k elements and matches redis-server", "[hll]") {
  std::string v = hll::NewSparse();
  for (int i = 0; i < 100000; ++i) hll::Add(&v, "x" + std::to_string(i), 3000);
  auto count = hll::Count(v);
  REQUIRE(count);
  CHECK(std::abs(double(*count) - 100000.0) < 2000.0);
  CHECK(*count == 100903);  // PFCOUNT on redis-server after the same PFADDs
  hll::StoreCachedCount(v.data(), *count);
  CHECK(Fnv1a(v) == 0xabaa854af26778a1ULL);

  // Small cardinalities are nearly exact.
  std::string small = AddAll(hll::NewSparse(), "s", 1000);
  CHECK(std::abs(double(*hll::Count(small)) - 1000.0) < 20.0);
}

TEST_CASE("merging gives redis-server's PFMERGE result", "[hll]") {
  std::string a = hll::NewSparse();
  for (std::string_view e : {"a", "b", "c"}) hll::Add(&a, e, 3000);
  std::string b = AddAll(hll::NewSparse(), "e", 300);
  hll::RawRegisters max{};
  REQUIRE(hll::MergeInto(&max, a));
  REQUIRE(hll::MergeInto(&max, b));
  CHECK(hll::Count(max) == 305);
  std::string dest = hll::NewSparse();
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::SetRegister(&dest, i, max[i], 3000);
  }
  hll::InvalidateCache(dest.data());
  CHECK(dest.size() == 719);
  hll::StoreCachedCount(dest.data(), *hll::Count(dest));
  CHECK(Fnv1a(dest) == 0x34aa99687cb1f27aULL);  // PFMERGE m h2 h3; PFCOUNT m; GET m
}

TEST_CASE("header validation", "[hll]") {
  std::string dense = hll::NewSparse();
  REQUIRE(hll::SparseToDense(&dense));
  CHECK(hll::IsValid(dense));
  CHECK_FALSE(hll::IsValid(dense.substr(0, dense.size() - 1)));
  CHECK_FALSE(hll::IsValid(dense + "x"));
  CHECK_FALSE(hll::IsValid("HYLL"));
  CHECK_FALSE(hll::IsValid(""));
  std::string v = hll::NewSparse();
  v[4] = 2;
  CHECK_FALSE(hll::IsValid(v));
  v = hll::NewSparse();
  v[0] = 'h';
  CHECK_FALSE(hll::IsValid(v));
  // A header alone is a valid sparse header (its registers are checked when used).
  CHECK(hll::IsValid(hll::NewSparse().substr(0, hll::kHeaderSize)));
}

TEST_CASE("corrupt sparse values are reported, never trusted", "[hll]") {
  const std::string header = hll::NewSparse().substr(0, hll::kHeaderSize);
  hll::RawRegisters max{};
  // Covers 16383 registers only.
  std::string short_by_one = header + FromHex("7ffe");
  CHECK_FALSE(hll::Count(short_by_one));
  CHECK_FALSE(hll::MergeInto(&max, short_by_one));
  std::string copy = short_by_one;
  CHECK_FALSE(hll::SparseToDense(&copy));
  CHECK(copy == short_by_one);
  CHECK(hll::SetRegister(&copy, hll::kRegisters - 1, 1, 3000) == hll::Update::kCorrupt);
  CHECK(hll::SetRegister(&copy, 0, 1, 3000) == hll::Update::kChanged);

  // A VAL run past the last register.
  std::string overrun = header + FromHex("7ffe83");
  CHECK_FALSE(hll::Count(overrun));
  CHECK_FALSE(hll::MergeInto(&max, overrun));
  CHECK_FALSE(hll::SparseToDense(&overrun));

  // No opcodes at all.
  std::string empty = header;
  CHECK_FALSE(hll::Count(empty));
  CHECK(hll::SetRegister(&empty, 5, 1, 3000) == hll::Update::kCorrupt);
  CHECK(hll::SetRegister(&empty, 5, 40, 3000) == hll::Update::kCorrupt);

  // An XZERO cut off by the end reads its missing byte as 0 (as redis-server reads its
  // NUL terminator): 0x7f alone covers 16129 registers.
  std::string cut = header + FromHex("7f");
  CHECK_FALSE(hll::Count(cut));
  std::string cut_valid = header + FromHex("40fe7f");  // 255 + 16129 registers
  CHECK(hll::Count(cut_valid) == 0);
}

TEST_CASE("random damage to valid values never breaks the functions", "[hll][fuzz]") {
  std::mt19937_64 rng(42);
  const std::string sparse = AddAll(hll::NewSparse(), "f", 150);
  const std::string dense = AddAll(hll::NewSparse(), "g", 3000);
  REQUIRE_FALSE(hll::IsDense(sparse));
  REQUIRE(hll::IsDense(dense));
  for (int round = 0; round < 3000; ++round) {
    std::string v = round % 2 ? sparse : dense;
    const int flips = 1 + int(rng() % 8);
    for (int f = 0; f < flips; ++f) v[rng() % v.size()] = char(rng());
    if (rng() % 4 == 0) v.resize(rng() % (v.size() + 1));
    if (!hll::IsValid(v)) continue;
    (void)hll::Count(v);
    hll::RawRegisters max{};
    (void)hll::MergeInto(&max, v);
    for (int i = 0; i < 5; ++i) {
      if (hll::Add(&v, "z" + std::to_string(rng() % 100000), 3000) == hll::Update::kCorrupt) break;
    }
    std::string d = v;
    if (hll::SparseToDense(&d)) CHECK(d.size() == hll::kDenseSize);
  }
}
