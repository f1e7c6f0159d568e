// Active expiry: a bounded, incremental sweep that removes expired keys nobody reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "storage/store.h"

namespace larder {

// Not thread-safe: one sweeper, driven by one timer. It locks one shard at a time.
class ExpirySweeper {
 public:
  explicit ExpirySweeper(Store* store);

  // Sweeps until `budget_us` of monotonic time is used or a full round of shards found
  // less than 10% of the examined keys expired. A shard with no keys with an expiry is
  // passed over without its lock; any other is locked once per visit, for at most
  // kSlotsPerStep slots of each database that has keys with an expiry.
  void RunCycle(const Clock& clock, int64_t budget_us);

  static constexpr size_t kSlotsPerStep = 512;

  // Estimated average TTL in ms of the keys with an expiry in `db` (INFO keyspace).
  int64_t AvgTtlMs(int db) const { return avg_ttl_[size_t(db)].load(std::memory_order_relaxed); }
  // Share (percent) of examined volatile keys that were expired in the last cycle.
  double StalePercent() const { return stale_perc_.load(std::memory_order_relaxed); }
  uint64_t TimeCapReached() const { return time_cap_reached_.load(std::memory_order_relaxed); }
  uint64_t CpuMs() const { return cpu_us_.load(std::memory_order_relaxed) / 1000; }

 private:
  struct StepResult {
    uint64_t checked = 0;
    uint64_t expired = 0;
    double ttl_sum = 0;  // a double: TTLs near INT64_MAX (EXAT far ahead) would overflow
    uint64_t ttl_samples = 0;
  };
  // Whether any database of `shard` had keys with an expiry, read without its lock: a
  // key given a TTL just now may be missed, and is then swept in a later cycle.
  static bool MayHaveVolatile(Shard& shard, int ndb);
  // Sweeps up to kSlotsPerStep slots of one database's table. REQUIRES: shard.mu held.
  StepResult SweepLocked(Shard& shard, int db, int64_t now_ms) REQUIRES(shard.mu);

  Store* store_;
  size_t next_shard_ = 0;
  std::vector<std::atomic<int64_t>> avg_ttl_;
  std::atomic<double> stale_perc_{0};
  std::atomic<uint64_t> time_cap_reached_{0};
  std::atomic<uint64_t> cpu_us_{0};
};

}  // namespace larder
