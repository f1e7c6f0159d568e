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

// Higher is a better victim. `hash` is HashKey of e's key.
double Score(EvictPolicy p, const AccessPolicy& access, const Shard& shard, const Entry* e,
             uint64_t hash, int64_t now_ms) NO_THREAD_SAFETY_ANALYSIS {
  switch (p) {
    case EvictPolicy::kAllKeysTinyLfu:
      // The LFU counter, then the sketch's estimate (finer among rarely read keys: the
      // log counter needs about ten reads to go from 6 to 7), then idle time.
      return (255.0 - double(LfuCounter(access, e->access(), now_ms))) * 1e14 +
             (15.0 - double(shard.sketch.Estimate(hash))) * 1e12 +
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

// allkeys-tinylfu: the oldest key of the insertion window contests the victim the pool
// chose; whichever the sketch says is read less often (the window's key on a tie) is
// evicted, and a victim that survives goes back to the pool. Returns false if neither
// exists.
bool EvictTinyLfuLocked(Store& store, Shard& shard, const EvictionPool::Candidate* victim,
                        size_t victim_slot) NO_THREAD_SAFETY_ANALYSIS {
  InsertionWindow::Item item;
  while (shard.window.PopOldest(&item)) {
    if (item.db >= store.databases()) continue;
    Table& t = shard.table(item.db);
    const size_t slot = t.FindHash(item.hash);
    if (slot == Table::kNotFound) continue;  // deleted, expired or evicted meanwhile
    // TinyLFU admission: the sketch's estimates of both, on one scale.
    if (victim == nullptr ||
        shard.sketch.Estimate(item.hash) <= shard.sketch.Estimate(victim->hash)) {
      if (victim != nullptr) shard.evict_pool.Offer(*victim);
      EvictSlotLocked(store, shard, item.db, slot);
      return true;
    }
    break;  // admitted: it stays, the victim goes
  }
  if (victim == nullptr) return false;
  EvictSlotLocked(store, shard, victim->db, victim_slot);
  return true;
}

// Calls visit(db, slot) for up to `samples` random keys of each database of the shard
// (only keys with a TTL under volatile policies) until it returns true.
template <typename Visit>
void SampleKeys(Store& store, Shard& shard, EvictPolicy policy, int samples,
                Visit&& visit) NO_THREAD_SAFETY_ANALYSIS {
  const bool only_volatile = Volatile(policy);
  for (int db = 0; db < store.databases(); ++db) {
    Table& t = shard.table(db);
    if (t.size() == 0 || (only_volatile && t.volatile_count() == 0)) continue;
    int found = 0;
    // Volatile policies skip persistent samples; bounded attempts keep this O(samples).
    for (int attempt = 0; found < samples && attempt < samples * 8; ++attempt) {
      const size_t slot = t.RandomSlot(RandomU64());
      if (only_volatile && !t.IsVolatile(slot)) continue;
      ++found;
      if (visit(db, slot)) return;
    }
  }
}

// Adds key `slot` of database `db` to the shard's pool, scored by `policy`.
void OfferToPool(Store& store, Shard& shard, EvictPolicy policy, int db, size_t slot,
                 int64_t now_ms) NO_THREAD_SAFETY_ANALYSIS {
  const Entry* e = shard.table(db).At(slot);
  const uint64_t hash = HashKey(e->key());
  shard.evict_pool.Offer({Score(policy, store.access_policy(), shard, e, hash, now_ms), hash, db});
}

// Takes the pool's best candidate that still exists (with a TTL, under volatile
// policies). One whose score fell since it was sampled (it was read meanwhile) goes back
// with its current score while a better one waits. False if the pool has none.
bool PopVictim(Store& store, Shard& shard, EvictPolicy policy, int64_t now_ms,
               EvictionPool::Candidate* out, size_t* slot_out) NO_THREAD_SAFETY_ANALYSIS {
  EvictionPool& pool = shard.evict_pool;
  EvictionPool::Candidate c;
  bool have_fallback = false;
  for (size_t tries = 0; tries < 2 * EvictionPool::kCapacity && pool.PopBest(&c); ++tries) {
    if (c.db >= store.databases()) continue;
    Table& t = shard.table(c.db);
    const size_t slot = t.FindHash(c.hash);
    if (slot == Table::kNotFound || (Volatile(policy) && !t.IsVolatile(slot))) continue;
    const double now_score =
        Score(policy, store.access_policy(), shard, t.At(slot), c.hash, now_ms);
    *out = c;
    *slot_out = slot;
    have_fallback = true;  // the table is unchanged meanwhile, so the slot stays valid
    if (now_score < c.score && !pool.empty() && pool.BestScore() > now_score) {
      c.score = now_score;
      pool.Offer(c);
      continue;
    }
    return true;
  }
  return have_fallback;
}

}  // namespace

bool EvictOneLocked(Store& store, size_t shard_index, int64_t now_ms) NO_THREAD_SAFETY_ANALYSIS {
  const EvictPolicy policy = EvictPolicy(store.eviction().policy.load(std::memory_order_relaxed));
  if (policy == EvictPolicy::kNoEviction) return false;
  const int samples = store.eviction().samples.load(std::memory_order_relaxed);
  Shard& shard = store.shard(shard_index);
  store.BeforeChange(shard);
  if (policy == EvictPolicy::kAllKeysRandom || policy == EvictPolicy::kVolatileRandom) {
    bool evicted = false;  // the first sampled key goes
    SampleKeys(store, shard, policy, samples, [&](int db, size_t slot) {
      EvictSlotLocked(store, shard, db, slot);
      return evicted = true;
    });
    return evicted;
  }
  shard.evict_pool.SetPolicy(int(policy));
  SampleKeys(store, shard, policy, samples, [&](int db, size_t slot) {
    OfferToPool(store, shard, policy, db, slot, now_ms);
    return false;
  });
  EvictionPool::Candidate victim;
  size_t slot = 0;
  const bool found = PopVictim(store, shard, policy, now_ms, &victim, &slot);
  if (policy == EvictPolicy::kAllKeysTinyLfu) {
    return EvictTinyLfuLocked(store, shard, found ? &victim : nullptr, slot);
  }
  if (!found) return false;
  EvictSlotLocked(store, shard, victim.db, slot);
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
