// DbView::ReadStringOptimistic: GET without the shard lock.
//
// The read takes a token from the shard's lock (ShardMutex::ReadBegin), finds the
// entry and copies its value with racy loads (Table::FindRacy, Entry::RacyBlob), and
// keeps the result only if the token is still valid: no writer held the shard
// meanwhile. Memory a writer unlinks meanwhile is retired, not freed, until the read
// ends (common/reclaimer.h), so the racy loads never touch freed memory. The reader
// writes no line another thread reads on every write: only its own Reclaimer record.
#include <cassert>

#include "common/reclaimer.h"
#include "storage/db_view.h"

namespace larder {

DbView::Optimistic DbView::ReadStringOptimistic(const KeyArg& k, ValueSink& value) {
  assert(!locks_->HoldsAny());
  if (!LARDER_OPTIMISTIC_READS || (!no_touch_ && TinyLfuActive())) return Optimistic::kUnsure;
  const Optimistic result = ReadStringRacy(k, value);
  if (result == Optimistic::kUnsure) return result;
  // The rest of what Find(k, kRead) does (Touch was done inside the read).
  CountRead(k, result != Optimistic::kMissing, /*notify_miss=*/true);
  return result;
}

DbView::Optimistic DbView::ReadStringRacy(const KeyArg& k, ValueSink& value)
    NO_THREAD_SAFETY_ANALYSIS {
  ReclaimGuard reading;
  if (!reading.ok()) return Optimistic::kUnsure;
  Shard& s = store_->shard(store_->ShardIndex(k.hash));
  // The shard's table array is never reallocated; the table in it may change.
  const Table& t = s.table(db_);
  // A writer in between costs a retry; a few in a row, and the hold is cheaper.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const uint64_t token = s.mu.ReadBegin();
    if (token == ShardMutex::kHeld) return Optimistic::kUnsure;
    const OptimisticRead read{&s.mu, token};
    const Entry* e = nullptr;
    Entry::RacyLayout layout;
    if (!t.FindRacy(k.hash, k.key, read, &e, &layout)) continue;
    Optimistic result = Optimistic::kMissing;
    if (e != nullptr) {
      const int64_t at = Entry::RacyExpireAt(e, layout);
      if (at != kNoExpiry && at < now_ms_) {
        if (read.Valid()) return Optimistic::kUnsure;  // expired: removing it needs the lock
        continue;
      }
      if (layout.kind() != ValueKind::kString) {
        result = Optimistic::kWrongType;
      } else if (Entry::RacyBlob(e, layout, read, value)) {
        result = Optimistic::kFound;
      } else {
        continue;
      }
    }
    if (!read.Valid()) continue;
    // The entry, even if unlinked since, stays allocated until `reading` ends.
    if (e != nullptr) Touch(const_cast<Entry*>(e));
    return result;
  }
  return Optimistic::kUnsure;
}

}  // namespace larder
