#include "storage/expiry.h"

namespace larder {

ExpirySweeper::ExpirySweeper(Store* store)
    : store_(store), avg_ttl_(size_t(store->databases())) {}

ExpirySweeper::StepResult ExpirySweeper::SweepLocked(Shard& shard, int db, int64_t now_ms) {
  StepResult r;
  Table& t = shard.table(db);
  if (t.volatile_count() == 0) return r;
  size_t pos = shard.sweep_pos[size_t(db)] & t.mask();
  for (size_t n = 0; n < kSlotsPerStep && t.volatile_count() > 0; ++n) {
    if (t.Occupied(pos) && t.IsVolatile(pos)) {
      Entry* e = t.At(pos);
      ++r.checked;
      int64_t at = e->expire_at();
      if (at < now_ms) {
        store_->watches().Touch(db, e->key());
        if (KeyEventSink* sink = store_->event_sink()) sink->KeyExpired(db, e->key());
        t.RemoveAt(pos);
        Entry::Free(e);
        ShardStats::Bump(shard.stats.expired_keys);
        ++r.expired;
        continue;  // another entry may have shifted into pos
      }
      r.ttl_sum += double(at - now_ms);
      ++r.ttl_samples;
    }
    pos = Table::NextSlot(pos, t.mask());
  }
  t.MaybeShrink();
  shard.sweep_pos[size_t(db)] = pos;
  return r;
}

bool ExpirySweeper::MayHaveVolatile(Shard& shard, int ndb) NO_THREAD_SAFETY_ANALYSIS {
  // The shard's table array is never reallocated; each count is read with a relaxed load.
  for (int db = 0; db < ndb; ++db) {
    if (shard.table(db).VolatileCountRacy() != 0) return true;
  }
  return false;
}

void ExpirySweeper::RunCycle(const Clock& clock, int64_t budget_us) {
  const int64_t start = clock.MonotonicUs();
  const size_t nshards = store_->shard_count();
  const int ndb = store_->databases();
  uint64_t checked = 0, expired = 0;
  std::vector<double> ttl_sum(size_t(ndb), 0);
  std::vector<uint64_t> ttl_samples(size_t(ndb), 0);
  size_t visited = 0;
  bool capped = false;
  while (true) {
    const size_t index = next_shard_;
    Shard& shard = store_->shard(index);
    next_shard_ = (next_shard_ + 1) % nshards;
    ++visited;
    if (MayHaveVolatile(shard, ndb)) {
      MutexLock lock(&shard.mu);
      store_->AfterLock(index);
      const int64_t now_ms = clock.NowMs();
      for (int db = 0; db < ndb; ++db) {
        StepResult r = SweepLocked(shard, db, now_ms);
        checked += r.checked;
        expired += r.expired;
        ttl_sum[size_t(db)] += r.ttl_sum;
        ttl_samples[size_t(db)] += r.ttl_samples;
      }
      if (clock.MonotonicUs() - start >= budget_us) {
        capped = true;
        break;
      }
    }
    // After a full round, keep going only while many examined keys were stale.
    if (visited % nshards == 0) {
      if (checked == 0 || expired * 10 < checked) break;
      checked = expired = 0;
    }
  }
  if (capped) time_cap_reached_.fetch_add(1, std::memory_order_relaxed);
  if (checked > 0) stale_perc_.store(100.0 * double(expired) / double(checked));
  for (int db = 0; db < ndb; ++db) {
    if (ttl_samples[size_t(db)] == 0) continue;
    int64_t sample = int64_t(ttl_sum[size_t(db)] / double(ttl_samples[size_t(db)]));
    auto& avg = avg_ttl_[size_t(db)];
    int64_t old = avg.load(std::memory_order_relaxed);
    // Moving average, as Redis estimates avg_ttl from its samples.
    avg.store(old == 0 ? sample : (old / 50) * 49 + sample / 50, std::memory_order_relaxed);
  }
  cpu_us_.fetch_add(uint64_t(clock.MonotonicUs() - start), std::memory_order_relaxed);
}

}  // namespace larder
