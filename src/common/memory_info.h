// Process memory figures: allocator statistics (jemalloc when linked) and RSS.
#pragma once

#include <cstddef>
#include <string>

namespace larder {

struct AllocatorStats {
  size_t allocated = 0;  // bytes handed to the program (used_memory)
  size_t active = 0;     // bytes in active pages
  size_t resident = 0;   // bytes resident in allocator-mapped pages
  size_t mapped = 0;
  size_t retained = 0;
  bool from_allocator = false;  // false: the figures are estimates from RSS
};

// Refreshes and reads the allocator's statistics. Thread-safe; costs a few
// microseconds (not for the per-request path).
AllocatorStats ReadAllocatorStats();

// Resident set size of this process in bytes (from /proc/self/statm), 0 if unknown.
size_t ReadRssBytes();

// "jemalloc-5.3.0" or "libc".
std::string AllocatorName();

// Asks the allocator to return unused memory to the OS (MEMORY PURGE). Returns false if
// the allocator cannot.
bool PurgeAllocator();

// Full allocator statistics text (MEMORY MALLOC-STATS).
std::string AllocatorStatsText();

}  // namespace larder
