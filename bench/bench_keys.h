// Shared by larder-loadgen and larder-store-bench: the key generator and the key form
// ("key:" + 12 digits, redis-benchmark -r's form) both use.
#pragma once

#include <cstdint>

namespace larder_bench {

// Width of the numeric part of keys and members.
inline constexpr int kDigits = 12;

// xorshift64*: a cheap generator, good enough to pick keys. Not thread-safe.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull | 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [0, 1).
  double Unit() { return double(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) (multiply-shift; the bias is negligible for n << 2^64).
  uint64_t Below(uint64_t n) { return uint64_t((unsigned __int128)Next() * n >> 64); }

 private:
  uint64_t s_;
};

// Writes v as kDigits decimal digits, zero-padded, at p.
inline void WriteDigits(char* p, uint64_t v) {
  for (int i = kDigits - 1; i >= 0; --i) {
    p[i] = char('0' + v % 10);
    v /= 10;
  }
}

}  // namespace larder_bench
