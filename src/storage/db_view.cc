#include "storage/db_view.h"

#include <cassert>

#include "common/random.h"
#include "common/reclaimer.h"
#include "storage/eviction.h"

namespace larder {

Shard& DbView::ShardOf(const KeyArg& k) const {
  size_t i = store_->ShardIndex(k.hash);
  assert(locks_->Holds(i) && "the command must hold the key's shard lock");
  return store_->shard(i);
}

void DbView::Touch(Entry* e) {
  if (no_touch_) return;
  const uint32_t before = e->access();
  const uint32_t after = TouchAccess(store_->access_policy(), before, now_ms_, RandomUnit);
  // An LRU stamp changes once a second: most reads leave the entry's line clean.
  if (after != before) e->set_access(after);
}

void DbView::Modified(std::string_view key) {
  assert(!locks_->shared() && "a change under a shared hold");
  WatchTable& w = store_->watches();
  if (w.Active()) w.Touch(db_, key);
}

void DbView::RemoveExpiredLocked(Shard& s, Table& t, size_t slot) {
  assert(!locks_->shared() && "a change under a shared hold");
  store_->BeforeChange(s);  // a read-only lock may hold a shard a snapshot still needs
  Entry* e = t.At(slot);
  Modified(e->key());
  if (KeyEventSink* sink = store_->event_sink()) sink->KeyExpired(db_, e->key());
  t.RemoveAt(slot);
  t.MaybeShrink();
  Entry::Free(e);
  ShardStats::Bump(s.stats.expired_keys);
}

void DbView::ExpireIfNeededLocked(Shard& s, Table& t, const KeyArg& k) {
  size_t slot = t.Find(k.hash, k.key);
  if (slot != Table::kNotFound && IsExpired(t.At(slot))) RemoveExpiredLocked(s, t, slot);
}

void DbView::TinyLfuRead(Shard& s, const Table& t, const KeyArg& k) {
  s.sketch.EnsureCapacity(t.size());
  s.sketch.Increment(k.hash);
}

void DbView::TinyLfuInsert(Shard& s, const Table& t, const KeyArg& k) {
  s.window.SetCapacity(t.size() / 100);
  s.window.Push(db_, k.hash);
}

bool DbView::TinyLfuActive() const {
  return store_->eviction().policy.load(std::memory_order_relaxed) ==
         int(EvictPolicy::kAllKeysTinyLfu);
}

KeyRef DbView::Find(const KeyArg& k, Mode mode) {
  // A shared hold only reads: what else a lookup may do (write, remove an expired key,
  // feed TinyLFU's sketch) takes the lock first.
  if (locks_->shared() && (mode == Mode::kWrite || (mode == Mode::kRead && !no_touch_ &&
                                                    TinyLfuActive()))) {
    locks_->Upgrade();
  }
  Shard& s = ShardOf(k);
  Table& t = TableOf(s);
  KeyRef ref;
  size_t slot = t.Find(k.hash, k.key);
  if (slot != Table::kNotFound) {
    Entry* e = t.At(slot);
    if (t.IsVolatile(slot) && IsExpired(e)) {
      if (locks_->shared()) return UpgradeAndFind(k, mode);
      RemoveExpiredLocked(s, t, slot);
    } else {
      ref.shard_ = &s;
      ref.table_ = &t;
      ref.slot_ = slot;
      ref.entry_ = e;
      if (mode == Mode::kRead || mode == Mode::kWrite) Touch(e);
    }
  }
  if (mode == Mode::kRead || mode == Mode::kReadNoTouch) {
    CountRead(k, bool(ref), mode == Mode::kRead);
    if (mode == Mode::kRead && !no_touch_ && TinyLfuActive()) TinyLfuRead(s, t, k);
  }
  return ref;
}

void DbView::CountRead(const KeyArg& k, bool hit, bool notify_miss) {
  store_->CountLookup(hit);
  // Thread-safe (shards notify at once), so reads without the lock may notify too.
  if (!hit && notify_miss) {
    if (KeyEventSink* sink = store_->event_sink()) sink->KeyMissed(db_, k.key);
  }
}

KeyRef DbView::UpgradeAndFind(const KeyArg& k, Mode mode) {
  locks_->Upgrade();
  return Find(k, mode);
}

void DbView::SetString(const KeyArg& k, KeyRef* existing, std::string_view value,
                       int64_t expire_at, StrHint hint) {
  Modified(k.key);
  if (existing == nullptr || !*existing) {
    int64_t at = expire_at == kKeepTtl ? kNoExpiry : expire_at;
    Entry* e = Entry::NewString(k.key, value, at, InitialAccess(store_->access_policy(), now_ms_));
    if (hint != StrHint::kAuto) e = Entry::SetString(e, value, hint);
    Insert(k, e);
    return;
  }
  Entry* e = existing->entry_;
  int64_t at = expire_at == kKeepTtl ? e->expire_at() : expire_at;
  if (e->kind() == ValueKind::kString && e->has_expiry() == (at != kNoExpiry)) {
    e = Entry::SetString(e, value, hint);
    if (at != kNoExpiry) e = Entry::SetExpiry(e, at);
  } else {
    Entry* fresh = Entry::NewString(k.key, value, at, e->access());
    if (hint != StrHint::kAuto) fresh = Entry::SetString(fresh, value, hint);
    Entry::Free(e);
    e = fresh;
  }
  existing->entry_ = e;
  existing->table_->Update(existing->slot_, e);
}

size_t DbView::Append(KeyRef* ref, std::string_view suffix) {
  Modified(ref->entry_->key());
  Entry* e = Entry::Append(ref->entry_, suffix);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
  return e->str().size();
}

char* DbView::GrowString(KeyRef* ref, size_t len) {
  Modified(ref->entry_->key());
  char* data = nullptr;
  Entry* e = Entry::GrowString(ref->entry_, len, &data);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
  return data;
}

void DbView::SetExpiry(KeyRef* ref, int64_t expire_at) {
  Modified(ref->entry_->key());
  Entry* e = Entry::SetExpiry(ref->entry_, expire_at);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
}

Entry* DbView::Detach(KeyRef* ref) {
  Entry* e = ref->entry_;
  Modified(e->key());
  ref->table_->RemoveAt(ref->slot_);
  ref->table_->MaybeShrink();
  ref->entry_ = nullptr;
  return e;
}

void DbView::Delete(KeyRef* ref) { Entry::Free(Detach(ref)); }

bool DbView::DeleteKey(const KeyArg& k) {
  KeyRef ref = Find(k, Mode::kPeek);
  if (!ref) return false;
  Delete(&ref);
  return true;
}

void DbView::Insert(const KeyArg& k, Entry* e) {
  Modified(k.key);
  if (KeyEventSink* sink = store_->event_sink()) sink->KeyCreated(db_, k.key);
  Shard& s = ShardOf(k);
  Table& t = TableOf(s);
  t.Insert(k.hash, e);
  if (store_->eviction().policy.load(std::memory_order_relaxed) ==
      int(EvictPolicy::kAllKeysTinyLfu)) {
    TinyLfuInsert(s, t, k);
  }
  if (e->kind() == ValueKind::kList || e->kind() == ValueKind::kZSet) SignalReady(k.key);
}

void DbView::InsertBlob(const KeyArg& k, ValueKind kind, Enc enc, std::string_view blob) {
  Insert(k, Entry::NewBlob(k.key, kind, enc, blob, kNoExpiry,
                           InitialAccess(store_->access_policy(), now_ms_)));
}

void DbView::InsertObject(const KeyArg& k, ValueKind kind, Object* obj) {
  Insert(k, Entry::NewObject(k.key, kind, obj, kNoExpiry,
                             InitialAccess(store_->access_policy(), now_ms_)));
}

void DbView::ReplaceBlob(KeyRef* ref, ValueKind kind, Enc enc, std::string_view blob) {
  Modified(ref->entry_->key());
  Entry* e = Entry::SetBlob(ref->entry_, kind, enc, blob);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
}

void DbView::SpliceBlob(KeyRef* ref, size_t offset, size_t erase, std::string_view insert) {
  Modified(ref->entry_->key());
  Entry* e = Entry::SpliceBlob(ref->entry_, offset, erase, insert);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
}

void DbView::ReplaceObject(KeyRef* ref, ValueKind kind, Object* obj) {
  Modified(ref->entry_->key());
  Entry* e = Entry::SetObject(ref->entry_, kind, obj);
  ref->entry_ = e;
  ref->table_->Update(ref->slot_, e);
}

void DbView::SignalReady(std::string_view key) {
  if (ready_ == nullptr || ready_->waiters == nullptr ||
      ready_->waiters->load(std::memory_order_acquire) == 0) {
    return;
  }
  ready_->keys.emplace_back(db_, std::string(key));
}

bool DbView::RandomKey(std::string* out) {
  const size_t nshards = store_->shard_count();
  // Try random shards first, then fall back to a full pass (sparse databases).
  for (int attempt = 0; attempt < 64 + int(nshards); ++attempt) {
    size_t i = attempt < 64 ? size_t(RandomU64()) & (nshards - 1) : size_t(attempt - 64);
    Shard& s = store_->shard(i);
    ShardGuard guard(*locks_, i);
    Table& t = TableOf(s);
    for (int tries = 0; tries < 16 && t.size() > 0; ++tries) {
      size_t slot = t.RandomSlot(RandomU64());
      Entry* e = t.At(slot);
      if (t.IsVolatile(slot) && IsExpired(e)) {
        RemoveExpiredLocked(s, t, slot);
        continue;
      }
      out->assign(e->key());
      return true;
    }
  }
  return false;
}

void DbView::Flush(bool async) {
  assert(locks_->HoldsAll());
  TouchExistingWatched(db_);
  std::vector<Table> detached;
  for (size_t i = 0; i < store_->shard_count(); ++i) {
    Table& t = TableOf(store_->shard(i));
    if (t.size() == 0) continue;
    if (async) detached.push_back(std::move(t));
    else t.Clear();
  }
  if (!detached.empty()) store_->lazy_freer().Enqueue(std::move(detached));
  // The flushed memory comes back now (INFO, maxmemory), once the reads in flight end.
  if (!async) Reclaimer::Drain();
}

void DbView::SwapDatabases(int a, int b) NO_THREAD_SAFETY_ANALYSIS {
  assert(locks_->HoldsAll());
  if (a == b) return;
  TouchExistingWatched(a);
  TouchExistingWatched(b);
  for (size_t i = 0; i < store_->shard_count(); ++i) {
    Shard& s = store_->shard(i);
    std::swap(s.table(a), s.table(b));
    std::swap(s.sweep_pos[size_t(a)], s.sweep_pos[size_t(b)]);
  }
}

void DbView::TouchExistingWatched(int db) {
  WatchTable& w = store_->watches();
  if (!w.Active()) return;
  DbView view = WithDb(db);
  w.TouchDb(db, [&](std::string_view key) {
    const KeyArg k = MakeKeyArg(key);
    Table& t = view.TableOf(store_->shard(store_->ShardIndex(k.hash)));
    size_t slot = t.Find(k.hash, k.key);
    return slot != Table::kNotFound && !IsExpired(t.At(slot));
  });
}

uint64_t DbView::Size() {
  uint64_t n = 0;
  ForEachShard([&](Shard&, Table& t) { n += t.size(); });
  return n;
}

}  // namespace larder
