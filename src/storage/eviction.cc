#include "storage/eviction.h"

#include <chrono>

#include "common/hash.h"
#include "common/memory_meter.h"
#include "common/random.h"
#include "storage/access.h"
#include "storage/lock_set.h"
#include "storage/store.h"

namespace larder {

std::optional<EvictPolicy> ParseEvictPolicy(std::string_view name) {
  if (name == "noeviction") return EvictPolicy::kNoEviction;
  if (name == "allkeys-lru") return EvictPolicy::kAllKeysLru;
  if (name == "allkeys-lfu") return EvictPolicy::kAllKeysLfu;
  if (name == "allkeys-random") return EvictPolicy::kAllKeysRandom;
  if (name == "volatile-lru") return EvictPolicy::kVolatileLru;
  if (name == "volatile-lfu") return EvictPolicy::kVolatileLfu;
  if (name == "volatile-random") return EvictPolicy::kVolatileRandom;
  if (name == "volatile-ttl") return EvictPolicy::kVolatileTtl;
  if (name == "allkeys-tinylfu") return EvictPolicy::kAllKeysTinyLfu;
  return std::nullopt;
}

namespace {

bool Volatile(EvictPolicy p) {
  return p == EvictPolicy::kVolatileLru || p == EvictPolicy::kVolatileLfu ||
         p == EvictPolicy::kVolatileRandom || p == EvictPolicy::kVolatileTtl;
}

// Higher is a better victim.
double Score(EvictPolicy p, const AccessPolicy& access, const Entry* e, int64_t now_ms) {
  switch (p) {
    case EvictPolicy::kAllKeysTinyLfu:
      // The entry's LFU counter; idle time breaks ties.
      return (255.0 - double(LfuCounter(access, e->access(), now_ms))) * 1e12 +
             double(LruIdleMs(e->access(), now_ms));
    case EvictPolicy::kAllKeysLru:
    case EvictPolicy::kVolatileLru:
      return double(LruIdleMs(e->access(), now_ms));
    case EvictPolicy::kAllKeysLfu:
    case EvictPolicy::kVolatileLfu:
      return 255.0 - double(LfuCounter(access, e->access(), now_ms));
    case EvictPolicy::kVolatileTtl:
      return -double(e->expire_at());
    default:
      return 0;  // random: the first sample wins
  }
}

// Removes the entry at `slot` of database `db` of `shard` as an eviction.
void EvictSlotLocked(Store& store, Shard& shard, int db, size_t slot) NO_THREAD_SAFETY_ANALYSIS {
  Table& t = shard.table(db);
  Entry* e = t.At(slot);
  store.watches().Touch(db, e->key());
  if (KeyEventSink* sink = store.event_sink()) sink->KeyEvicted(db, e->key());
  t.RemoveAt(slot);
  t.MaybeShrink();
  Entry::Free(e);
  ShardStats::Bump(shard.stats.evicted_keys);
}

// allkeys-tinylfu: the oldest key of the insertion window contests the sampled victim;
// whichever the sketch says is read less often (the window's key on a tie) is evicted.
// The victim is sampled from 3x maxmemory-samples keys: the contest only helps if the
// victim really is one of the coldest. Returns false if neither exists.
bool EvictTinyLfuLocked(Store& store, Shard& shard, int sampled_db,
                        size_t sampled_slot) NO_THREAD_SAFETY_ANALYSIS {
  InsertionWindow::Item item;
  while (shard.window.PopOldest(&item)) {
    if (item.db >= store.databases()) continue;
    Table& t = shard.table(item.db);
    const size_t slot = t.Find(item.hash, item.key);
    if (slot == Table::kNotFound) continue;  // deleted, expired or evicted meanwhile
    // TinyLFU admission: the sketch's estimates of both, on one scale.
    const uint32_t candidate = shard.sketch.Estimate(item.hash);
    if (sampled_db < 0 ||
        candidate <= shard.sketch.Estimate(
                         HashKey(shard.table(sampled_db).At(sampled_slot)->key()))) {
      EvictSlotLocked(store, shard, item.db, slot);
      return true;
    }
    break;  // admitted: it stays, the sampled victim goes
  }
  if (sampled_db < 0) return false;
  EvictSlotLocked(store, shard, sampled_db, sampled_slot);
  return true;
}

}  // namespace

bool EvictOneLocked(Store& store, size_t shard_index, int64_t now_ms) NO_THREAD_SAFETY_ANALYSIS {
  const EvictPolicy policy = EvictPolicy(store.eviction().policy.load(std::memory_order_relaxed));
  if (policy == EvictPolicy::kNoEviction) return false;
  const bool only_volatile = Volatile(policy);
  int samples = store.eviction().samples.load(std::memory_order_relaxed);
  if (policy == EvictPolicy::kAllKeysTinyLfu) samples *= 3;
  Shard& shard = store.shard(shard_index);
  store.BeforeChange(shard);
  int best_db = -1;
  size_t best_slot = 0;
  double best = 0;
  for (int db = 0; db < store.databases(); ++db) {
    Table& t = shard.table(db);
    if (t.size() == 0 || (only_volatile && t.volatile_count() == 0)) continue;
    int found = 0;
    // Volatile policies skip persistent samples; bounded attempts keep this O(samples).
    for (int attempt = 0; found < samples && attempt < samples * 8; ++attempt) {
      const size_t slot = t.RandomSlot(RandomU64());
      if (only_volatile && !t.IsVolatile(slot)) continue;
      ++found;
      const double s = Score(policy, store.access_policy(), t.At(slot), now_ms);
      if (best_db < 0 || s > best) {
        best_db = db;
        best_slot = slot;
        best = s;
      }
      if (policy == EvictPolicy::kAllKeysRandom || policy == EvictPolicy::kVolatileRandom) break;
    }
  }
  if (policy == EvictPolicy::kAllKeysTinyLfu) {
    return EvictTinyLfuLocked(store, shard, best_db, best_slot);
  }
  if (best_db < 0) return false;
  EvictSlotLocked(store, shard, best_db, best_slot);
  return true;
}

bool MakeRoom(Store& store, const LockSet& locks, int64_t now_ms) {
  const int64_t limit = store.eviction().maxmemory.load(std::memory_order_relaxed);
  if (limit <= 0) return true;
  MemoryMeter& meter = MemoryMeter::Get();
  if (meter.Used() <= limit) return true;
  if (EvictPolicy(store.eviction().policy.load(std::memory_order_relaxed)) ==
      EvictPolicy::kNoEviction) {
    return false;
  }
  // Redis's tenacity: 10 means about 500 us of work per command; each step is x1.15.
  const int tenacity = store.eviction().tenacity.load(std::memory_order_relaxed);
  double budget_us = 500;
  for (int i = 10; i < tenacity; ++i) budget_us *= 1.15;
  for (int i = tenacity; i < 10; ++i) budget_us /= 1.15;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(int64_t(budget_us) + 1);
  const size_t n = store.shard_count();
  size_t next = size_t(RandomU64()) % n;
  size_t misses = 0;  // consecutive shards with nothing to evict (or busy)
  while (meter.Used() > limit) {
    // As Redis: running out of time is not a failure (the cron goes on evicting); only
    // finding nothing to evict is.
    if (misses >= n) return meter.Refresh() <= limit;
    if (std::chrono::steady_clock::now() > deadline) return true;
    const size_t i = next;
    next = (next + 1) % n;
    bool evicted = false;
    if (locks.Holds(i)) {
      evicted = EvictOneLocked(store, i, now_ms);
    } else if (store.shard(i).mu.TryLock()) {
      store.AfterLock(i);
      evicted = EvictOneLocked(store, i, now_ms);
      store.shard(i).mu.Unlock();
    }
    misses = evicted ? 0 : misses + 1;
  }
  return true;
}

}  // namespace larder
