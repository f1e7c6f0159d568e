#include "common/memory_info.h"

#include <unistd.h>

#include <cstdio>
#include <cstdint>

#include "common/memory_meter.h"

#ifdef LARDER_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace larder {

#ifdef LARDER_HAVE_JEMALLOC
namespace {

size_t ReadSizeStat(const char* name) {
  size_t v = 0;
  size_t len = sizeof v;
  if (mallctl(name, &v, &len, nullptr, 0) != 0) return 0;
  return v;
}

void AppendStats(void* out, const char* text) { static_cast<std::string*>(out)->append(text); }

}  // namespace

AllocatorStats ReadAllocatorStats() {
  uint64_t epoch = 1;
  size_t len = sizeof epoch;
  mallctl("epoch", &epoch, &len, &epoch, len);
  AllocatorStats s;
  s.allocated = ReadSizeStat("stats.allocated");
  s.active = ReadSizeStat("stats.active");
  s.resident = ReadSizeStat("stats.resident");
  s.mapped = ReadSizeStat("stats.mapped");
  s.retained = ReadSizeStat("stats.retained");
  s.from_allocator = true;
  return s;
}

std::string AllocatorName() {
  const char* version = nullptr;
  size_t len = sizeof version;
  if (mallctl("version", &version, &len, nullptr, 0) != 0 || version == nullptr) {
    return "jemalloc";
  }
  std::string v(version);
  size_t dash = v.find('-');
  return "jemalloc-" + v.substr(0, dash);
}

bool PurgeAllocator() {
  char cmd[64];
  std::snprintf(cmd, sizeof cmd, "arena.%d.purge", MALLCTL_ARENAS_ALL);
  return mallctl(cmd, nullptr, nullptr, nullptr, 0) == 0;
}

std::string AllocatorStatsText() {
  std::string out;
  malloc_stats_print(AppendStats, &out, nullptr);
  return out;
}

#else

AllocatorStats ReadAllocatorStats() {
  // Without jemalloc: allocated bytes as the memory meter reads them (the sanitizer's
  // or glibc's allocator), so INFO used_memory and maxmemory agree; pages from RSS.
  AllocatorStats s;
  s.allocated = size_t(MemoryMeter::Get().Refresh());
  s.active = s.resident = ReadRssBytes();
  return s;
}

std::string AllocatorName() { return "libc"; }
bool PurgeAllocator() { return false; }
std::string AllocatorStatsText() { return "Stats not supported for the current allocator"; }

#endif

size_t ReadRssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return size_t(resident) * size_t(sysconf(_SC_PAGESIZE));
}

}  // namespace larder
