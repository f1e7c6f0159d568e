// The shard locks one command (or one EXEC) holds. Shards are always locked in
// ascending index order with duplicates removed, so two lock sets cannot deadlock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/thread_annotations.h"

namespace larder {

class Store;

// Not thread-safe: owned by one connection and reused across its commands.
class LockSet {
 public:
  explicit LockSet(Store* store) : store_(store) {}
  ~LockSet() { Unlock(); }
  LockSet(const LockSet&) = delete;
  LockSet& operator=(const LockSet&) = delete;

  // Locks the given shards (any order, duplicates allowed; sorted in place).
  // for_write = false: the holder only reads (a running snapshot need not capture the
  // shards first; see Store::BeginSnapshot). REQUIRES: nothing held.
  void Lock(std::vector<uint32_t>* shards, bool for_write = true) NO_THREAD_SAFETY_ANALYSIS;
  // Locks one shard. REQUIRES: nothing held.
  void LockOne(uint32_t shard, bool for_write = true) NO_THREAD_SAFETY_ANALYSIS;
  // Holds one shard for a short read that changes nothing: shared with other readers
  // when the shard is free (ShardMutex::TryLockShared), else locked (for_write =
  // false). Under a shared hold the holder may only read, count lookups
  // (Store::CountLookup) and stamp access times (Entry::set_access); anything else
  // first calls Upgrade. REQUIRES: nothing held.
  void LockShared(uint32_t shard) NO_THREAD_SAFETY_ANALYSIS;
  // Turns a shared hold into the shard's lock (for_write = false). Another thread may
  // change the shard in between: what was read under the shared hold must be read
  // again. No-op unless shared().
  void Upgrade() NO_THREAD_SAFETY_ANALYSIS;
  bool shared() const { return shared_; }
  // Locks every shard. REQUIRES: nothing held.
  void LockAll() NO_THREAD_SAFETY_ANALYSIS;
  void Unlock() NO_THREAD_SAFETY_ANALYSIS;

  bool Holds(size_t shard) const;
  bool HoldsAll() const { return all_; }
  bool HoldsAny() const { return all_ || !held_.empty(); }
  Store* store() const { return store_; }

 private:
  Store* store_;
  std::vector<uint32_t> held_;  // sorted, unique
  bool all_ = false;
  bool shared_ = false;  // held_ is one shard, held shared
};

// Holds one shard's lock for a scope unless the LockSet already holds it (commands
// that walk every shard inside a MULTI/EXEC that locked them all). Which lock is taken
// is decided at run time, so this is outside clang's static thread-safety analysis.
class ShardGuard {
 public:
  ShardGuard(const LockSet& set, size_t shard) NO_THREAD_SAFETY_ANALYSIS;
  ~ShardGuard() NO_THREAD_SAFETY_ANALYSIS;
  ShardGuard(const ShardGuard&) = delete;
  ShardGuard& operator=(const ShardGuard&) = delete;

 private:
  Store* store_;
  size_t shard_;
  bool owned_;
};

}  // namespace larder
