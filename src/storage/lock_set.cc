#include "storage/lock_set.h"

#include <algorithm>
#include <cassert>

#include "storage/store.h"

namespace larder {

void LockSet::Lock(std::vector<uint32_t>* shards, bool for_write) {
  assert(!HoldsAny());
  if (shards->size() == 1) return LockOne((*shards)[0], for_write);
  std::sort(shards->begin(), shards->end());
  shards->erase(std::unique(shards->begin(), shards->end()), shards->end());
  for (uint32_t s : *shards) {
    store_->shard(s).mu.Lock();
    if (for_write) store_->AfterLock(s);
  }
  held_.assign(shards->begin(), shards->end());
}

void LockSet::LockOne(uint32_t shard, bool for_write) {
  assert(!HoldsAny());
  store_->shard(shard).mu.Lock();
  if (for_write) store_->AfterLock(shard);
  held_.push_back(shard);
}

void LockSet::LockShared(uint32_t shard) {
  assert(!HoldsAny());
  if (!store_->shard(shard).mu.TryLockShared()) return LockOne(shard, false);
  held_.push_back(shard);
  shared_ = true;
}

void LockSet::Upgrade() {
  if (!shared_) return;
  const uint32_t shard = held_[0];
  store_->shard(shard).mu.UnlockShared();
  shared_ = false;
  store_->shard(shard).mu.Lock();
}

void LockSet::LockAll() {
  assert(!HoldsAny());
  for (size_t i = 0; i < store_->shard_count(); ++i) {
    store_->shard(i).mu.Lock();
    store_->AfterLock(i);
  }
  all_ = true;
}

void LockSet::Unlock() {
  if (all_) {
    for (size_t i = store_->shard_count(); i-- > 0;) store_->shard(i).mu.Unlock();
    all_ = false;
  }
  if (shared_) {
    store_->shard(held_[0]).mu.UnlockShared();
    shared_ = false;
  } else {
    for (size_t i = held_.size(); i-- > 0;) store_->shard(held_[i]).mu.Unlock();
  }
  held_.clear();
}

bool LockSet::Holds(size_t shard) const {
  return all_ || std::binary_search(held_.begin(), held_.end(), uint32_t(shard));
}

ShardGuard::ShardGuard(const LockSet& set, size_t shard)
    : store_(set.store()), shard_(shard), owned_(!set.Holds(shard)) {
  if (owned_) {
    store_->shard(shard_).mu.Lock();
    store_->AfterLock(shard_);
  }
}

ShardGuard::~ShardGuard() {
  if (owned_) store_->shard(shard_).mu.Unlock();
}

}  // namespace larder
