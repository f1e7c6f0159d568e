// maxmemory eviction with Redis's eight policies and Larder's allkeys-tinylfu. Each
// eviction samples maxmemory-samples keys of one shard (all its databases) into the
// shard's pool of best candidates (storage/eviction_pool.h) and evicts the pool's best
// by the policy: the longest idle (LRU), the lowest decayed LFU counter, the nearest
// expiry (volatile-ttl); random policies take any sampled key without the pool.
// volatile-* policies consider only keys with a TTL.
// Eviction runs in the thread of the command that needs room, on the shards it already
// holds first and then on others it can lock without waiting (TryLock), so it never
// blocks on, or deadlocks with, another command.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

namespace larder {

class LockSet;
class Store;

enum class EvictPolicy : int {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  // Larder's own, W-TinyLFU-style: new keys wait in a small insertion window; when
  // one leaves it, it contests the pool's LFU victim by the shard's TinyLFU sketch
  // (storage/tinylfu.h, which also remembers keys no longer in memory) and the one
  // read less often goes.
  kAllKeysTinyLfu,
};
std::optional<EvictPolicy> ParseEvictPolicy(std::string_view name);

// Live settings (CONFIG SET maxmemory, maxmemory-policy, -samples, -eviction-tenacity).
struct EvictionConfig {
  std::atomic<int64_t> maxmemory{0};  // bytes; 0 = no limit
  std::atomic<int> policy{int(EvictPolicy::kNoEviction)};
  std::atomic<int> samples{5};
  std::atomic<int> tenacity{10};
};

// Evicts one key from shard `shard` (REQUIRES: its lock held by the caller). Returns
// false if the shard has no candidate under the policy.
bool EvictOneLocked(Store& store, size_t shard, int64_t now_ms);

// Frees memory until the meter reads at most maxmemory or the tenacity budget is
// spent: on the shards `locks` holds, then on others taken with TryLock. Returns false
// only when usage is over the limit and nothing can be evicted (noeviction, or no
// candidate key); a spent time budget is not a failure, as in Redis.
bool MakeRoom(Store& store, const LockSet& locks, int64_t now_ms);

}  // namespace larder
