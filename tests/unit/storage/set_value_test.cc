// Set values: the intset encoding (and its 2/4/8-byte widths), the packed encoding of
// small string sets ("listpack", as in Redis 7.2), the SetObject ("hashtable"), and the
// conversions between them at the set-max-* limits.
#include "storage/set_value.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/intset.h"
#include "unit/storage/collection_fixture.h"

using namespace larder;
using larder::testing::CollectionFixture;
using larder::testing::Sized;

namespace {

constexpr int64_t kIntSetEntries = 8;
constexpr int64_t kPackEntries = 4;
constexpr int64_t kPackValue = 8;

class SetFixture : public CollectionFixture {
 public:
  SetFixture() {
    limits().set_max_intset_entries = kIntSetEntries;
    limits().set_max_listpack_entries = kPackEntries;
    limits().set_max_listpack_value = kPackValue;
  }
  bool Add(std::string_view key, std::string_view member) {
    KeyArg k = MakeKeyArg(key);
    SetWriter w(db(), k, FindForWrite(k));
    bool added = w.Add(member);
    w.Commit();
    return added;
  }
  bool Remove(std::string_view key, std::string_view member) {
    KeyArg k = MakeKeyArg(key);
    SetWriter w(db(), k, FindForWrite(k));
    bool removed = w.Remove(member);
    w.Commit();
    return removed;
  }
  // "intset", "listpack" or "hashtable" (the OBJECT ENCODING names).
  std::string Encoding(std::string_view key) {
    const Entry* e = Get(key);
    REQUIRE(e != nullptr);
    if (e->has_object()) return "hashtable";
    return e->enc() == Enc::kIntSet ? "intset" : "listpack";
  }
  std::vector<std::string> Members(std::string_view key) { return SetReader(Get(key)).Members(); }
  std::set<std::string> MemberSet(std::string_view key) {
    std::vector<std::string> m = Members(key);
    return {m.begin(), m.end()};
  }
};

std::vector<int64_t> IntSetValues(std::string_view blob) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < IntSet::Count(blob); ++i) out.push_back(IntSet::At(blob, i));
  return out;
}

}  // namespace

TEST_CASE("intset: members are canonical int64 decimals", "[set][intset]") {
  int64_t v = 0;
  for (const char* s : {"0", "1", "-1", "32767", "9223372036854775807", "-9223372036854775808"}) {
    INFO(s);
    CHECK(IntSetMember(s, &v));
    CHECK(FormatIntMember(v) == s);
  }
  for (const char* s : {"", "-", "-0", "007", "+1", " 1", "1 ", "1.0", "0x10", "1e3",
                        "9223372036854775808", "-9223372036854775809", "123456789012345678901"}) {
    INFO(s);
    CHECK_FALSE(IntSetMember(s, &v));
  }
}

TEST_CASE("intset: the width grows from 2 to 4 to 8 bytes and never shrinks", "[set][intset]") {
  std::string blob = IntSet::Empty();
  bool added = false;
  auto add = [&](int64_t v) {
    blob = IntSet::Add(blob, v, &added);
    return added;
  };
  auto width = [&] { return int(uint8_t(blob[0])); };
  CHECK(IntSet::Count(blob) == 0);
  CHECK(width() == 2);
  CHECK(add(5));
  CHECK(add(INT16_MAX));
  CHECK(add(INT16_MIN));
  CHECK_FALSE(add(5));
  CHECK(width() == 2);
  CHECK(blob.size() == 1 + 3 * 2);

  CHECK(add(int64_t(INT16_MAX) + 1));  // 32768 needs 4 bytes
  CHECK(width() == 4);
  CHECK(add(int64_t(INT16_MIN) - 1));
  CHECK(add(INT32_MAX));
  CHECK(add(INT32_MIN));
  CHECK(width() == 4);
  CHECK(blob.size() == 1 + 7 * 4);

  CHECK(add(int64_t(INT32_MAX) + 1));
  CHECK(width() == 8);
  CHECK(add(INT64_MIN));
  CHECK(add(INT64_MAX));
  CHECK(add(-3'000'000'000));
  const std::vector<int64_t> all{INT64_MIN, -3'000'000'000, INT32_MIN, -32769,       INT16_MIN, 5,
                                 INT16_MAX, 32768,          INT32_MAX, 2147483648LL, INT64_MAX};
  CHECK(IntSetValues(blob) == all);  // ascending, every value kept through two upgrades
  CHECK(blob.size() == 1 + all.size() * 8);
  for (int64_t v : all) CHECK(IntSet::Contains(blob, v));
  CHECK_FALSE(IntSet::Contains(blob, 6));
  CHECK_FALSE(IntSet::Contains(blob, INT64_MAX - 1));

  bool removed = false;
  for (int64_t v : {INT64_MIN, INT64_MAX, int64_t(-3'000'000'000), int64_t(2147483648LL)}) {
    blob = IntSet::Remove(blob, v, &removed);
    CHECK(removed);
  }
  blob = IntSet::Remove(blob, 6, &removed);
  CHECK_FALSE(removed);
  CHECK(width() == 8);  // as in Redis, no downgrade
  CHECK(IntSetValues(blob) ==
        std::vector<int64_t>{INT32_MIN, -32769, INT16_MIN, 5, INT16_MAX, 32768, INT32_MAX});
}

TEST_CASE("set: integers stay an intset up to set-max-intset-entries", "[set][encoding]") {
  SetFixture fx;
  std::set<std::string> expected;
  for (int i = 0; i < kIntSetEntries; ++i) {
    std::string m = std::to_string(i * 1000 - 3000);
    CHECK(fx.Add("s", m));
    expected.insert(m);
    CHECK(fx.Encoding("s") == "intset");
  }
  CHECK_FALSE(fx.Add("s", "0"));
  // Iteration is ascending, formatted back as decimals.
  CHECK(fx.Members("s") ==
        std::vector<std::string>{"-3000", "-2000", "-1000", "0", "1000", "2000", "3000", "4000"});
  CHECK(fx.Add("s", "99"));
  expected.insert("99");
  CHECK(fx.Encoding("s") == "hashtable");  // kIntSetEntries + 1 > kPackEntries
  CHECK(fx.MemberSet("s") == expected);
  SetReader r(fx.Get("s"));
  CHECK(r.Size() == expected.size());
  for (const std::string& m : expected) CHECK(r.Contains(m));
}

TEST_CASE("set: 64-bit integers widen the intset through the writer", "[set][encoding]") {
  SetFixture fx;
  for (const char* m : {"1", "-70000", "5000000000", "-9223372036854775808"}) fx.Add("s", m);
  CHECK(fx.Encoding("s") == "intset");
  CHECK(int(uint8_t(fx.Get("s")->blob()[0])) == 8);
  CHECK(fx.Members("s") ==
        std::vector<std::string>{"-9223372036854775808", "-70000", "1", "5000000000"});
  CHECK(SetReader(fx.Get("s")).Contains("5000000000"));
  CHECK_FALSE(SetReader(fx.Get("s")).Contains("05000000000"));
}

TEST_CASE("set: a non-integer member converts an intset", "[set][encoding]") {
  SetFixture fx;
  for (const char* m : {"3", "1", "2"}) fx.Add("s", m);

  SECTION("to a pack when it fits, keeping every member") {
    CHECK(fx.Add("s", "x"));
    CHECK(fx.Encoding("s") == "listpack");
    CHECK(fx.Members("s") == std::vector<std::string>{"1", "2", "3", "x"});
    SetReader r(fx.Get("s"));
    CHECK(r.Contains("2"));
    CHECK_FALSE(r.Contains("02"));
    // Removing the string does not go back to an intset (as in Redis).
    CHECK(fx.Remove("s", "x"));
    CHECK(fx.Encoding("s") == "listpack");
    // Integers added to a pack are kept as strings and found.
    CHECK(fx.Add("s", "4"));
    CHECK_FALSE(fx.Add("s", "4"));
    CHECK(SetReader(fx.Get("s")).Contains("4"));
    CHECK(fx.Encoding("s") == "listpack");
  }
  SECTION("to a hashtable when the member is too long") {
    CHECK(fx.Add("s", Sized(size_t(kPackValue) + 1)));
    CHECK(fx.Encoding("s") == "hashtable");
    CHECK(fx.MemberSet("s") == std::set<std::string>{"1", "2", "3", Sized(size_t(kPackValue) + 1)});
  }
  SECTION("to a hashtable when the pack would be too big") {
    CHECK(fx.Add("s", "4"));  // 4 integers = set-max-listpack-entries
    CHECK(fx.Add("s", "x"));
    CHECK(fx.Encoding("s") == "hashtable");
    CHECK(fx.MemberSet("s") == std::set<std::string>{"1", "2", "3", "4", "x"});
  }
  SECTION("non-canonical integers are strings") {
    for (const char* m : {"-0", "007", "+1", "9223372036854775808"}) {
      SetFixture other;
      other.limits().set_max_listpack_value = 64;
      CHECK(other.Add("t", m));
      CHECK(other.Encoding("t") == "listpack");
      CHECK(other.Members("t") == std::vector<std::string>{m});
    }
  }
}

TEST_CASE("set: a pack holds set-max-listpack-entries members of set-max-listpack-value bytes",
          "[set][encoding]") {
  SetFixture fx;
  std::vector<std::string> expected;
  for (int i = 0; i < kPackEntries; ++i) {
    std::string m = Sized(size_t(kPackValue) - size_t(i), char('a' + i));
    CHECK(fx.Add("s", m));
    expected.push_back(m);
    CHECK(fx.Encoding("s") == "listpack");
  }
  CHECK(fx.Members("s") == expected);  // insertion order
  CHECK_FALSE(fx.Add("s", expected[1]));
  CHECK(fx.Add("s", "e"));
  expected.push_back("e");
  CHECK(fx.Encoding("s") == "hashtable");
  CHECK(fx.MemberSet("s") == std::set<std::string>(expected.begin(), expected.end()));

  SetFixture fy;
  fy.Add("t", "a");
  fy.Add("t", Sized(size_t(kPackValue) + 1));
  CHECK(fy.Encoding("t") == "hashtable");
}

TEST_CASE("set: shrinking never converts back; the last removal deletes the key",
          "[set][encoding]") {
  SetFixture fx;
  SECTION("hashtable") {
    for (int i = 0; i < 10; ++i) fx.Add("s", "m" + std::to_string(i));
    for (int i = 1; i < 10; ++i) CHECK(fx.Remove("s", "m" + std::to_string(i)));
    CHECK(fx.Encoding("s") == "hashtable");
    CHECK_FALSE(fx.Remove("s", "m1"));
    CHECK(fx.Remove("s", "m0"));
    CHECK(fx.Get("s") == nullptr);
  }
  SECTION("intset") {
    fx.Add("s", "1");
    CHECK_FALSE(fx.Remove("s", "x"));  // not an integer: cannot be in an intset
    CHECK_FALSE(fx.Remove("s", "2"));
    CHECK(fx.Remove("s", "1"));
    CHECK(fx.Get("s") == nullptr);
  }
  SECTION("pack, emptied by PopRandom") {
    for (const char* m : {"a", "b", "c"}) fx.Add("s", m);
    std::set<std::string> popped;
    KeyArg k = MakeKeyArg("s");
    SetWriter w(fx.db(), k, fx.FindForWrite(k));
    while (w.Size() > 0) popped.insert(w.PopRandom());
    w.Commit();
    CHECK(popped == std::set<std::string>{"a", "b", "c"});
    CHECK(fx.Get("s") == nullptr);
  }
}

// Redis 7.0 and 7.2 turn an intset that outgrows set-max-intset-entries into a
// hashtable (t_set.c maybeConvertIntset), whatever set-max-listpack-entries says.
TEST_CASE("set: an intset past set-max-intset-entries becomes a hashtable, not a pack",
          "[set][encoding]") {
  SetFixture fx;
  fx.limits().set_max_intset_entries = 4;
  fx.limits().set_max_listpack_entries = 8;
  for (int i = 1; i <= 4; ++i) fx.Add("s", std::to_string(i));
  CHECK(fx.Encoding("s") == "intset");
  fx.Add("s", "5");
  CHECK(fx.Encoding("s") == "hashtable");
}

TEST_CASE("set: random edits against a std::set oracle across all three encodings",
          "[set][encoding]") {
  SetFixture fx;
  std::mt19937 rng(7);
  std::set<std::string> oracle;
  std::string enc;  // the encoding Redis 7.2 would have now ("" when there is no key)
  std::map<std::string, int> seen;
  for (int op = 0; op < 3000; ++op) {
    if (op % 60 == 0) {  // start over now and then, to pass through the small encodings
      fx.db().DeleteKey(MakeKeyArg("s"));
      oracle.clear();
      enc.clear();
    }
    std::string m;
    switch (rng() % 4) {
      case 0:
        m = "s" + std::to_string(rng() % 6);
        break;
      case 1:
        m = Sized(size_t(kPackValue) + 1, char('A' + rng() % 3));
        break;
      default:
        m = std::to_string(int64_t(rng() % 12) - 6);
        break;
    }
    if (rng() % 5 < 3) {
      const size_t before = oracle.size();
      const bool added = oracle.insert(m).second;
      CHECK(fx.Add("s", m) == added);
      int64_t v = 0;
      const bool is_int = IntSetMember(m, &v);
      const bool fits_pack = int64_t(m.size()) <= kPackValue && int64_t(before) < kPackEntries;
      if (!added) {
        // unchanged
      } else if (enc.empty() || enc == "intset") {
        if (is_int)
          enc = int64_t(oracle.size()) <= kIntSetEntries ? "intset" : "hashtable";
        else
          enc = fits_pack ? "listpack" : "hashtable";
      } else if (enc == "listpack" && !fits_pack) {
        enc = "hashtable";
      }
    } else {
      CHECK(fx.Remove("s", m) == (oracle.erase(m) == 1));
      if (oracle.empty()) enc.clear();
    }
    const Entry* e = fx.Get("s");
    REQUIRE((e != nullptr) == !oracle.empty());
    if (e == nullptr) continue;
    REQUIRE(SetReader(e).Size() == oracle.size());
    REQUIRE(fx.Encoding("s") == enc);
    ++seen[enc];
    if (op % 10 == 0) REQUIRE(fx.MemberSet("s") == oracle);
  }
  CHECK(seen["intset"] > 50);
  CHECK(seen["listpack"] > 50);
  CHECK(seen["hashtable"] > 50);
}
