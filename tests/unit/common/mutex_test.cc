// ShardMutex: mutual exclusion under contention, TryLock, and waiters woken up.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "common/mutex.h"

namespace {

// TryLock fails while held and succeeds once released (outside the static analysis,
// which cannot follow a TryLock that is expected to fail).
void CheckTryLock(larder::ShardMutex& mu) NO_THREAD_SAFETY_ANALYSIS {
  mu.Lock();
  CHECK_FALSE(mu.TryLock());
  mu.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();
}

}  // namespace

TEST_CASE("ShardMutex excludes and wakes its waiters", "[mutex]") {
  larder::ShardMutex mu;
  int64_t counter = 0;  // guarded by mu
  constexpr int kThreads = 4, kRounds = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        larder::MutexLock lock(&mu);
        // A read-modify-write that loses updates unless the lock excludes.
        int64_t v = counter;
        if (i % 1000 == 0) std::this_thread::yield();  // let waiters pile up and sleep
        counter = v + 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(counter == int64_t(kThreads) * kRounds);
  CheckTryLock(mu);
}
