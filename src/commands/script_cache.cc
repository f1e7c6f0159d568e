#include "commands/script_cache.h"

#include "protocol/arg_cursor.h"

namespace larder {

void ScriptCache::Add(const std::string& sha, std::string_view body) {
  MutexLock lock(&mu_);
  auto [it, inserted] = scripts_.try_emplace(sha, body);
  if (inserted) body_bytes_ += body.size();
}

std::optional<std::string> ScriptCache::Get(std::string_view sha) const {
  if (sha.size() != 40) return std::nullopt;
  const std::string key = AsciiLower(sha);
  MutexLock lock(&mu_);
  auto it = scripts_.find(key);
  if (it == scripts_.end()) return std::nullopt;
  return it->second;
}

void ScriptCache::Flush() {
  MutexLock lock(&mu_);
  scripts_.clear();
  body_bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

size_t ScriptCache::count() const {
  MutexLock lock(&mu_);
  return scripts_.size();
}

size_t ScriptCache::body_bytes() const {
  MutexLock lock(&mu_);
  return body_bytes_;
}

void ScriptCache::BeginRun(int64_t now_ms) {
  wrote_.store(false, std::memory_order_relaxed);
  kill_.store(false, std::memory_order_relaxed);
  running_since_.store(now_ms > 0 ? now_ms : 1, std::memory_order_release);
}

void ScriptCache::EndRun() {
  running_since_.store(0, std::memory_order_release);
  kill_.store(false, std::memory_order_relaxed);
}

ScriptCache::KillResult ScriptCache::Kill() {
  if (RunningSince() == 0) return KillResult::kNotBusy;
  if (wrote_.load(std::memory_order_relaxed)) return KillResult::kUnkillable;
  kill_.store(true, std::memory_order_relaxed);
  return KillResult::kKilled;
}

}  // namespace larder
