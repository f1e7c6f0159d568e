// Per-entry access bookkeeping for eviction: an LRU clock or Redis's LFU counter, in
// the entry's 24-bit access field.
//
// LRU: seconds since the epoch, modulo 2^24 (wraps every ~194 days).
// LFU: bits 23..8 last decay time in minutes (mod 2^16), bits 7..0 a logarithmic
// counter (starts at 5; incremented with probability 1/((c-5)*lfu_log_factor+1); loses
// one per lfu-decay-time minutes without access).
#pragma once

#include <atomic>
#include <cstdint>

namespace larder {

struct AccessPolicy {
  std::atomic<bool> lfu{false};
  std::atomic<int> lfu_log_factor{10};
  std::atomic<int> lfu_decay_time{1};
};

inline constexpr uint32_t kLfuInitCounter = 5;
inline constexpr uint32_t kAccessClockMax = (1u << 24) - 1;

// Value of the access field for a new entry.
uint32_t InitialAccess(const AccessPolicy& policy, int64_t now_ms);
// Value after an access. `rnd` draws a uniform random number in [0, 1); it is called
// only when an LFU counter may grow.
uint32_t TouchAccess(const AccessPolicy& policy, uint32_t access, int64_t now_ms,
                     double (*rnd)());
// The access field of a restored entry (RESTORE IDLETIME / FREQ, an RDB file's IDLE /
// FREQ opcodes): LRU last accessed `idle_s` seconds ago (at most back to clock zero, as
// Redis), or an LFU counter `counter` (0..255) decayed from now on.
uint32_t LruAccessIdle(int64_t now_ms, int64_t idle_s);
uint32_t LfuAccess(int64_t now_ms, uint32_t counter);
// LRU: milliseconds since the last access.
uint64_t LruIdleMs(uint32_t access, int64_t now_ms);
// LFU: the counter after applying decay (what OBJECT FREQ reports).
uint32_t LfuCounter(const AccessPolicy& policy, uint32_t access, int64_t now_ms);

}  // namespace larder
