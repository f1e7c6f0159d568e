#include "common/memory_meter.h"

#ifdef LARDER_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(LARDER_SANITIZER_ALLOCATOR)
#include <cstddef>
// Part of the sanitizer runtimes' public allocator interface (ASan, TSan), declared
// here because GCC does not ship <sanitizer/allocator_interface.h>.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#if !defined(LARDER_HAVE_JEMALLOC) && !defined(LARDER_SANITIZER_ALLOCATOR)
#include <malloc.h>
#endif

namespace larder {
namespace {

#ifdef LARDER_HAVE_JEMALLOC
// The calling thread's cumulative allocated / freed byte counters.
struct ThreadCounters {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  uint64_t generation = ~uint64_t{0};
  int64_t base = 0;  // net bytes at the last global reading seen by this thread

  bool Init() {
    if (allocated != nullptr) return true;
    size_t len = sizeof allocated;
    if (mallctl("thread.allocatedp", &allocated, &len, nullptr, 0) != 0) return false;
    len = sizeof deallocated;
    if (mallctl("thread.deallocatedp", &deallocated, &len, nullptr, 0) != 0) {
      allocated = nullptr;
      return false;
    }
    return true;
  }
  int64_t Net() const { return int64_t(*allocated - *deallocated); }
};
thread_local ThreadCounters t_counters;

int64_t ReadAllocated() {
  uint64_t epoch = 1;
  size_t len = sizeof epoch;
  mallctl("epoch", &epoch, &len, &epoch, len);
  size_t v = 0;
  len = sizeof v;
  if (mallctl("stats.allocated", &v, &len, nullptr, 0) != 0) return 0;
  return int64_t(v);
}
#elif defined(LARDER_SANITIZER_ALLOCATOR)
int64_t ReadAllocated() { return int64_t(__sanitizer_get_current_allocated_bytes()); }
#else
int64_t ReadAllocated() {
  struct mallinfo2 mi = mallinfo2();
  return int64_t(mi.uordblks + mi.hblkhd);
}
#endif

}  // namespace

MemoryMeter& MemoryMeter::Get() {
  static MemoryMeter meter;
  return meter;
}

int64_t MemoryMeter::Refresh() {
  const int64_t v = ReadAllocated();
  used_.store(v, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
#ifdef LARDER_HAVE_JEMALLOC
  if (t_counters.Init()) {
    t_counters.base = t_counters.Net();
    t_counters.generation = generation_.load(std::memory_order_acquire);
  }
#endif
  return v;
}

int64_t MemoryMeter::Used() {
#ifdef LARDER_HAVE_JEMALLOC
  ThreadCounters& t = t_counters;
  const uint64_t g = generation_.load(std::memory_order_acquire);
  if (g == 0 || !t.Init()) return Refresh();  // no reading yet
  const int64_t net = t.Net();
  if (g != t.generation) {
    t.generation = g;
    t.base = net;
  }
  const int64_t delta = net - t.base;
  if (delta > kRefreshBytes || delta < -kRefreshBytes) return Refresh();
  return used_.load(std::memory_order_relaxed) + delta;
#else
  return ReadAllocated();  // sanitizer / libc builds: exact, slower
#endif
}

}  // namespace larder
