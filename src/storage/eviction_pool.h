// The best eviction candidates that earlier samplings of one shard found, as Redis keeps
// a pool across evictions: each eviction adds its fresh samples, then takes the best
// candidate that still exists. So a victim is the best of the recent samples, not just
// of this call's few, which brings sampled LRU/LFU closer to the exact policy.
// Candidates are remembered by database and 64-bit key hash (found again with
// Table::FindHash) with the score they had when sampled. One per shard, guarded by its
// lock; empty (no allocation) until the shard first evicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace larder {

class EvictionPool {
 public:
  static constexpr size_t kCapacity = 8;
  struct Candidate {
    double score = 0;  // higher is a better victim
    uint64_t hash = 0;
    int db = 0;
  };

  // Forgets every candidate when `policy` differs from the one they were scored under.
  void SetPolicy(int policy);
  // Adds a candidate unless the pool is full of better ones; a key already present
  // takes the new score.
  void Offer(const Candidate& c);
  // Takes the best candidate out; false when empty.
  bool PopBest(Candidate* out);
  // The best score present (REQUIRES: not empty).
  double BestScore() const { return items_.back().score; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  void Clear() { items_.clear(); }

 private:
  std::vector<Candidate> items_;  // ascending score: the best is last
  int policy_ = -1;
};

}  // namespace larder
