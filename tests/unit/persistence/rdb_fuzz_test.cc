// Damaged DUMP payloads: every truncation and many seeded random bit flips and byte
// replacements of valid payloads either fail with a reason or decode to a value that
// can be used (encoded again) -- never a crash, an out-of-bounds access (the ASan build
// checks) or a huge allocation.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "persistence/rdb_value.h"
#include "unit/commands/harness.h"
#include "unit/persistence/rdb_vectors.h"

using namespace larder;
using larder::testing::Unhex;

namespace {

// Valid DUMP payloads of every type and encoding.
std::vector<std::string> SeedPayloads() {
  std::vector<std::string> payloads;
  for (const auto& v : larder::testing::WrittenVectors()) payloads.push_back(Unhex(v.dump_hex));
  for (const auto& v : larder::testing::LegacyVectors()) payloads.push_back(Unhex(v.payload_hex));
  // Larger values: a hashtable hash and set, a skiplist sorted set, a multi-node list.
  larder::testing::Harness h;
  auto s = h.NewSession();
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return s->Execute(views);
  };
  std::vector<std::string> hset = {"HSET", "h"}, sadd = {"SADD", "s"}, zadd = {"ZADD", "z"},
                           rpush = {"RPUSH", "l"};
  for (int i = 0; i < 140; ++i) {
    const std::string m = "m" + std::to_string(i);
    hset.insert(hset.end(), {m, std::string(size_t(i % 7), 'v')});
    sadd.push_back(m);
    zadd.insert(zadd.end(), {std::to_string(i * 0.5), m});
  }
  std::string element(300, 'x');
  for (int i = 0; i < 40; ++i) {
    element[size_t(i)] = char('a' + i % 26);
    rpush.push_back(element);
  }
  for (const auto& cmd : {hset, sadd, zadd, rpush}) run(cmd);
  for (const char* key : {"h", "s", "z", "l"}) {
    std::string r = run({"DUMP", key});
    const size_t body = r.find("\r\n") + 2;
    payloads.push_back(r.substr(body, r.size() - body - 2));
  }
  for (const std::string& p : payloads) REQUIRE(VerifyDumpPayload(p));
  return payloads;
}

// Decodes `payload` (its checksum is not checked: damage must reach the decoder); a
// value that decodes must be usable.
void Exercise(std::string_view payload, const ValueLimits& limits) {
  RdbValue v;
  RdbDecodeError err;
  if (!DecodeDumpPayload(payload, limits, &v, &err)) {
    CHECK(!err.reason.empty());
    return;
  }
  Entry* e = std::move(v).ToEntry("key", kNoExpiry, 0);
  std::string again;
  EncodeValue(e, RdbSaveOptions{}, &again);
  CHECK(!again.empty());
  Entry::Free(e);
}

}  // namespace

TEST_CASE("damaged DUMP payloads fail cleanly or decode to usable values", "[persistence][rdb][fuzz]") {
  const std::vector<std::string> payloads = SeedPayloads();
  ValueLimits small;  // small limits exercise the object encodings too
  small.hash_max_listpack_entries = small.set_max_listpack_entries = 2;
  small.zset_max_listpack_entries = small.set_max_intset_entries = 2;
  small.list_max_listpack_size = 2;
  std::mt19937_64 rng(20240501);
  for (const std::string& body : payloads) {
    for (size_t cut = 0; cut < body.size(); ++cut) {
      Exercise(std::string_view(body).substr(0, cut), ValueLimits());
    }
    for (int round = 0; round < 2000; ++round) {
      std::string bad = body;
      const int edits = 1 + int(rng() % 3);
      for (int i = 0; i < edits; ++i) {
        const size_t at = size_t(rng() % bad.size());
        if (rng() % 2) bad[at] = char(bad[at] ^ (1 << (rng() % 8)));
        else bad[at] = char(rng());
      }
      Exercise(bad, round % 2 ? small : ValueLimits());
    }
  }
}
