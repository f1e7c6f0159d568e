// Rates over the last ~1.6 s from samples of a growing counter (INFO
// instantaneous_ops_per_sec and friends). Not thread-safe: one sampling thread; readers
// use Rate(), which reads relaxed atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace larder {

class InstantMetric {
 public:
  // Records the counter's value at time now_ms (call about every 100 ms).
  void Sample(int64_t now_ms, uint64_t value) {
    if (last_ms_ != 0 && now_ms > last_ms_) {
      double rate = double(value - last_value_) * 1000.0 / double(now_ms - last_ms_);
      samples_[next_].store(rate, std::memory_order_relaxed);
      next_ = (next_ + 1) % samples_.size();
    }
    last_ms_ = now_ms;
    last_value_ = value;
  }
  // Average of the recorded per-second rates.
  double Rate() const {
    double sum = 0;
    for (const auto& s : samples_) sum += s.load(std::memory_order_relaxed);
    return sum / double(samples_.size());
  }

 private:
  std::array<std::atomic<double>, 16> samples_{};
  size_t next_ = 0;
  int64_t last_ms_ = 0;
  uint64_t last_value_ = 0;
};

}  // namespace larder
