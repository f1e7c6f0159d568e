#include "storage/access.h"

namespace larder {
namespace {

uint32_t LruClock(int64_t now_ms) { return uint32_t(now_ms / 1000) & kAccessClockMax; }
uint32_t Minutes(int64_t now_ms) { return uint32_t(now_ms / 60000) & 0xFFFF; }

// Minutes elapsed since `then` (a 16-bit minute stamp), modulo wrap-around.
uint32_t MinutesSince(uint32_t then, int64_t now_ms) {
  uint32_t now = Minutes(now_ms);
  return now >= then ? now - then : 65535 - then + now;
}

uint32_t Decayed(const AccessPolicy& policy, uint32_t access, int64_t now_ms) {
  uint32_t counter = access & 0xFF;
  int decay = policy.lfu_decay_time.load(std::memory_order_relaxed);
  if (decay <= 0) return counter;
  uint32_t periods = MinutesSince(access >> 8, now_ms) / uint32_t(decay);
  return periods > counter ? 0 : counter - periods;
}

}  // namespace

uint32_t InitialAccess(const AccessPolicy& policy, int64_t now_ms) {
  if (policy.lfu.load(std::memory_order_relaxed)) return Minutes(now_ms) << 8 | kLfuInitCounter;
  return LruClock(now_ms);
}

uint32_t TouchAccess(const AccessPolicy& policy, uint32_t access, int64_t now_ms,
                     double (*rnd)()) {
  if (!policy.lfu.load(std::memory_order_relaxed)) return LruClock(now_ms);
  uint32_t counter = Decayed(policy, access, now_ms);
  if (counter < 255) {
    double base = counter > kLfuInitCounter ? double(counter - kLfuInitCounter) : 0.0;
    int factor = policy.lfu_log_factor.load(std::memory_order_relaxed);
    double p = 1.0 / (base * factor + 1);
    if (rnd() < p) ++counter;
  }
  return Minutes(now_ms) << 8 | counter;
}

uint32_t LruAccessIdle(int64_t now_ms, int64_t idle_s) {
  const int64_t clock = LruClock(now_ms);
  return idle_s >= clock ? 0 : uint32_t(clock - idle_s);
}

uint32_t LfuAccess(int64_t now_ms, uint32_t counter) { return Minutes(now_ms) << 8 | (counter & 0xFF); }

uint64_t LruIdleMs(uint32_t access, int64_t now_ms) {
  uint32_t now = LruClock(now_ms);
  uint64_t secs = now >= access ? now - access : (kAccessClockMax - access) + now;
  return secs * 1000;
}

uint32_t LfuCounter(const AccessPolicy& policy, uint32_t access, int64_t now_ms) {
  return Decayed(policy, access, now_ms);
}

}  // namespace larder
