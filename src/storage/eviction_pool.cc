#include "storage/eviction_pool.h"

#include <algorithm>

namespace larder {

void EvictionPool::SetPolicy(int policy) {
  if (policy == policy_) return;
  policy_ = policy;
  items_.clear();
}

void EvictionPool::Offer(const Candidate& c) {
  auto same = std::find_if(items_.begin(), items_.end(), [&](const Candidate& x) {
    return x.hash == c.hash && x.db == c.db;
  });
  if (same != items_.end()) items_.erase(same);
  if (items_.size() == kCapacity) {
    if (c.score <= items_.front().score) return;
    items_.erase(items_.begin());
  }
  if (items_.capacity() < kCapacity) items_.reserve(kCapacity);
  auto at = std::upper_bound(items_.begin(), items_.end(), c.score,
                             [](double s, const Candidate& x) { return s < x.score; });
  items_.insert(at, c);
}

bool EvictionPool::PopBest(Candidate* out) {
  if (items_.empty()) return false;
  *out = items_.back();
  items_.pop_back();
  return true;
}

}  // namespace larder
