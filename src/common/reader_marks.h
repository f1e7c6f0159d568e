// Per-thread "reading" marks for shared holds of ShardMutex (common/mutex.h).
//
// A thread that reads under a shared hold publishes the lock it reads in its own
// cache line, so readers of one lock write no line in common; a thread taking the lock
// exclusively scans every claimed mark and waits until none names its lock. Marks are
// claimed on a thread's first shared hold and returned when the thread exits; a
// process has at most kMaxReaders threads holding shared at once (further threads get
// no mark and take the lock exclusively instead).
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>

namespace larder {

class ReaderMarks {
 public:
  static constexpr size_t kMaxReaders = 256;

  // This thread's mark index, claimed on first call; -1 if every mark is taken or the
  // thread is exiting (its mark already returned).
  static int ThisThread() {
    const int i = this_thread_;
    return i != kUnclaimed ? i : Claim();
  }
  // The lock mark `i` reads under (null: none). REQUIRES: 0 <= i < kMaxReaders.
  static std::atomic<const void*>& Mark(int i) { return marks_[i].reading; }
  // 1 + the highest mark index ever claimed: an exclusive locker scans [0, Claimed()).
  static size_t Claimed() { return claimed_.load(std::memory_order_seq_cst); }

 private:
  friend class ReaderMarkOwner;
  static constexpr int kUnclaimed = -2;
  static int Claim();
  // Constant-initialised, so reading it needs no guard: ThisThread inlines to one load.
  static inline thread_local int this_thread_ = kUnclaimed;
  struct alignas(64) Slot {
    std::atomic<const void*> reading{nullptr};
    std::atomic<bool> taken{false};
  };
  static Slot marks_[kMaxReaders];
  static std::atomic<size_t> claimed_;
};

}  // namespace larder
