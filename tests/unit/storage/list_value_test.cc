// List values: a single packed node inline in the entry, a ListObject of packed nodes
// past list-max-listpack-size, and every ListWriter edit against a std::deque oracle
// across node boundaries.
#include "storage/list_value.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "unit/storage/collection_fixture.h"

using namespace larder;
using larder::testing::CollectionFixture;
using larder::testing::Sized;

namespace {

class ListFixture : public CollectionFixture {
 public:
  explicit ListFixture(int64_t fill) { limits().list_max_listpack_size = fill; }

  // Runs fn(ListWriter&) on `key` and commits.
  template <typename Fn>
  void Edit(std::string_view key, Fn&& fn) {
    KeyArg k = MakeKeyArg(key);
    ListWriter w(db(), k, FindForWrite(k));
    fn(w);
    w.Commit();
  }
  void Push(std::string_view key, std::string_view v, bool front) {
    Edit(key, [&](ListWriter& w) { w.Push(v, front); });
  }
  std::string Pop(std::string_view key, bool front) {
    std::string out;
    Edit(key, [&](ListWriter& w) { out = w.Pop(front); });
    return out;
  }
  bool Inline(std::string_view key) { return !Get(key)->has_object(); }
  size_t NodeCount(std::string_view key) {
    const Entry* e = Get(key);
    return e->has_object() ? static_cast<const ListObject*>(e->object())->list.nodes.size() : 1;
  }
  std::vector<std::string> Elements(std::string_view key) {
    std::vector<std::string> out;
    ListReader r(Get(key));
    if (r.Len() > 0) r.ForRange(0, r.Len() - 1, [&](std::string_view v) { out.emplace_back(v); });
    return out;
  }
};

std::vector<std::string> ToVector(const std::deque<std::string>& d) { return {d.begin(), d.end()}; }

// Checks a list entry against the oracle through every read path, and the shape of its
// nodes: none empty, each within the fill limit (one oversized element may stand alone).
void CheckList(ListFixture& fx, const std::deque<std::string>& oracle, int64_t fill, bool full) {
  const Entry* e = fx.Get("l");
  REQUIRE((e != nullptr) == !oracle.empty());
  if (e == nullptr) return;
  ListReader r(e);
  REQUIRE(r.Len() == oracle.size());
  REQUIRE(r.At(0) == oracle.front());
  REQUIRE(r.At(oracle.size() - 1) == oracle.back());
  REQUIRE(r.At(oracle.size() / 2) == oracle[oracle.size() / 2]);
  if (!full) return;
  REQUIRE(fx.Elements("l") == ToVector(oracle));
  for (size_t i = 0; i < oracle.size(); ++i) REQUIRE(r.At(i) == oracle[i]);
  size_t expect = oracle.size();
  r.ForEachReverse([&](size_t i, std::string_view v) {
    REQUIRE(i == --expect);
    REQUIRE(v == oracle[i]);
    return true;
  });
  REQUIRE(expect == 0);
  if (!e->has_object()) return;
  const ListNodes& nodes = static_cast<const ListObject*>(e->object())->list;
  size_t total = 0;
  for (const std::string& node : nodes.nodes) {
    size_t c = PackCount(node);
    REQUIRE(c > 0);
    total += c;
    if (fill > 0) {
      REQUIRE(int64_t(c) <= fill);
    } else if (c > 1) {
      REQUIRE(node.size() <= size_t(4096) << (-fill - 1));
    }
  }
  REQUIRE(total == nodes.count);
}

}  // namespace

TEST_CASE("list: a list in one node is inline, a longer one is a node sequence",
          "[list][encoding]") {
  SECTION("byte-limited nodes (-1 = 4 KiB)") {
    ListFixture fx(-1);
    const std::string v = Sized(1000);
    for (int i = 0; i < 3; ++i) fx.Push("l", v, false);
    CHECK(fx.Inline("l"));  // ~3 KiB fits one node
    fx.Push("l", v, false);
    fx.Push("l", v, false);
    CHECK_FALSE(fx.Inline("l"));
    CHECK(fx.NodeCount("l") == 2);
    CHECK(fx.Elements("l") == std::vector<std::string>(5, v));
  }
  SECTION("an element larger than a node stands alone") {
    ListFixture fx(-1);
    fx.Push("l", "a", false);
    fx.Push("l", Sized(5000), false);
    fx.Push("l", "b", false);
    CHECK_FALSE(fx.Inline("l"));
    CHECK(fx.Elements("l") == std::vector<std::string>{"a", Sized(5000), "b"});
  }
  SECTION("the last pop deletes the key, from either encoding") {
    ListFixture fx(2);
    for (const char* v : {"a", "b", "c"}) fx.Push("l", v, true);
    CHECK_FALSE(fx.Inline("l"));
    CHECK(fx.Pop("l", false) == "a");
    CHECK(fx.Pop("l", false) == "b");
    CHECK(fx.Pop("l", true) == "c");
    CHECK(fx.Get("l") == nullptr);
    fx.Push("l", "x", false);
    CHECK(fx.Inline("l"));
    CHECK(fx.Pop("l", true) == "x");
    CHECK(fx.Get("l") == nullptr);
  }
}

// A one-node list takes pushes in its entry (ListWriter::PushInEntry); a writer that
// pushes and then pops, sets or overflows the node continues on a copy that includes
// those pushes.
TEST_CASE("list: pushes onto a one-node list edit it in its entry", "[list][encoding]") {
  ListFixture fx(-2);  // 8 KiB nodes
  std::deque<std::string> oracle;
  SECTION("one push per writer, over the count's and length's varint boundaries") {
    // 1-byte elements: the count passes 127 -> 128; the pack's length passes 127 -> 128.
    for (int i = 0; i < 300; ++i) {
      std::string v(1, char('a' + i % 26));
      bool front = i % 3 != 0;
      fx.Push("l", v, front);
      if (front) oracle.push_front(v);
      else oracle.push_back(v);
      REQUIRE(fx.Inline("l"));
    }
    CheckList(fx, oracle, -2, true);
  }
  SECTION("pushes, then other edits, in one writer") {
    for (const char* v : {"m1", "m2", "m3"}) {
      fx.Push("l", v, false);
      oracle.push_back(v);
    }
    fx.Edit("l", [&](ListWriter& w) {
      w.Push("f1", true);
      w.Push("b1", false);
      REQUIRE(w.Len() == 5);
      REQUIRE(w.Pop(true) == "f1");  // sees the pushes made in the entry
      REQUIRE(w.Pop(false) == "b1");
      w.Push("f2", true);
      w.Set(1, "M1");
      w.Push("b2", false);
    });
    oracle = {"f2", "M1", "m2", "m3", "b2"};
    CheckList(fx, oracle, -2, true);
    REQUIRE(fx.Inline("l"));
  }
  SECTION("a writer whose pushes outgrow the node") {
    const std::string big = Sized(3000, 'B');
    fx.Push("l", "first", false);
    oracle.push_back("first");
    fx.Edit("l", [&](ListWriter& w) {
      for (int i = 0; i < 4; ++i) w.Push(big, i % 2 == 0);  // the third does not fit
    });
    for (int i = 0; i < 4; ++i) {
      if (i % 2 == 0) oracle.push_front(big);
      else oracle.push_back(big);
    }
    CheckList(fx, oracle, -2, true);
    REQUIRE_FALSE(fx.Inline("l"));
  }
  SECTION("an expiring list keeps its expiry") {
    fx.Push("l", "a", false);
    KeyArg k = MakeKeyArg("l");
    KeyRef ref = fx.FindForWrite(k);
    fx.db().SetExpiry(&ref, 1'800'000'000'000);
    for (int i = 0; i < 200; ++i) fx.Push("l", Sized(20, char('a' + i % 26)), i % 2 == 0);
    REQUIRE(fx.Get("l")->expire_at() == 1'800'000'000'000);
    REQUIRE(ListReader(fx.Get("l")).Len() == 201);
  }
}

// With list-max-listpack-size N > 0 a node holds N elements, so a list of exactly N
// elements fits one node and should stay inline (list_value.h: "A list that fits one
// node is stored inline"), and nodes of exactly N elements should not be split.
TEST_CASE("list: with an element-count fill, a full node is still one node",
          "[list][encoding]") {
  ListFixture fx(4);
  for (const char* v : {"a", "b", "c", "d"}) fx.Push("l", v, false);
  CHECK(fx.Inline("l"));
  CHECK(fx.NodeCount("l") == 1);
}

TEST_CASE("list: LINSERT, LSET, LREM and LTRIM edits across nodes", "[list][encoding]") {
  ListFixture fx(3);
  std::deque<std::string> oracle;
  for (int i = 0; i < 10; ++i) {
    fx.Push("l", std::to_string(i % 4), false);
    oracle.push_back(std::to_string(i % 4));
  }
  // 0 1 2 3 0 1 2 3 0 1
  fx.Edit("l", [&](ListWriter& w) {
    CHECK(w.Insert("3", "x", false));  // before the first 3
    CHECK(w.Insert("1", "y", true));   // after the first 1
    CHECK_FALSE(w.Insert("nope", "z", true));
  });
  oracle.insert(oracle.begin() + 3, "x");
  oracle.insert(oracle.begin() + 2, "y");
  CheckList(fx, oracle, 3, true);

  fx.Edit("l", [&](ListWriter& w) {
    w.Set(0, "first");
    w.Set(w.Len() - 1, "last");
    w.Set(6, Sized(50));
  });
  oracle.front() = "first";
  oracle.back() = "last";
  oracle[6] = Sized(50);
  CheckList(fx, oracle, 3, true);

  size_t removed = 0;
  fx.Edit("l", [&](ListWriter& w) { removed = w.Remove("2", -1); });  // the last "2"
  CHECK(removed == 1);
  for (size_t i = oracle.size(); i-- > 0;) {
    if (oracle[i] == "2") {
      oracle.erase(oracle.begin() + std::ptrdiff_t(i));
      break;
    }
  }
  CheckList(fx, oracle, 3, true);
  fx.Edit("l", [&](ListWriter& w) { removed = w.Remove("0", 0); });  // every "0"
  CHECK(removed == size_t(std::count(oracle.begin(), oracle.end(), "0")));
  oracle.erase(std::remove(oracle.begin(), oracle.end(), "0"), oracle.end());
  CheckList(fx, oracle, 3, true);

  fx.Edit("l", [&](ListWriter& w) { w.Keep(1, w.Len() - 2, false); });
  oracle.pop_front();
  oracle.pop_back();
  CheckList(fx, oracle, 3, true);
  fx.Edit("l", [&](ListWriter& w) { w.Keep(0, 0, true); });
  CHECK(fx.Get("l") == nullptr);
}

TEST_CASE("list: random pushes, pops and edits against a std::deque", "[list][encoding]") {
  for (int64_t fill : {int64_t(3), int64_t(-1)}) {
    INFO("list-max-listpack-size " << fill);
    ListFixture fx(fill);
    std::deque<std::string> oracle;
    std::mt19937 rng(uint32_t(4242 + fill));
    size_t max_nodes = 0, inline_seen = 0;
    auto value = [&] {
      // Byte-limited nodes need big elements to fill 4 KiB; a few exceed a node.
      size_t len = fill > 0 ? rng() % 6 : (rng() % 50 == 0 ? 5000 : rng() % 900);
      std::string v = std::to_string(rng() % 8);
      v.resize(std::max<size_t>(len, v.size()), '.');
      return v;
    };
    for (int op = 0; op < 2500; ++op) {
      const unsigned kind = rng() % 100;
      if (kind < 30 || oracle.empty()) {
        bool front = rng() % 2 == 0;
        std::string v = value();
        fx.Push("l", v, front);
        if (front)
          oracle.push_front(v);
        else
          oracle.push_back(v);
      } else if (kind < 55) {
        bool front = rng() % 2 == 0;
        std::string expected = front ? oracle.front() : oracle.back();
        REQUIRE(fx.Pop("l", front) == expected);
        if (front)
          oracle.pop_front();
        else
          oracle.pop_back();
      } else if (kind < 70) {
        size_t i = rng() % oracle.size();
        std::string v = value();
        fx.Edit("l", [&](ListWriter& w) { w.Set(i, v); });
        oracle[i] = v;
      } else if (kind < 85) {
        std::string pivot = oracle[rng() % oracle.size()];
        std::string v = value();
        bool after = rng() % 2 == 0;
        fx.Edit("l", [&](ListWriter& w) { REQUIRE(w.Insert(pivot, v, after)); });
        auto it = std::find(oracle.begin(), oracle.end(), pivot);
        oracle.insert(after ? it + 1 : it, v);
      } else if (kind < 95) {
        std::string v = oracle[rng() % oracle.size()];
        int64_t count = int64_t(rng() % 5) - 2;
        size_t removed = 0;
        fx.Edit("l", [&](ListWriter& w) { removed = w.Remove(v, count); });
        size_t limit = count == 0 ? SIZE_MAX : size_t(count < 0 ? -count : count);
        size_t expected = 0;
        if (count >= 0) {
          for (auto it = oracle.begin(); it != oracle.end() && expected < limit;) {
            if (*it == v) {
              it = oracle.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = oracle.size(); i-- > 0 && expected < limit;) {
            if (oracle[i] == v) {
              oracle.erase(oracle.begin() + std::ptrdiff_t(i));
              ++expected;
            }
          }
        }
        REQUIRE(removed == expected);
      } else if (oracle.size() > 40) {
        size_t start = rng() % 5, stop = oracle.size() - 1 - rng() % 5;
        fx.Edit("l", [&](ListWriter& w) { w.Keep(start, stop, false); });
        oracle.erase(oracle.begin() + std::ptrdiff_t(stop) + 1, oracle.end());
        oracle.erase(oracle.begin(), oracle.begin() + std::ptrdiff_t(start));
      }
      CheckList(fx, oracle, fill, op % 25 == 0);
      if (!oracle.empty()) max_nodes = std::max(max_nodes, fx.NodeCount("l"));
      inline_seen += !oracle.empty() && fx.Inline("l");
    }
    CheckList(fx, oracle, fill, true);
    CHECK(max_nodes >= 5);  // the walk crossed node boundaries
    CHECK(inline_seen > 0);
  }
}
