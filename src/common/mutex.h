// Annotated mutex wrappers so -Wthread-safety can check GUARDED_BY/REQUIRES.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "common/thread_annotations.h"

namespace larder {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  std::mutex mu_;
};

// A 4-byte lock for the store's shards, taken on every request: an uncontended Lock
// or Unlock is one atomic instruction inline (no library call), and it leaves room in
// the shard's first cache line for what a request reads next. Contended: a short spin,
// then the kernel (futex), Drepper's three-state design (0 free, 1 held, 2 held with
// waiters). Not recursive.
class CAPABILITY("mutex") ShardMutex {
 public:
  ShardMutex() = default;
  ShardMutex(const ShardMutex&) = delete;
  ShardMutex& operator=(const ShardMutex&) = delete;

  void Lock() ACQUIRE() {
    uint32_t expected = 0;
    if (!state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      LockSlow();
    }
  }
  void Unlock() RELEASE() {
    if (state_.exchange(0, std::memory_order_release) == 2) Wake();
  }
  bool TryLock() TRY_ACQUIRE(true) {
    uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

 private:
  void LockSlow();
  void Wake();
  std::atomic<uint32_t> state_{0};
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  explicit MutexLock(ShardMutex* mu) ACQUIRE(mu) : shard_mu_(mu) { shard_mu_->Lock(); }
  ~MutexLock() RELEASE() {
    if (mu_ != nullptr) mu_->Unlock();
    else shard_mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_ = nullptr;
  ShardMutex* shard_mu_ = nullptr;
};

}  // namespace larder
