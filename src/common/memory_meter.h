// Bytes the process has allocated (what maxmemory bounds), cheap enough to consult
// before every write. A global reading from the allocator is refreshed whenever the
// calling thread has allocated or freed more than kRefreshBytes since the last reading;
// in between, the estimate is that reading plus the caller's own net allocation since
// it (jemalloc's per-thread counters). Other threads' recent allocations are missed
// until one of them refreshes, which bounds the error to about kRefreshBytes per thread.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace larder {

class MemoryMeter {
 public:
  static constexpr int64_t kRefreshBytes = 256 * 1024;

  // The process-wide meter.
  static MemoryMeter& Get();

  // Estimated allocated bytes now.
  int64_t Used();
  // Reads the allocator now (tens of microseconds) and returns the exact figure.
  int64_t Refresh();

 private:
  std::atomic<int64_t> used_{0};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace larder
