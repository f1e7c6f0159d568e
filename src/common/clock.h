// Injected time. The store and commands never read the system clock themselves: the
// server passes `now` from a Clock, and tests use ManualClock to move time.
#pragma once

#include <atomic>
#include <cstdint>

namespace larder {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (what EXPIREAT and TTL use).
  virtual int64_t NowMs() const = 0;
  // Monotonic microseconds, for measuring durations only.
  virtual int64_t MonotonicUs() const = 0;
  // Wall-clock microseconds since the epoch (TIME).
  virtual int64_t NowUs() const { return NowMs() * 1000; }
  // True when wall time moves with monotonic time (save for clock steps), so a caller
  // may derive one from the other between periodic re-reads. False for injected clocks
  // whose wall time moves on its own.
  virtual bool WallFollowsMonotonic() const { return false; }
};

// Reads CLOCK_REALTIME / CLOCK_MONOTONIC. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicUs() const override;
  int64_t NowUs() const override;
  bool WallFollowsMonotonic() const override { return true; }
  static SystemClock* Get();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(std::memory_order_relaxed); }
  int64_t MonotonicUs() const override { return NowMs() * 1000; }
  void AdvanceMs(int64_t ms) { now_ms_.fetch_add(ms, std::memory_order_relaxed); }
  void SetMs(int64_t ms) { now_ms_.store(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace larder
