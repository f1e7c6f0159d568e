// Hash values: the packed ("listpack") encoding, its conversion to a HashObject
// ("hashtable") at hash-max-listpack-entries / hash-max-listpack-value, and the
// contents across the conversion.
#include "storage/hash_value.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "unit/storage/collection_fixture.h"

using namespace larder;
using larder::testing::CollectionFixture;
using larder::testing::Sized;

namespace {

constexpr int64_t kEntries = 8;
constexpr int64_t kValue = 16;

using Pairs = std::vector<std::pair<std::string, std::string>>;

class HashFixture : public CollectionFixture {
 public:
  HashFixture() {
    limits().hash_max_listpack_entries = kEntries;
    limits().hash_max_listpack_value = kValue;
  }
  // HSET key field value; returns whether the field was new.
  bool Set(std::string_view key, std::string_view field, std::string_view value) {
    KeyArg k = MakeKeyArg(key);
    HashWriter w(db(), k, FindForWrite(k));
    bool added = w.Set(field, value);
    w.Commit();
    return added;
  }
  bool Del(std::string_view key, std::string_view field) {
    KeyArg k = MakeKeyArg(key);
    HashWriter w(db(), k, FindForWrite(k));
    bool removed = w.Del(field);
    w.Commit();
    return removed;
  }
  // Every (field, value) in the reader's iteration order.
  Pairs Fields(std::string_view key) {
    Pairs out;
    HashReader(Get(key)).ForEach(
        [&](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
    return out;
  }
  std::map<std::string, std::string> Map(std::string_view key) {
    Pairs p = Fields(key);
    return {p.begin(), p.end()};
  }
};

std::string Field(int i) { return "f" + std::to_string(i); }
std::string Value(int i) { return "v" + std::to_string(i * 7); }

}  // namespace

TEST_CASE("hash: exactly hash-max-listpack-entries fields stay packed, one more converts",
          "[hash][encoding]") {
  HashFixture fx;
  Pairs expected;
  for (int i = 0; i < kEntries; ++i) {
    CHECK(fx.Set("h", Field(i), Value(i)));
    expected.emplace_back(Field(i), Value(i));
    REQUIRE(fx.Get("h") != nullptr);
    CHECK(HashReader(fx.Get("h")).packed());
  }
  CHECK(HashReader(fx.Get("h")).Encoding() == "listpack");
  CHECK(fx.Fields("h") == expected);  // insertion order
  CHECK(HashReader(fx.Get("h")).At(3) ==
        std::make_pair(std::string_view("f3"), std::string_view(Value(3))));

  CHECK(fx.Set("h", Field(int(kEntries)), Value(int(kEntries))));
  expected.emplace_back(Field(int(kEntries)), Value(int(kEntries)));
  HashReader r(fx.Get("h"));
  CHECK_FALSE(r.packed());
  CHECK(r.Encoding() == "hashtable");
  CHECK(r.Len() == size_t(kEntries) + 1);
  for (const auto& [f, v] : expected) CHECK(r.Get(f) == std::optional<std::string_view>(v));
  CHECK_FALSE(r.Get("nope"));
  CHECK(fx.Map("h") == std::map<std::string, std::string>(expected.begin(), expected.end()));
}

TEST_CASE("hash: overwriting fields of a full pack keeps it packed", "[hash][encoding]") {
  HashFixture fx;
  for (int i = 0; i < kEntries; ++i) fx.Set("h", Field(i), Value(i));
  for (int i = 0; i < kEntries; ++i) CHECK_FALSE(fx.Set("h", Field(i), Sized(size_t(kValue), 'a')));
  HashReader r(fx.Get("h"));
  CHECK(r.packed());
  CHECK(r.Len() == size_t(kEntries));
  CHECK(r.Get("f0") == std::optional<std::string_view>(Sized(size_t(kValue), 'a')));
  // Field order is kept by in-place replacement.
  Pairs p = fx.Fields("h");
  for (int i = 0; i < kEntries; ++i) CHECK(p[size_t(i)].first == Field(i));
}

TEST_CASE("hash: field and value lengths at hash-max-listpack-value", "[hash][encoding]") {
  HashFixture fx;
  const std::string at = Sized(size_t(kValue), 'a'), over = Sized(size_t(kValue) + 1, 'b');

  SECTION("a value of exactly the limit stays packed, one byte more converts") {
    fx.Set("h", "f", at);
    CHECK(HashReader(fx.Get("h")).packed());
    fx.Set("h", "g", over);
    HashReader r(fx.Get("h"));
    CHECK_FALSE(r.packed());
    CHECK(r.Get("f") == std::optional<std::string_view>(at));
    CHECK(r.Get("g") == std::optional<std::string_view>(over));
  }
  SECTION("a field name of exactly the limit stays packed, one byte more converts") {
    fx.Set("h", at, "1");
    CHECK(HashReader(fx.Get("h")).packed());
    fx.Set("h", over, "2");
    HashReader r(fx.Get("h"));
    CHECK_FALSE(r.packed());
    CHECK(r.Get(at) == std::optional<std::string_view>("1"));
    CHECK(r.Get(over) == std::optional<std::string_view>("2"));
  }
  SECTION("overwriting an existing field with a too-long value converts") {
    for (int i = 0; i < 5; ++i) fx.Set("h", Field(i), Value(i));
    CHECK_FALSE(fx.Set("h", "f2", over));
    HashReader r(fx.Get("h"));
    CHECK_FALSE(r.packed());
    CHECK(r.Len() == 5);
    CHECK(r.Get("f2") == std::optional<std::string_view>(over));
    CHECK(r.Get("f4") == std::optional<std::string_view>(Value(4)));
  }
  SECTION("a first field that is too long creates the key as a hashtable") {
    fx.Set("h", "f", over);
    CHECK_FALSE(HashReader(fx.Get("h")).packed());
  }
}

TEST_CASE("hash: no conversion back on shrink; the last deletion deletes the key",
          "[hash][encoding]") {
  HashFixture fx;
  SECTION("hashtable") {
    for (int i = 0; i <= kEntries; ++i) fx.Set("h", Field(i), Value(i));
    REQUIRE_FALSE(HashReader(fx.Get("h")).packed());
    for (int i = 0; i < kEntries; ++i) CHECK(fx.Del("h", Field(i)));
    HashReader r(fx.Get("h"));
    CHECK_FALSE(r.packed());  // Redis never converts a hashtable back
    CHECK(r.Len() == 1);
    CHECK_FALSE(fx.Del("h", "missing"));
    CHECK(fx.Get("h") != nullptr);
    CHECK(fx.Del("h", Field(int(kEntries))));
    CHECK(fx.Get("h") == nullptr);
  }
  SECTION("pack") {
    fx.Set("h", "a", "1");
    fx.Set("h", "b", "2");
    fx.Set("h", "c", "3");
    CHECK(fx.Del("h", "b"));
    CHECK(fx.Fields("h") == Pairs{{"a", "1"}, {"c", "3"}});
    CHECK_FALSE(fx.Del("h", "b"));
    CHECK(fx.Del("h", "a"));
    CHECK(fx.Del("h", "c"));
    CHECK(fx.Get("h") == nullptr);
  }
}

TEST_CASE("hash: a writer edits an existing small hash in its entry, a new one at Commit",
          "[hash][encoding]") {
  HashFixture fx;
  SECTION("a conversion of a new key that is never committed creates nothing") {
    {
      KeyArg k = MakeKeyArg("h");
      HashWriter w(fx.db(), k, fx.FindForWrite(k));
      for (int i = 0; i < 20; ++i) w.Set(Field(i), Value(i));
      CHECK(w.Len() == 20);
      CHECK(w.Get("f19") == std::optional<std::string_view>(Value(19)));
    }  // no Commit: the HashObject built by the conversion is freed (ASan checks)
    CHECK(fx.Get("h") == nullptr);
  }
  SECTION("edits of an existing small hash are visible in the writer and the entry") {
    for (int i = 0; i < 3; ++i) fx.Set("h", Field(i), Value(i));
    KeyArg k = MakeKeyArg("h");
    HashWriter w(fx.db(), k, fx.FindForWrite(k));
    CHECK_FALSE(w.Set("f1", "a-longer-value"));
    CHECK(w.Get("f1") == std::optional<std::string_view>("a-longer-value"));
    CHECK(w.Set("new", "n"));
    CHECK(w.Del("f0"));
    CHECK_FALSE(w.Set("f2", ""));
    CHECK(w.Len() == 3);
    CHECK(fx.Fields("h") == Pairs{{"f1", "a-longer-value"}, {"f2", ""}, {"new", "n"}});
    w.Commit();
    CHECK(HashReader(fx.Get("h")).packed());
    CHECK(fx.Fields("h") == Pairs{{"f1", "a-longer-value"}, {"f2", ""}, {"new", "n"}});
  }
  SECTION("a pack whose count and length pass their varint boundaries") {
    fx.limits().hash_max_listpack_entries = 512;
    fx.limits().hash_max_listpack_value = 64;
    std::map<std::string, std::string> oracle;
    fx.Set("h", "seed", "s");
    oracle["seed"] = "s";
    {
      // 300 pairs of 60 + 60 bytes: count 128 -> 601 elements, length past 16 KiB.
      KeyArg k = MakeKeyArg("h");
      HashWriter w(fx.db(), k, fx.FindForWrite(k));
      for (int i = 0; i < 300; ++i) {
        std::string f = Sized(57, 'f') + std::to_string(100 + i);
        std::string v = Sized(60, char('a' + i % 26));
        CHECK(w.Set(f, v));
        oracle[f] = v;
      }
      w.Commit();
    }
    CHECK(HashReader(fx.Get("h")).packed());
    CHECK(fx.Map("h") == oracle);
    {
      KeyArg k = MakeKeyArg("h");
      HashWriter w(fx.db(), k, fx.FindForWrite(k));
      for (int i = 0; i < 300; i += 2) {
        std::string f = Sized(57, 'f') + std::to_string(100 + i);
        CHECK(w.Del(f));
        oracle.erase(f);
      }
      w.Commit();
    }
    CHECK(HashReader(fx.Get("h")).Len() == 151);
    CHECK(fx.Map("h") == oracle);
  }
  SECTION("a new key that converts and empties again is never created") {
    KeyArg k = MakeKeyArg("h");
    HashWriter w(fx.db(), k, fx.FindForWrite(k));
    for (int i = 0; i < 20; ++i) w.Set(Field(i), Value(i));
    for (int i = 0; i < 20; ++i) CHECK(w.Del(Field(i)));
    w.Commit();
    CHECK(fx.Get("h") == nullptr);
  }
  SECTION("a writer with no edits creates nothing") {
    KeyArg k = MakeKeyArg("h");
    HashWriter w(fx.db(), k, fx.FindForWrite(k));
    CHECK_FALSE(w.Get("f"));
    CHECK_FALSE(w.Del("f"));
    w.Commit();
    CHECK(fx.Get("h") == nullptr);
  }
}

TEST_CASE("hash: random edits against a std::map oracle across the conversion",
          "[hash][encoding]") {
  HashFixture fx;
  std::mt19937 rng(20240611);
  std::map<std::string, std::string> oracle;
  bool converted = false;
  int packed_seen = 0,
      converted_seen = 0;  // both encodings were exercised  // what Redis would have done so far
  for (int op = 0; op < 3000; ++op) {
    if (op % 60 == 0) {  // start over now and then, to pass through the small encodings
      fx.db().DeleteKey(MakeKeyArg("h"));
      oracle.clear();
      converted = false;
    }
    std::string f = Field(int(rng() % 14));
    if (rng() % 3 != 0) {
      std::string v = Sized(rng() % 19 == 0 ? size_t(kValue) + 1 : rng() % 12, char('a' + op % 26));
      bool is_new = oracle.count(f) == 0;
      if ((is_new && int64_t(oracle.size()) + 1 > kEntries) || int64_t(v.size()) > kValue) {
        converted = true;
      }
      CHECK(fx.Set("h", f, v) == is_new);
      oracle[f] = v;
    } else {
      CHECK(fx.Del("h", f) == (oracle.erase(f) == 1));
      if (oracle.empty()) converted = false;  // the key is gone
    }
    const Entry* e = fx.Get("h");
    REQUIRE((e != nullptr) == !oracle.empty());
    if (e == nullptr) continue;
    HashReader r(e);
    REQUIRE(r.Len() == oracle.size());
    REQUIRE(r.packed() == !converted);
    ++(converted ? converted_seen : packed_seen);
    if (op % 10 == 0) REQUIRE(fx.Map("h") == oracle);
  }
  CHECK(packed_seen > 100);
  CHECK(converted_seen > 100);
}
