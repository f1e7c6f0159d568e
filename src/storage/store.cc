#include "storage/store.h"

#include "common/reclaimer.h"

namespace larder {

Shard::Shard(int databases) {
  MutexLock lock(&mu);
  tables_.resize(size_t(databases));
  sweep_pos.assign(size_t(databases), 0);
}

void Store::Prefetch(std::span<const KeyHint> keys) {
  if (LARDER_OPTIMISTIC_READS) {
    ReclaimGuard reading;
    if (reading.ok()) return PrefetchRacy(keys);
  }
  for (const KeyHint& k : keys) {
    Shard& s = *shards_[ShardIndex(k.hash)];
    if (!s.mu.TryLock()) continue;
    s.table(k.db).PrefetchHome(k.hash);
    s.mu.Unlock();
  }
  for (const KeyHint& k : keys) {
    Shard& s = *shards_[ShardIndex(k.hash)];
    if (!s.mu.TryLock()) continue;
    s.table(k.db).PrefetchEntry(k.hash);
    s.mu.Unlock();
  }
}

void Store::PrefetchRacy(std::span<const KeyHint> keys) NO_THREAD_SAFETY_ANALYSIS {
  // The shards' table arrays are never reallocated; what is in them may change.
  for (const KeyHint& k : keys) shards_[ShardIndex(k.hash)]->table(k.db).PrefetchHomeRacy(k.hash);
  for (const KeyHint& k : keys) {
    Shard& s = *shards_[ShardIndex(k.hash)];
    const uint64_t token = s.mu.ReadBegin();
    if (token != ShardMutex::kHeld) s.table(k.db).PrefetchEntryRacy(k.hash, {&s.mu, token});
  }
}

LazyFreer::LazyFreer() : thread_([this] { Run(); }) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void LazyFreer::Enqueue(std::vector<Table> tables) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.fetch_add(tables.size(), std::memory_order_relaxed);
    queue_.push_back(std::move(tables));
  }
  cv_.notify_one();
}

void LazyFreer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop requested and nothing left
    std::vector<Table> batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    size_t n = batch.size();
    batch.clear();  // frees every entry
    Reclaimer::Drain();  // (once the reads in flight end)
    pending_.fetch_sub(n, std::memory_order_relaxed);
    lock.lock();
  }
}

Store::Store(const StoreOptions& options)
    : databases_(options.databases), shift_(64 - options.shard_bits) {
  shards_.reserve(size_t(1) << options.shard_bits);
  for (size_t i = 0; i < (size_t(1) << options.shard_bits); ++i) {
    shards_.push_back(std::make_unique<Shard>(databases_));
  }
}

#define LARDER_SUM_STAT(name)                                          \
  uint64_t total = 0;                                                  \
  for (const auto& s : shards_) total += s->stats.name.load(std::memory_order_relaxed); \
  return total

uint64_t Store::ExpiredKeys() const { LARDER_SUM_STAT(expired_keys); }
uint64_t Store::EvictedKeys() const { LARDER_SUM_STAT(evicted_keys); }
#undef LARDER_SUM_STAT

uint64_t Store::KeyspaceHits() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= ReaderMarks::kMaxReaders; ++i) {
    total += lookups_[i].hits.load(std::memory_order_relaxed);
  }
  return total;
}

uint64_t Store::KeyspaceMisses() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= ReaderMarks::kMaxReaders; ++i) {
    total += lookups_[i].misses.load(std::memory_order_relaxed);
  }
  return total;
}

void Store::ResetStats() {
  for (auto& s : shards_) {
    MutexLock lock(&s->mu);
    s->stats.expired_keys.store(0, std::memory_order_relaxed);
    s->stats.evicted_keys.store(0, std::memory_order_relaxed);
  }
  // A count a thread is adding at this instant may survive the reset.
  for (size_t i = 0; i <= ReaderMarks::kMaxReaders; ++i) {
    lookups_[i].hits.store(0, std::memory_order_relaxed);
    lookups_[i].misses.store(0, std::memory_order_relaxed);
  }
}

bool Store::BeginSnapshot(SnapshotHook* hook, const std::function<void()>& at_start) {
  for (auto& s : shards_) s->mu.Lock();
  const bool idle = snapshot_hook_.load(std::memory_order_relaxed) == nullptr;
  if (idle) {
    snapshot_hook_.store(hook, std::memory_order_release);
    for (auto& s : shards_) s->snapshot_pending = true;
    at_start();
  }
  for (size_t i = shards_.size(); i-- > 0;) shards_[i]->mu.Unlock();
  return idle;
}

void Store::EndSnapshot() { snapshot_hook_.store(nullptr, std::memory_order_release); }

Store::DbCounts Store::CountDb(int db) {
  DbCounts c;
  for (auto& s : shards_) {
    MutexLock lock(&s->mu);
    c.keys += s->table(db).size();
    c.expires += s->table(db).volatile_count();
    c.slot_bytes += s->table(db).SlotBytes();
  }
  return c;
}

}  // namespace larder
