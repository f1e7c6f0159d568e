#include "storage/tinylfu.h"
#include "storage/eviction_pool.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using larder::FrequencySketch;
using larder::InsertionWindow;

namespace {

uint64_t Mix(uint64_t x) {  // distinct, well-spread test hashes
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

TEST_CASE("the sketch counts accesses and saturates at 15", "[tinylfu]") {
  FrequencySketch s;
  s.EnsureCapacity(1024);
  CHECK(s.Estimate(Mix(1)) == 0);
  for (int i = 0; i < 5; ++i) s.Increment(Mix(1));
  CHECK(s.Estimate(Mix(1)) == 5);
  for (int i = 0; i < 100; ++i) s.Increment(Mix(2));
  CHECK(s.Estimate(Mix(2)) == 15);
  CHECK(s.Estimate(Mix(1)) == 5);
}

TEST_CASE("the sketch tells hot keys from cold ones despite collisions", "[tinylfu]") {
  FrequencySketch s;
  s.EnsureCapacity(1000);
  // 10 hot keys read 12 times each, 3000 cold keys (3x the capacity) read once.
  for (int round = 0; round < 12; ++round) {
    for (uint64_t k = 0; k < 10; ++k) s.Increment(Mix(k));
  }
  for (uint64_t k = 100; k < 3100; ++k) s.Increment(Mix(k));
  for (uint64_t k = 0; k < 10; ++k) CHECK(s.Estimate(Mix(k)) >= 12);
  int cold_high = 0;
  for (uint64_t k = 100; k < 3100; ++k) cold_high += s.Estimate(Mix(k)) >= 4 ? 1 : 0;
  CHECK(cold_high < 300);  // a few collide, most keep a small estimate
}

TEST_CASE("the sketch halves its counters as accesses accumulate", "[tinylfu]") {
  FrequencySketch s;
  s.EnsureCapacity(64);  // room for 80 keys: halves after 800 increments
  for (int i = 0; i < 12; ++i) s.Increment(Mix(7));
  CHECK(s.Estimate(Mix(7)) == 12);
  for (uint64_t k = 1000; k < 1000 + 700; ++k) s.Increment(Mix(k));
  CHECK(s.Estimate(Mix(7)) == 12);
  for (uint64_t k = 2000; k < 2000 + 100; ++k) s.Increment(Mix(k));
  CHECK(s.Estimate(Mix(7)) <= 6);
}

TEST_CASE("resizing the sketch clears it", "[tinylfu]") {
  FrequencySketch s;
  s.EnsureCapacity(100);
  const size_t cap = s.capacity();
  s.Increment(Mix(3));
  s.EnsureCapacity(110);  // within the 25% headroom: kept
  CHECK(s.capacity() == cap);
  CHECK(s.Estimate(Mix(3)) == 1);
  s.EnsureCapacity(cap * 4);
  CHECK(s.capacity() > cap);
  CHECK(s.Estimate(Mix(3)) == 0);
}

TEST_CASE("the insertion window is a bounded FIFO", "[tinylfu]") {
  InsertionWindow w;
  w.SetCapacity(3);
  for (int i = 0; i < 5; ++i) w.Push(i % 2, uint64_t(i));
  CHECK(w.size() == 3);
  InsertionWindow::Item it;
  REQUIRE(w.PopOldest(&it));
  CHECK(it.db == 0);
  CHECK(it.hash == 2);
  w.SetCapacity(1);  // shrinking keeps the newest
  REQUIRE(w.PopOldest(&it));
  CHECK(it.hash == 4);
  CHECK_FALSE(w.PopOldest(&it));
}

TEST_CASE("the eviction pool keeps the best candidates, best first", "[eviction]") {
  larder::EvictionPool pool;
  pool.SetPolicy(1);
  for (int i = 0; i < 20; ++i) pool.Offer({double(i % 10), uint64_t(i), 0});
  // Eight kept; a key offered twice holds one place, with its latest score.
  CHECK(pool.size() == larder::EvictionPool::kCapacity);
  pool.Offer({100, 3, 0});
  pool.Offer({0.5, 42, 0});  // worse than all eight: not kept
  larder::EvictionPool::Candidate c;
  REQUIRE(pool.PopBest(&c));
  CHECK(c.hash == 3);
  CHECK(c.score == 100);
  REQUIRE(pool.PopBest(&c));
  CHECK(c.score == 9);
  size_t left = 0;
  while (pool.PopBest(&c)) {
    CHECK(c.hash != 42);
    ++left;
  }
  CHECK(left == larder::EvictionPool::kCapacity - 2);
  // Candidates scored under another policy are forgotten.
  pool.Offer({1, 7, 2});
  pool.SetPolicy(2);
  CHECK(pool.empty());
}
