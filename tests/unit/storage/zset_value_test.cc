// Sorted-set values: the packed ("listpack") encoding, its conversion to a ZSetObject
// ("skiplist") at zset-max-listpack-entries / zset-max-listpack-value, readers over
// both encodings, and the skiplist's ranks against a sorted-vector oracle.
#include "storage/zset_value.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "storage/skiplist.h"
#include "unit/storage/collection_fixture.h"

using namespace larder;
using larder::testing::CollectionFixture;
using larder::testing::Sized;

namespace {

constexpr int64_t kEntries = 8;
constexpr int64_t kValue = 16;

using Items = std::vector<std::pair<std::string, double>>;

class ZSetFixture : public CollectionFixture {
 public:
  ZSetFixture() {
    limits().zset_max_listpack_entries = kEntries;
    limits().zset_max_listpack_value = kValue;
  }
  bool Add(std::string_view key, std::string_view member, double score) {
    KeyArg k = MakeKeyArg(key);
    ZSetWriter w(db(), k, FindForWrite(k));
    bool added = w.Set(member, score);
    w.Commit();
    return added;
  }
  bool Remove(std::string_view key, std::string_view member) {
    KeyArg k = MakeKeyArg(key);
    ZSetWriter w(db(), k, FindForWrite(k));
    bool removed = w.Remove(member);
    w.Commit();
    return removed;
  }
  bool Packed(std::string_view key) { return !Get(key)->has_object(); }
  // Every (member, score) in rank order (ascending, or descending when reverse).
  Items All(std::string_view key, bool reverse = false) {
    Items out;
    ZSetReader r(Get(key));
    r.ForRanks(0, r.Size(), reverse, [&](ZItem it) { out.emplace_back(it.member, it.score); });
    return out;
  }
};

bool ByScoreThenMember(const std::pair<std::string, double>& a,
                       const std::pair<std::string, double>& b) {
  return a.second < b.second || (a.second == b.second && a.first < b.first);
}

Items Sorted(const std::map<std::string, double>& m) {
  Items out(m.begin(), m.end());
  std::sort(out.begin(), out.end(), ByScoreThenMember);
  return out;
}

std::string Member(int i) { return "m" + std::to_string(i); }

}  // namespace

TEST_CASE("zset: exactly zset-max-listpack-entries members stay packed, one more converts",
          "[zset][encoding]") {
  ZSetFixture fx;
  std::map<std::string, double> oracle;
  // Scores out of order and with ties: ties are ordered by member.
  const double scores[] = {5, -1.5, 5, 0, 1e300, -INFINITY, 5, 2.25, 3};
  for (int i = 0; i < kEntries; ++i) {
    CHECK(fx.Add("z", Member(i), scores[i]));
    oracle[Member(i)] = scores[i];
    CHECK(fx.Packed("z"));
    CHECK(fx.All("z") == Sorted(oracle));
  }
  CHECK(fx.Add("z", Member(int(kEntries)), scores[kEntries]));
  oracle[Member(int(kEntries))] = scores[kEntries];
  CHECK_FALSE(fx.Packed("z"));
  CHECK(fx.All("z") == Sorted(oracle));
  Items rev = Sorted(oracle);
  std::reverse(rev.begin(), rev.end());
  CHECK(fx.All("z", true) == rev);
  ZSetReader r(fx.Get("z"));
  for (const auto& [m, s] : oracle) CHECK(r.Score(m) == std::optional<double>(s));
}

TEST_CASE("zset: re-scoring members of a full pack keeps it packed", "[zset][encoding]") {
  ZSetFixture fx;
  std::map<std::string, double> oracle;
  for (int i = 0; i < kEntries; ++i) fx.Add("z", Member(i), oracle[Member(i)] = i);
  for (int i = 0; i < kEntries; ++i) CHECK_FALSE(fx.Add("z", Member(i), oracle[Member(i)] = -i));
  CHECK(fx.Packed("z"));
  CHECK(fx.All("z") == Sorted(oracle));
}

TEST_CASE("zset: member length at zset-max-listpack-value", "[zset][encoding]") {
  ZSetFixture fx;
  fx.Add("z", Sized(size_t(kValue), 'a'), 1);
  CHECK(fx.Packed("z"));
  fx.Add("z", Sized(size_t(kValue) + 1, 'b'), 0.5);
  CHECK_FALSE(fx.Packed("z"));
  CHECK(fx.All("z") ==
        Items{{Sized(size_t(kValue) + 1, 'b'), 0.5}, {Sized(size_t(kValue), 'a'), 1}});

  fx.Add("y", Sized(size_t(kValue) + 1), 1);  // created as a skiplist
  CHECK_FALSE(fx.Packed("y"));
}

TEST_CASE("zset: shrinking never converts back; the last removal deletes the key",
          "[zset][encoding]") {
  ZSetFixture fx;
  SECTION("skiplist") {
    for (int i = 0; i <= kEntries; ++i) fx.Add("z", Member(i), i);
    for (int i = 1; i <= kEntries; ++i) CHECK(fx.Remove("z", Member(i)));
    CHECK_FALSE(fx.Packed("z"));
    CHECK_FALSE(fx.Remove("z", Member(1)));
    CHECK(fx.Remove("z", Member(0)));
    CHECK(fx.Get("z") == nullptr);
  }
  SECTION("pack") {
    fx.Add("z", "a", 1);
    fx.Add("z", "b", 2);
    CHECK(fx.Remove("z", "a"));
    CHECK(fx.All("z") == Items{{"b", 2}});
    CHECK(fx.Remove("z", "b"));
    CHECK(fx.Get("z") == nullptr);
  }
  SECTION("RemoveRanks of everything, both encodings") {
    for (int n : {3, int(kEntries) + 3}) {
      for (int i = 0; i < n; ++i) fx.Add("z", Member(i), i);
      KeyArg k = MakeKeyArg("z");
      ZSetWriter w(fx.db(), k, fx.FindForWrite(k));
      w.RemoveRanks(0, size_t(n));
      w.Commit();
      CHECK(fx.Get("z") == nullptr);
    }
  }
}

TEST_CASE("zset: negative zero as Redis 7.0 keeps it per encoding", "[zset][encoding]") {
  ZSetFixture fx;
  fx.Add("p", "a", -0.0);  // a listpack stores "0": ZSCORE says 0
  CHECK_FALSE(std::signbit(*ZSetReader(fx.Get("p")).Score("a")));
  fx.Add("s", Sized(size_t(kValue) + 1), -0.0);  // a skiplist keeps the double: "-0"
  CHECK(std::signbit(*ZSetReader(fx.Get("s")).Score(Sized(size_t(kValue) + 1))));
}

TEST_CASE("zset: readers over a pack and a skiplist agree", "[zset][encoding]") {
  ZSetFixture fx;
  std::mt19937 rng(99);
  std::map<std::string, double> oracle;
  for (int i = 0; i < 60; ++i) oracle["k" + std::to_string(rng() % 1000)] = double(rng() % 7) / 2;
  fx.limits().zset_max_listpack_entries = 1000;
  for (const auto& [m, s] : oracle) fx.Add("packed", m, s);
  fx.limits().zset_max_listpack_entries = 1;
  for (const auto& [m, s] : oracle) fx.Add("skip", m, s);
  REQUIRE(fx.Packed("packed"));
  REQUIRE_FALSE(fx.Packed("skip"));

  ZSetReader p(fx.Get("packed")), s(fx.Get("skip"));
  const Items sorted = Sorted(oracle);
  REQUIRE(p.Size() == sorted.size());
  REQUIRE(s.Size() == sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    CHECK(p.At(i).member == sorted[i].first);
    CHECK(s.At(i).member == sorted[i].first);
    CHECK(s.At(i).score == sorted[i].second);
    CHECK(p.Rank(sorted[i].first) == std::optional<size_t>(i));
    CHECK(s.Rank(sorted[i].first) == std::optional<size_t>(i));
  }
  CHECK_FALSE(s.Rank("zzz"));
  CHECK_FALSE(p.Score("zzz"));
  for (double bound = -1; bound <= 101; bound += 0.5) {
    for (bool ex : {false, true}) {
      CHECK(p.ScoreStart(bound, ex) == s.ScoreStart(bound, ex));
      CHECK(p.ScoreEnd(bound, ex) == s.ScoreEnd(bound, ex));
      auto below = std::count_if(sorted.begin(), sorted.end(), [&](const auto& it) {
        return ex ? it.second <= bound : it.second < bound;
      });
      CHECK(s.ScoreStart(bound, ex) == size_t(below));
    }
  }
  ZSetWriter w(fx.db(), MakeKeyArg("skip"), fx.FindForWrite(MakeKeyArg("skip")));
  CHECK(w.At(3) == sorted[3]);
}

TEST_CASE("zset: lexicographic bounds over equal scores agree across encodings",
          "[zset][encoding]") {
  ZSetFixture fx;
  const std::vector<std::string> members{"a", "b", "bb", "ba", "c", "d", "dd", "e"};
  fx.limits().zset_max_listpack_entries = 1000;
  for (const std::string& m : members) fx.Add("packed", m, 0);
  fx.limits().zset_max_listpack_entries = 1;
  for (const std::string& m : members) fx.Add("skip", m, 0);
  REQUIRE(fx.Packed("packed"));
  REQUIRE_FALSE(fx.Packed("skip"));
  ZSetReader p(fx.Get("packed")), s(fx.Get("skip"));
  struct Bound {
    const char* text;
    size_t start, end;  // expected LexStart / LexEnd over a b ba bb c d dd e
  };
  for (Bound b : {Bound{"-", 0, 0}, Bound{"+", 8, 8}, Bound{"[a", 0, 1}, Bound{"(a", 1, 0},
                  Bound{"[b", 1, 2}, Bound{"(b", 2, 1}, Bound{"[bb", 3, 4}, Bound{"(bc", 4, 4},
                  Bound{"[d", 5, 6}, Bound{"(e", 8, 7}, Bound{"[f", 8, 8}}) {
    INFO(b.text);
    CHECK(p.LexStart(b.text) == b.start);
    CHECK(s.LexStart(b.text) == b.start);
    CHECK(p.LexEnd(b.text) == b.end);
    CHECK(s.LexEnd(b.text) == b.end);
  }
}

TEST_CASE("skiplist: ranks, At and CountWhile against a sorted vector under random edits",
          "[zset][skiplist]") {
  ZSetObject z;
  Items oracle;  // sorted by (score, member)
  std::mt19937 rng(12345);
  auto find = [&](const std::string& m) {
    return std::find_if(oracle.begin(), oracle.end(), [&](const auto& p) { return p.first == m; });
  };
  auto check_all = [&] {
    REQUIRE(z.list.size() == oracle.size());
    size_t i = 0;
    for (ZNode* n = z.list.first(); n != nullptr; n = n->link[0].forward, ++i) {
      REQUIRE(i < oracle.size());
      REQUIRE(n->name() == oracle[i].first);
      REQUIRE(n->score == oracle[i].second);
      REQUIRE(z.list.Rank(n->score, n->name()) == i + 1);
      REQUIRE(z.list.At(i) == n);
    }
    REQUIRE(i == oracle.size());
    // Backward links walk the same order reversed.
    i = oracle.size();
    for (ZNode* n = z.list.last(); n != nullptr; n = n->backward) {
      REQUIRE(i > 0);
      REQUIRE(n->name() == oracle[--i].first);
    }
    REQUIRE(i == 0);
  };
  for (int op = 0; op < 5000; ++op) {
    std::string m = Member(int(rng() % 400));
    double score = double(int(rng() % 50) - 25) / 4;  // many ties
    auto it = find(m);
    const bool existed = it != oracle.end();
    const unsigned kind = rng() % 10;
    if (!existed && kind < 6) {
      z.Insert(m, score);
      oracle.insert(std::upper_bound(oracle.begin(), oracle.end(), std::make_pair(m, score),
                                     ByScoreThenMember),
                    {m, score});
    } else if (existed && kind < 8) {
      z.SetScore(m, score);
      oracle.erase(it);
      oracle.insert(std::upper_bound(oracle.begin(), oracle.end(), std::make_pair(m, score),
                                     ByScoreThenMember),
                    {m, score});
    } else if (existed) {
      z.Remove(m);
      oracle.erase(it);
    }
    if (existed || kind < 6) {
      // Spot checks after every edit.
      ZNode* n = z.Find(m);
      auto pos = find(m);
      REQUIRE((n != nullptr) == (pos != oracle.end()));
      if (n != nullptr) {
        REQUIRE(z.list.Rank(n->score, m) == size_t(pos - oracle.begin()) + 1);
      } else {
        REQUIRE(z.list.Rank(score, m) == 0);
      }
    }
    if (!oracle.empty()) {
      size_t r = rng() % oracle.size();
      REQUIRE(z.list.At(r)->name() == oracle[r].first);
      double bound = double(int(rng() % 60) - 30) / 4;
      size_t below = size_t(std::count_if(oracle.begin(), oracle.end(),
                                          [&](const auto& p) { return p.second < bound; }));
      REQUIRE(z.list.CountWhile([&](const ZNode* x) { return x->score < bound; }) == below);
    }
    if (op % 250 == 0) check_all();
  }
  check_all();
  // Remove everything, checking as the list empties.
  while (!oracle.empty()) {
    size_t r = rng() % oracle.size();
    z.Remove(oracle[r].first);
    oracle.erase(oracle.begin() + std::ptrdiff_t(r));
    if (oracle.size() % 50 == 0) check_all();
  }
  CHECK(z.list.first() == nullptr);
  CHECK(z.list.last() == nullptr);
  CHECK(z.list.CountWhile([](const ZNode*) { return true; }) == 0);
}

TEST_CASE("zset: random edits against a map oracle across the conversion", "[zset][encoding]") {
  ZSetFixture fx;
  std::mt19937 rng(2024);
  std::map<std::string, double> oracle;
  bool converted = false;
  int packed_seen = 0, converted_seen = 0;  // both encodings were exercised
  for (int op = 0; op < 2000; ++op) {
    if (op % 60 == 0) {  // start over now and then, to pass through the small encodings
      fx.db().DeleteKey(MakeKeyArg("z"));
      oracle.clear();
      converted = false;
    }
    std::string m = rng() % 25 == 0 ? Sized(size_t(kValue) + 1, char('A' + rng() % 3))
                                    : Member(int(rng() % 12));
    if (rng() % 3 != 0) {
      double score = double(rng() % 9);
      bool is_new = oracle.count(m) == 0;
      if ((is_new && int64_t(oracle.size()) + 1 > kEntries) || int64_t(m.size()) > kValue) {
        converted = true;
      }
      CHECK(fx.Add("z", m, score) == is_new);
      oracle[m] = score;
    } else {
      CHECK(fx.Remove("z", m) == (oracle.erase(m) == 1));
      if (oracle.empty()) converted = false;
    }
    const Entry* e = fx.Get("z");
    REQUIRE((e != nullptr) == !oracle.empty());
    if (e == nullptr) continue;
    REQUIRE(fx.Packed("z") == !converted);
    ++(converted ? converted_seen : packed_seen);
    REQUIRE(fx.All("z") == Sorted(oracle));
  }
  CHECK(packed_seen > 100);
  CHECK(converted_seen > 100);
}
