// Per-worker command statistics (INFO commandstats / errorstats / stats). One worker
// writes; INFO reads from any thread with relaxed loads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/mutex.h"

namespace larder {

struct CommandCounters {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> usec{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> failed{0};
};

// Single-writer increment without a locked instruction.
inline void Add(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

class CommandStats {
 public:
  explicit CommandStats(size_t ncommands)
      : counters_(std::make_unique<CommandCounters[]>(ncommands)), size_(ncommands) {}

  CommandCounters& at(int id) { return counters_[size_t(id)]; }
  const CommandCounters& at(int id) const { return counters_[size_t(id)]; }
  size_t size() const { return size_; }

  void AddError(std::string_view prefix);
  std::map<std::string, uint64_t> ErrorCounts() const;
  void Reset();

  std::atomic<uint64_t> total_commands{0};
  std::atomic<uint64_t> total_error_replies{0};
  std::atomic<uint64_t> rejected_calls{0};
  std::atomic<uint64_t> failed_calls{0};
  // Write commands that succeeded (the save points' change count). Monotonic: Reset
  // leaves it alone.
  std::atomic<uint64_t> changes{0};

 private:
  std::unique_ptr<CommandCounters[]> counters_;
  size_t size_;
  mutable Mutex mu_;
  std::map<std::string, uint64_t, std::less<>> errors_ GUARDED_BY(mu_);
};

}  // namespace larder
