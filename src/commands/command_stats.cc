#include "commands/command_stats.h"

namespace larder {

void CommandStats::AddError(std::string_view prefix) {
  MutexLock lock(&mu_);
  auto it = errors_.find(prefix);
  if (it != errors_.end()) {
    ++it->second;
  } else if (errors_.size() < 128) {  // Redis also caps distinct error kinds
    errors_.emplace(std::string(prefix), 1);
  }
}

std::map<std::string, uint64_t> CommandStats::ErrorCounts() const {
  MutexLock lock(&mu_);
  return {errors_.begin(), errors_.end()};
}

void CommandStats::Reset() {
  for (size_t i = 0; i < size_; ++i) {
    counters_[i].calls.store(0, std::memory_order_relaxed);
    counters_[i].usec.store(0, std::memory_order_relaxed);
    counters_[i].rejected.store(0, std::memory_order_relaxed);
    counters_[i].failed.store(0, std::memory_order_relaxed);
  }
  total_commands.store(0, std::memory_order_relaxed);
  total_error_replies.store(0, std::memory_order_relaxed);
  rejected_calls.store(0, std::memory_order_relaxed);
  failed_calls.store(0, std::memory_order_relaxed);
  MutexLock lock(&mu_);
  errors_.clear();
}

}  // namespace larder
