// What a command sees of the keyspace: one logical database at one instant, through
// the shard locks its LockSet holds. Handles passive expiry, access bookkeeping and
// keyspace statistics, so commands only express their semantics.
//
// Thread-safety: single-key operations REQUIRE the key's shard to be held by the
// LockSet (checked by assertion). Under a shared hold (LockSet::LockShared) only Find
// may be called (any mode but kWrite), and only what it returns read; Find itself takes
// the lock (LockSet::Upgrade) before removing an expired key or feeding TinyLFU. ForEachShard/Scan/RandomKey take each shard's lock
// themselves unless the LockSet already holds it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "common/hash.h"
#include "storage/entry.h"
#include "storage/lock_set.h"
#include "storage/store.h"

namespace larder {

// A key and its hash, computed once per command.
struct KeyArg {
  std::string_view key;
  uint64_t hash;
};
inline KeyArg MakeKeyArg(std::string_view key) { return {key, HashKey(key)}; }

// A live key found by DbView::Find. Invalidated by any insert or removal in the same
// shard and database (re-Find after those), and by the end of the command.
class KeyRef {
 public:
  KeyRef() = default;
  explicit operator bool() const { return entry_ != nullptr; }
  Entry* entry() const { return entry_; }
  ValueKind kind() const { return entry_->kind(); }
  std::string_view str() const { return entry_->str(); }
  int64_t expire_at() const { return entry_->expire_at(); }

 private:
  friend class DbView;
  Shard* shard_ = nullptr;
  Table* table_ = nullptr;
  size_t slot_ = 0;
  Entry* entry_ = nullptr;
};

// Passed for `expire_at` to keep the current expiry.
inline constexpr int64_t kKeepTtl = -2;

// Where a command records keys of lists / sorted sets that gained elements, so clients
// blocked on them (BLPOP, BZPOPMIN, ...) can be served once the command completes.
// `waiters` counts blocked clients server-wide: with none, nothing is recorded.
struct ReadyKeys {
  const std::atomic<int64_t>* waiters = nullptr;
  std::vector<std::pair<int, std::string>> keys;  // (db, key)
};

class DbView {
 public:
  enum class Mode {
    kRead,         // counts keyspace hits/misses, updates access time
    kReadNoTouch,  // counts keyspace hits/misses only (EXISTS, TYPE, TTL, OBJECT)
    kWrite,        // updates access time
    kPeek,         // neither (internal checks)
  };

  DbView(Store* store, LockSet* locks, int db, int64_t now_ms, bool no_touch = false,
         ReadyKeys* ready = nullptr)
      : store_(store), locks_(locks), db_(db), now_ms_(now_ms), no_touch_(no_touch),
        ready_(ready) {}

  Store* store() const { return store_; }
  int db() const { return db_; }
  int64_t now_ms() const { return now_ms_; }
  // A view of another database at the same instant with the same locks.
  DbView WithDb(int db) const { return DbView(store_, locks_, db, now_ms_, no_touch_, ready_); }

  // Finds a live key; an expired one is removed and reported missing.
  KeyRef Find(const KeyArg& k, Mode mode);
  bool Exists(const KeyArg& k) { return bool(Find(k, Mode::kPeek)); }

  // GET's lookup without the key's shard lock (common/mutex.h, "Optimistic reads"):
  // the string at `k` copied into value.Room(its length), with what Find(k, kRead)
  // counts and stamps (the sink may be asked again when a read is retried).
  // kUnsure: nothing done (the shard is held by a writer, writers kept coming, the key
  // has expired, TinyLFU needs the lock, or this build has no optimistic reads); look
  // it up under a hold instead. REQUIRES: the LockSet holds nothing.
  enum class Optimistic { kFound, kMissing, kWrongType, kUnsure };
  Optimistic ReadStringOptimistic(const KeyArg& k, ValueSink& value);
  // Holds `k`'s shard shared (LockSet::LockShared) for Find. REQUIRES: nothing held.
  void HoldShared(const KeyArg& k) { locks_->LockShared(uint32_t(store_->ShardIndex(k.hash))); }
  bool HoldsAny() const { return locks_->HoldsAny(); }

  // Creates or replaces `k` as a string. `existing` is the result of Find for k (or
  // empty). expire_at: ms since the epoch, kNoExpiry, or kKeepTtl.
  void SetString(const KeyArg& k, KeyRef* existing, std::string_view value, int64_t expire_at,
                 StrHint hint = StrHint::kAuto);
  // Appends to an existing string key; returns the new length.
  size_t Append(KeyRef* ref, std::string_view suffix);
  // Grows an existing string key to >= len bytes (zero-filled); returns writable bytes.
  char* GrowString(KeyRef* ref, size_t len);
  // Sets (ms since the epoch) or clears (kNoExpiry) the expiry of an existing key.
  void SetExpiry(KeyRef* ref, int64_t expire_at);
  // Removes and frees the key.
  void Delete(KeyRef* ref);
  bool DeleteKey(const KeyArg& k);
  // Removes the key from the table and hands its entry to the caller.
  Entry* Detach(KeyRef* ref);
  // Inserts an entry whose key (k) is not present.
  void Insert(const KeyArg& k, Entry* e);

  // Collections. Creating: the key must be absent. Replacing keeps the expiry.
  void InsertBlob(const KeyArg& k, ValueKind kind, Enc enc, std::string_view blob);
  void InsertObject(const KeyArg& k, ValueKind kind, Object* obj);
  void ReplaceBlob(KeyRef* ref, ValueKind kind, Enc enc, std::string_view blob);
  void ReplaceObject(KeyRef* ref, ValueKind kind, Object* obj);
  // Edits an inline collection's blob in place (Entry::SpliceBlob): bytes [offset,
  // offset + erase) become `insert`. REQUIRES: *ref holds an inline blob.
  void SpliceBlob(KeyRef* ref, size_t offset, size_t erase, std::string_view insert);
  // Records that list / sorted set `key` of this database gained elements.
  void SignalReady(std::string_view key);
  // Records a change to `key` made in place (an object edited through its pointer), so
  // WATCHers see it; the other mutators here record their changes themselves.
  void Modified(std::string_view key);
  // Reports a keyspace event of this database (see KeyEventSink).
  void Notify(int cls, std::string_view event, std::string_view key) {
    if (KeyEventSink* sink = store_->event_sink()) sink->Event(db_, cls, event, key);
  }
  bool NotifyActive() const {
    KeyEventSink* sink = store_->event_sink();
    return sink != nullptr && sink->Active();
  }

  // Calls fn(Shard&, Table&) for every shard's table of this database, locking each
  // shard in turn unless it is already held. fn may remove entries.
  template <typename Fn>
  void ForEachShard(Fn&& fn);

  // One SCAN step: visits live keys from `cursor` until about `count` keys were seen;
  // returns the next cursor (0 when done). fn(Entry*) must not modify the keyspace.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn);

  // A random live key's name, or false if the database is empty.
  bool RandomKey(std::string* out);

  // Removes every key (async: the entries are freed on a background thread).
  // REQUIRES: the LockSet holds all shards.
  void Flush(bool async);
  // Exchanges the contents of databases a and b (SWAPDB).
  // REQUIRES: the LockSet holds all shards.
  void SwapDatabases(int a, int b);
  // Number of keys (may include expired keys not removed yet, as in Redis).
  uint64_t Size();

  bool IsExpired(const Entry* e) const {
    return e->has_expiry() && e->expire_at() < now_ms_;
  }

 private:
  Shard& ShardOf(const KeyArg& k) const;
  Table& TableOf(Shard& s) const NO_THREAD_SAFETY_ANALYSIS { return s.table(db_); }
  // allkeys-tinylfu bookkeeping (storage/tinylfu.h), under the key's shard lock: a read
  // of key `k` (hit or miss) counts in the sketch; a new key enters the window.
  void TinyLfuRead(Shard& s, const Table& t, const KeyArg& k) NO_THREAD_SAFETY_ANALYSIS;
  void TinyLfuInsert(Shard& s, const Table& t, const KeyArg& k) NO_THREAD_SAFETY_ANALYSIS;
  void Touch(Entry* e);
  // A read's keyspace hit or miss (Store::CountLookup), and with `notify_miss` a
  // miss's "keymiss" event. Needs no lock.
  void CountRead(const KeyArg& k, bool hit, bool notify_miss);
  // ReadStringOptimistic's read proper (storage/optimistic_read.cc), inside a
  // Reclaimer read: finds, copies and touches; the counting is left to the caller.
  Optimistic ReadStringRacy(const KeyArg& k, ValueSink& value);
  bool TinyLfuActive() const;
  // Find again once the LockSet's shared hold became the lock.
  KeyRef UpgradeAndFind(const KeyArg& k, Mode mode);
  void RemoveExpiredLocked(Shard& s, Table& t, size_t slot);
  // Marks the WATCHers of the live keys of `db` (before a flush or SWAPDB).
  // REQUIRES: the LockSet holds all shards.
  void TouchExistingWatched(int db);
  // Removes `k` from t if it is present and expired. REQUIRES: s is locked.
  void ExpireIfNeededLocked(Shard& s, Table& t, const KeyArg& k);

  Store* store_;
  LockSet* locks_;
  int db_;
  int64_t now_ms_;
  bool no_touch_;
  ReadyKeys* ready_;
};

// ---- template implementations ----

template <typename Fn>
void DbView::ForEachShard(Fn&& fn) {
  for (size_t i = 0; i < store_->shard_count(); ++i) {
    ShardGuard guard(*locks_, i);
    Shard& s = store_->shard(i);
    fn(s, TableOf(s));
  }
}

template <typename Fn>
uint64_t DbView::Scan(uint64_t cursor, size_t count, Fn&& fn) {
  const size_t nshards = store_->shard_count();
  const int shard_bits = __builtin_ctzll(nshards);
  size_t shard = size_t(cursor) & (nshards - 1);
  uint64_t tcursor = cursor >> shard_bits;
  size_t seen = 0;
  std::vector<std::string> expired;
  // Bound the work per call even if most buckets are empty.
  size_t budget = count * 10 + 16;
  while (true) {
    Shard& s = store_->shard(shard);
    ShardGuard guard(*locks_, shard);
    Table& t = TableOf(s);
    // Empty shards cost nothing, so a small database completes in one call.
    if (t.size() == 0) tcursor = 0;
    while (tcursor != 0 || t.size() > 0) {
      tcursor = t.ScanBucket(tcursor, [&](Entry* e) {
        if (IsExpired(e)) {
          expired.emplace_back(e->key());
        } else {
          fn(e);
          ++seen;
        }
      });
      if (budget > 0) --budget;
      if (tcursor == 0 || seen >= count || budget == 0) break;
    }
    for (const std::string& key : expired) ExpireIfNeededLocked(s, t, MakeKeyArg(key));
    expired.clear();
    if (tcursor == 0 && ++shard == nshards) return 0;
    if (seen >= count || budget == 0) break;
  }
  return (tcursor << shard_bits) | shard;
}

}  // namespace larder
