#include "common/mutex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <sched.h>
#include <unistd.h>

namespace larder {
namespace {

constexpr int kSpins = 64;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

long Futex(std::atomic<uint32_t>* word, int op, uint32_t value) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, nullptr, nullptr, 0);
}

}  // namespace

void ShardMutex::LockSlow() {
  // A shard is held for microseconds: spin briefly before sleeping.
  for (int i = 0; i < kSpins; ++i) {
    CpuRelax();
    uint32_t expected = 0;
    if (state_.load(std::memory_order_relaxed) == 0 &&
        state_.compare_exchange_weak(expected, 1, std::memory_order_seq_cst,
                                     std::memory_order_relaxed)) {
      return;
    }
  }
  // Mark "held with waiters" and sleep until it is released; a thread woken up takes
  // the lock in state 2, so its own Unlock wakes the next waiter.
  while (state_.exchange(2, std::memory_order_seq_cst) != 0) {
    Futex(&state_, FUTEX_WAIT_PRIVATE, 2);
  }
}

void ShardMutex::WaitForReader(int i) {
  // A shared hold lasts one short read: spin, then yield the core to the reader.
  const std::atomic<const void*>& mark = ReaderMarks::Mark(i);
  for (int spins = 0; mark.load(std::memory_order_acquire) == this; ++spins) {
    if (spins < kSpins) CpuRelax();
    else sched_yield();
  }
}

void ShardMutex::Wake() { Futex(&state_, FUTEX_WAKE_PRIVATE, 1); }

}  // namespace larder
