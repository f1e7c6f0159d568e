// The Lua scripts the server knows (EVAL, SCRIPT LOAD), by SHA-1, shared by every
// worker, and the state of the one script running at a time (scripts lock every shard,
// so two never run together): when it started, whether it wrote, and SCRIPT KILL.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mutex.h"

namespace larder {

class ScriptCache {
 public:
  // Remembers `body` under `sha` (40 lowercase hex digits).
  void Add(const std::string& sha, std::string_view body);
  // The body of script `sha` (any case), if known.
  std::optional<std::string> Get(std::string_view sha) const;
  bool Exists(std::string_view sha) const { return Get(sha).has_value(); }
  // SCRIPT FLUSH: forgets every script; workers drop their compiled copies when they
  // see the generation change.
  void Flush();
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  size_t count() const;
  size_t body_bytes() const;  // INFO used_memory_scripts_eval

  // The running script. Begin/End are called by the worker running it.
  void BeginRun(int64_t now_ms);
  void EndRun();
  void MarkWrite() { wrote_.store(true, std::memory_order_relaxed); }
  // Since when a script runs (ms), or 0 when none does.
  int64_t RunningSince() const { return running_since_.load(std::memory_order_acquire); }

  enum class KillResult { kNotBusy, kUnkillable, kKilled };
  // SCRIPT KILL: asks the running script to stop unless it already wrote.
  KillResult Kill();
  bool kill_requested() const { return kill_.load(std::memory_order_relaxed); }

  // Sum of the Lua heaps of the workers' interpreters (INFO used_memory_vm_eval).
  std::atomic<int64_t> vm_bytes{0};

 private:
  mutable Mutex mu_;
  std::unordered_map<std::string, std::string> scripts_ GUARDED_BY(mu_);
  size_t body_bytes_ GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> running_since_{0};
  std::atomic<bool> wrote_{false};
  std::atomic<bool> kill_{false};
};

}  // namespace larder
