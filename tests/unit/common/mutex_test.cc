// ShardMutex: mutual exclusion under contention, TryLock, and waiters woken up.
#include <catch2/catch.hpp>

#include <atomic>
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

namespace {

// Shared holds are taken and released through a runtime choice (as LockSet does), so
// these helpers are outside the static analysis.
bool TryShared(larder::ShardMutex& mu) NO_THREAD_SAFETY_ANALYSIS { return mu.TryLockShared(); }
void EndShared(larder::ShardMutex& mu) NO_THREAD_SAFETY_ANALYSIS { mu.UnlockShared(); }

}  // namespace

TEST_CASE("ShardMutex shared holds: readers together, never with a locker",
          "[mutex][shared]") {
  larder::ShardMutex mu;
  SECTION("two threads hold shared at once") {
    REQUIRE(TryShared(mu));
    bool other = false;
    std::thread([&] {
      other = TryShared(mu);
      if (other) EndShared(mu);
    }).join();
    EndShared(mu);
    CHECK(other);
  }
  SECTION("a shared hold fails while the lock is held, and works once released") {
    mu.Lock();
    bool during = true;
    std::thread([&] {
      during = TryShared(mu);
      if (during) EndShared(mu);
    }).join();
    mu.Unlock();
    CHECK_FALSE(during);
    REQUIRE(TryShared(mu));
    EndShared(mu);
  }
  SECTION("Lock and TryLock wait until the shared holders are gone") {
    // Readers hold shared while `reading` is set; a locker must never see it set.
    std::atomic<int> reading{0};
    std::atomic<bool> stop{false};
    std::atomic<int64_t> reads{0}, overlaps{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
      readers.emplace_back([&] {
        while (!stop.load()) {
          if (!TryShared(mu)) continue;
          reading.fetch_add(1);
          for (int i = 0; i < 100; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
          reading.fetch_sub(1);
          EndShared(mu);
          reads.fetch_add(1);
        }
      });
    }
    for (int i = 0; i < 20'000; ++i) {
      if (i % 2 == 0) {
        mu.Lock();
      } else if (!mu.TryLock()) {
        continue;
      }
      if (reading.load() != 0) overlaps.fetch_add(1);
      mu.Unlock();
    }
    // Bounded: the readers get at least one hold each after the locker stops.
    const int64_t before = reads.load();
    for (int spins = 0; reads.load() < before + 2 && spins < 100'000'000; ++spins) {
    }
    stop.store(true);
    for (auto& r : readers) r.join();
    CHECK(overlaps.load() == 0);
    CHECK(reads.load() > 0);
  }
}
