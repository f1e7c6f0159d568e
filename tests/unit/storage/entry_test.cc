// Entry::SpliceBlob: in-place edits of an inline blob against a std::string oracle,
// across the sizes where the blob's varint length prefix gains or loses a byte, with
// and without an expiry, and with the key, header and access field left intact.
#include "storage/entry.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

using namespace larder;

namespace {

void CheckEntry(const Entry* e, std::string_view key, const std::string& blob, int64_t expire_at) {
  REQUIRE(e->key() == key);
  REQUIRE(e->kind() == ValueKind::kList);
  REQUIRE(e->enc() == Enc::kPacked);
  REQUIRE(e->expire_at() == expire_at);
  REQUIRE(e->access() == 0x123456);
  REQUIRE(e->blob() == blob);
  REQUIRE(e->AllocSize() >= e->key().size() + blob.size());
}

}  // namespace

TEST_CASE("entry: SpliceBlob edits a blob in place as std::string::replace would",
          "[entry]") {
  std::mt19937 rng(777);
  for (int64_t expire_at : {kNoExpiry, int64_t(1'700'000'000'000)}) {
    for (const std::string& key : {std::string("k"), std::string(200, 'K')}) {
      INFO("expiry " << expire_at << ", key length " << key.size());
      std::string oracle = "start";
      Entry* e = Entry::NewBlob(key, ValueKind::kList, Enc::kPacked, oracle, expire_at, 0x123456);
      // Lengths wander over the 1/2/3-byte varint boundaries (127/128, 16383/16384).
      for (int op = 0; op < 3000; ++op) {
        const size_t target = op < 1500 ? 20000 : 0;  // grow past 16 KiB, then shrink
        const size_t offset = oracle.empty() ? 0 : rng() % (oracle.size() + 1);
        size_t erase = oracle.size() - offset == 0 ? 0 : rng() % (oracle.size() - offset + 1);
        size_t insert_len = rng() % 40;
        if (oracle.size() < target) insert_len += rng() % 60;
        else erase = std::min(oracle.size() - offset, erase + rng() % 60);
        std::string insert(insert_len, char('a' + op % 26));
        oracle.replace(offset, erase, insert);
        e = Entry::SpliceBlob(e, offset, erase, insert);
        CheckEntry(e, key, oracle, expire_at);
      }
      Entry::Free(e);
    }
  }
}

TEST_CASE("entry: SpliceBlob at the varint boundaries of the blob length", "[entry]") {
  for (size_t start : {size_t(126), size_t(127), size_t(128), size_t(16383), size_t(16384)}) {
    for (int delta : {-2, -1, 1, 2}) {
      INFO("length " << start << " by " << delta);
      std::string oracle(start, '.');
      for (size_t i = 0; i < oracle.size(); ++i) oracle[i] = char('A' + i % 26);
      Entry* e = Entry::NewBlob("key", ValueKind::kList, Enc::kPacked, oracle, kNoExpiry, 0x123456);
      // At the front, the middle and the end.
      for (int where = 0; where < 3; ++where) {
        const size_t offset = where == 0 ? 0 : where == 1 ? oracle.size() / 2 : oracle.size() - 2;
        if (delta > 0) {
          std::string insert(size_t(delta), '#');
          oracle.insert(offset, insert);
          e = Entry::SpliceBlob(e, offset, 0, insert);
        } else {
          oracle.erase(offset, size_t(-delta));
          e = Entry::SpliceBlob(e, offset, size_t(-delta), {});
        }
        CheckEntry(e, "key", oracle, kNoExpiry);
      }
      Entry::Free(e);
    }
  }
}
