#include "storage/table.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/hash.h"

using namespace larder;

namespace {

Entry* Make(const std::string& k, int64_t exp = kNoExpiry) {
  return Entry::NewString(k, "v" + k, exp, 0);
}

}  // namespace

TEST_CASE("entry layout round-trips", "[entry]") {
  Entry* e = Entry::NewString("key:1", "0123456789abcdef", kNoExpiry, 0x123456);
  CHECK(e->key() == "key:1");
  CHECK(e->str() == "0123456789abcdef");
  CHECK(e->access() == 0x123456);
  CHECK_FALSE(e->has_expiry());
  CHECK(e->AllocSize() <= 32);
  e = Entry::SetExpiry(e, 1234);
  CHECK(e->expire_at() == 1234);
  CHECK(e->key() == "key:1");
  CHECK(e->str() == "0123456789abcdef");
  e = Entry::SetString(e, std::string(300, 'z'), StrHint::kAuto);
  CHECK(e->str() == std::string(300, 'z'));
  CHECK(e->expire_at() == 1234);
  e = Entry::Append(e, "tail");
  CHECK(e->str() == std::string(300, 'z') + "tail");
  CHECK(e->str_hint() == StrHint::kRaw);
  e = Entry::SetExpiry(e, kNoExpiry);
  CHECK_FALSE(e->has_expiry());
  CHECK(e->str().size() == 304);
  char* data = nullptr;
  e = Entry::GrowString(e, 20000, &data);
  CHECK(e->str().size() == 20000);
  CHECK(e->str()[19999] == '\0');
  Entry::Free(e);
}

TEST_CASE("table insert, find, remove across growth and shrink", "[table]") {
  Table t;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::string k = "key:" + std::to_string(i);
    t.Insert(HashKey(k), Make(k, i % 3 == 0 ? 1000 : kNoExpiry));
  }
  CHECK(t.size() == n);
  CHECK(t.volatile_count() == (n + 2) / 3);
  for (int i = 0; i < n; ++i) {
    std::string k = "key:" + std::to_string(i);
    size_t slot = t.Find(HashKey(k), k);
    REQUIRE(slot != Table::kNotFound);
    CHECK(t.At(slot)->key() == k);
  }
  CHECK(t.Find(HashKey("nope"), "nope") == Table::kNotFound);
  for (int i = 0; i < n; i += 2) {
    std::string k = "key:" + std::to_string(i);
    size_t slot = t.Find(HashKey(k), k);
    REQUIRE(slot != Table::kNotFound);
    Entry* e = t.At(slot);
    t.RemoveAt(slot);
    Entry::Free(e);
    t.MaybeShrink();
  }
  CHECK(t.size() == n / 2);
  for (int i = 0; i < n; ++i) {
    std::string k = "key:" + std::to_string(i);
    CHECK((t.Find(HashKey(k), k) != Table::kNotFound) == (i % 2 == 1));
    // FindHash finds the same slot from the hash alone.
    CHECK(t.FindHash(HashKey(k)) == t.Find(HashKey(k), k));
  }
  CHECK(t.FindHash(HashKey("nope")) == Table::kNotFound);
}

TEST_CASE("scan visits every key once per walk, even while the table grows", "[table]") {
  Table t;
  for (int i = 0; i < 1000; ++i) {
    std::string k = "a" + std::to_string(i);
    t.Insert(HashKey(k), Make(k));
  }
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = t.ScanBucket(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    if (++steps == 100) {  // grow mid-walk
      for (int i = 0; i < 5000; ++i) {
        std::string k = "b" + std::to_string(i);
        t.Insert(HashKey(k), Make(k));
      }
    }
  } while (cursor != 0 && steps < 1000000);
  for (int i = 0; i < 1000; ++i) CHECK(seen.count("a" + std::to_string(i)) >= 1);
}

TEST_CASE("prefetch hints read the table and change nothing", "[table]") {
  Table t;
  t.PrefetchHome(HashKey("absent"));  // no slot array yet
  t.PrefetchEntry(HashKey("absent"));
  for (int i = 0; i < 1000; ++i) {
    std::string k = "k" + std::to_string(i);
    t.Insert(HashKey(k), Make(k));
  }
  for (int i = 0; i < 1200; ++i) {  // present keys, then absent ones
    std::string k = "k" + std::to_string(i);
    t.PrefetchHome(HashKey(k));
    t.PrefetchEntry(HashKey(k));
  }
  CHECK(t.size() == 1000);
  for (int i = 0; i < 1200; ++i) {
    std::string k = "k" + std::to_string(i);
    size_t slot = t.Find(HashKey(k), k);
    if (i < 1000) {
      REQUIRE(slot != Table::kNotFound);
      CHECK(t.At(slot)->str() == "v" + k);
    } else {
      CHECK(slot == Table::kNotFound);
    }
  }
}
