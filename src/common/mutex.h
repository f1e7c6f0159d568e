// Annotated mutex wrappers so -Wthread-safety can check GUARDED_BY/REQUIRES.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "common/reader_marks.h"
#include "common/thread_annotations.h"

// Optimistic reads (ShardMutex::ReadBegin) race with writers by design and discard
// what they read if a writer came in; ThreadSanitizer would report those races, so its
// builds read under shared holds instead.
#if defined(__SANITIZE_THREAD__)
#define LARDER_OPTIMISTIC_READS 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LARDER_OPTIMISTIC_READS 0
#endif
#endif
#ifndef LARDER_OPTIMISTIC_READS
#define LARDER_OPTIMISTIC_READS 1
#endif

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
//
// Shared holds (TryLockShared) are for short reads: any number of threads at once,
// each publishing the lock in its own ReaderMarks line, so readers of one shard write
// no cache line in common. Lock and TryLock, once they own the state word, wait until
// no thread reads under a shared hold; a shared hold never waits (it fails while the
// lock is held exclusively, and the caller then takes Lock). A thread holds at most
// one shared hold at a time, and takes no lock while holding one.
//
// Optimistic reads (ReadBegin/ReadValid) hold nothing: a version, bumped as each
// exclusive hold ends, tells a reader whether a writer came in while it read. See
// storage/optimistic_read.cc for what such a reader may and may not do.
class CAPABILITY("mutex") ShardMutex {
 public:
  ShardMutex() = default;
  ShardMutex(const ShardMutex&) = delete;
  ShardMutex& operator=(const ShardMutex&) = delete;

  void Lock() ACQUIRE() {
    uint32_t expected = 0;
    if (!state_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
      LockSlow();
    }
    // An optimistic reader that sees any change made under this hold also sees the
    // hold (ReadValid): the changes are ordered after the state word.
    std::atomic_thread_fence(std::memory_order_release);
    WaitForReaders();
  }
  void Unlock() RELEASE() {
    version_.store(version_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    if (state_.exchange(0, std::memory_order_release) == 2) Wake();
  }
  bool TryLock() TRY_ACQUIRE(true) {
    uint32_t expected = 0;
    if (!state_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
      return false;
    }
    std::atomic_thread_fence(std::memory_order_release);
    WaitForReaders();
    return true;
  }

  // True: held shared until UnlockShared. False (nothing held): the lock is held
  // exclusively, or this thread has no ReaderMarks line. REQUIRES: this thread holds
  // no shared hold.
  bool TryLockShared() TRY_ACQUIRE_SHARED(true) {
    const int i = ReaderMarks::ThisThread();
    if (i < 0) return false;
    std::atomic<const void*>& mark = ReaderMarks::Mark(i);
    // Publish, then look (both sequentially consistent): either this load sees the
    // exclusive holder, or that holder's scan sees this mark and waits for it.
    mark.store(this, std::memory_order_seq_cst);
    if (state_.load(std::memory_order_seq_cst) == 0) return true;
    mark.store(nullptr, std::memory_order_release);
    return false;
  }
  void UnlockShared() RELEASE_SHARED() {
    ReaderMarks::Mark(ReaderMarks::ThisThread()).store(nullptr, std::memory_order_release);
  }

  // Optimistic reads. ReadBegin: a token for ReadValid, or kHeld while the lock is held
  // exclusively (read under a hold instead). ReadValid(token): no exclusive hold began
  // or ended since ReadBegin returned it, so everything read in between (loads that
  // precede this call) belongs to one unchanging state. Neither writes anything.
  static constexpr uint64_t kHeld = UINT64_MAX;
  uint64_t ReadBegin() const {
    const uint32_t v = version_.load(std::memory_order_acquire);
    if (state_.load(std::memory_order_acquire) != 0) return kHeld;
    return v;
  }
  bool ReadValid(uint64_t token) const {
    std::atomic_thread_fence(std::memory_order_acquire);
    return state_.load(std::memory_order_relaxed) == 0 &&
           version_.load(std::memory_order_relaxed) == uint32_t(token);
  }

 private:
  void LockSlow();
  void Wake();
  void WaitForReaders() {
    const size_t n = ReaderMarks::Claimed();
    for (size_t i = 0; i < n; ++i) {
      if (ReaderMarks::Mark(int(i)).load(std::memory_order_seq_cst) == this) WaitForReader(int(i));
    }
  }
  void WaitForReader(int i);
  std::atomic<uint32_t> state_{0};
  std::atomic<uint32_t> version_{0};  // exclusive holds ended (mod 2^32)
};

// An optimistic read of what a ShardMutex guards, begun with ReadBegin.
struct OptimisticRead {
  const ShardMutex* mu;
  uint64_t token;
  bool Valid() const { return mu->ReadValid(token); }
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
