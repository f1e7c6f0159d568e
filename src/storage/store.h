// The sharded keyspace: 2^shard_bits shards, each a mutex plus one Table per logical
// database. A key's shard comes from the top bits of its hash, so all databases share
// the shard locks (MOVE and COPY ... DB stay within one shard).
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/tinylfu.h"

#include "common/mutex.h"
#include "common/reader_marks.h"
#include "common/thread_annotations.h"
#include "storage/access.h"
#include "storage/eviction.h"
#include "storage/eviction_pool.h"
#include "storage/table.h"
#include "storage/watch.h"

namespace larder {

#ifndef LARDER_SHARD_BITS
#define LARDER_SHARD_BITS 8
#endif

struct StoreOptions {
  int databases = 16;
  int shard_bits = LARDER_SHARD_BITS;  // 2^shard_bits shards
};

// Counters a shard keeps under its (exclusive) lock; read without it (relaxed).
struct ShardStats {
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> evicted_keys{0};

  static void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// Thresholds past which small (inline) collection encodings convert to large ones,
// with Redis's configuration names. Set by CONFIG; read by the type modules.
struct EncodingLimits {
  std::atomic<int64_t> hash_max_listpack_entries{512};
  std::atomic<int64_t> hash_max_listpack_value{64};
  std::atomic<int64_t> set_max_intset_entries{512};
  std::atomic<int64_t> set_max_listpack_entries{128};
  std::atomic<int64_t> set_max_listpack_value{64};
  std::atomic<int64_t> zset_max_listpack_entries{128};
  std::atomic<int64_t> zset_max_listpack_value{64};
  // > 0: elements per list node; < 0: -1..-5 = 4, 8, 16, 32, 64 KiB per node.
  std::atomic<int64_t> list_max_listpack_size{-2};
  std::atomic<int64_t> list_compress_depth{0};

  static int64_t Get(const std::atomic<int64_t>& v) { return v.load(std::memory_order_relaxed); }
};

// Cache-line aligned: neighbouring shards, locked by different threads, share no line.
class alignas(64) Shard {
 public:
  explicit Shard(int databases);

  // What every request touches shares the first cache line: the lock, the snapshot
  // mark and the tables' array (4 + 1 + 24 bytes).
  ShardMutex mu;
  // A running snapshot has not captured this shard yet (Store::AfterLock).
  bool snapshot_pending GUARDED_BY(mu) = false;

 private:
  std::vector<Table> tables_ GUARDED_BY(mu);

 public:
  ShardStats stats;
  Table& table(int db) REQUIRES(mu) { return tables_[size_t(db)]; }
  std::vector<Table>& tables() REQUIRES(mu) { return tables_; }
  // Per-database position of the active expiry sweep.
  std::vector<size_t> sweep_pos GUARDED_BY(mu);
  // Recent read frequencies and recently inserted keys, kept only under
  // maxmemory-policy allkeys-tinylfu (storage/tinylfu.h).
  FrequencySketch sketch GUARDED_BY(mu);
  InsertionWindow window GUARDED_BY(mu);
  // Best eviction candidates of earlier samplings (storage/eviction_pool.h).
  EvictionPool evict_pool GUARDED_BY(mu);
};

// Frees detached tables on a background thread (FLUSHALL ASYNC, FLUSHDB ASYNC).
class LazyFreer {
 public:
  LazyFreer();
  ~LazyFreer();
  void Enqueue(std::vector<Table> tables);
  // Number of tables waiting to be freed (INFO lazyfree_pending_objects).
  size_t Pending() const { return pending_.load(std::memory_order_relaxed); }

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<Table>> queue_;
  bool stop_ = false;
  std::atomic<size_t> pending_{0};
  std::thread thread_;
};

// Receives keyspace events for notifications: keys that appear or expire inside the
// storage layer ("new", "expired"), and the events commands report through
// DbView::Notify (`cls` is the commands layer's event class). Called under the key's
// shard lock.
class KeyEventSink {
 public:
  virtual ~KeyEventSink() = default;
  virtual void KeyExpired(int db, std::string_view key) = 0;
  virtual void KeyCreated(int db, std::string_view key) = 0;
  virtual void KeyMissed(int db, std::string_view key) = 0;  // a read found nothing
  virtual void KeyEvicted(int db, std::string_view key) = 0;
  virtual void Event(int db, int cls, std::string_view event, std::string_view key) = 0;
  // False while notifications are off (callers may skip work that only feeds them).
  virtual bool Active() const = 0;
};

// What a running snapshot installs (persistence/snapshot.h): called, with the shard's
// lock held, by the first thread to lock a pending shard after the snapshot began,
// before that thread can change the shard. Must not take any shard lock.
class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  virtual void CaptureLocked(Shard& shard) = 0;
};

class Store {
 public:
  explicit Store(const StoreOptions& options = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int databases() const { return databases_; }
  size_t shard_count() const { return shards_.size(); }
  size_t ShardIndex(uint64_t hash) const { return size_t(hash >> shift_); }
  Shard& shard(size_t i) { return *shards_[i]; }

  AccessPolicy& access_policy() { return access_; }
  EncodingLimits& limits() { return limits_; }
  LazyFreer& lazy_freer() { return lazy_; }
  WatchTable& watches() { return watches_; }
  EvictionConfig& eviction() { return eviction_; }
  // The notification sink (null: none). Set once before clients are served.
  void set_event_sink(KeyEventSink* sink) { event_sink_ = sink; }
  KeyEventSink* event_sink() const { return event_sink_; }

  // A key a command is about to look up: its database and HashKey.
  struct KeyHint {
    int db;
    uint64_t hash;
  };
  // Starts loading into the CPU cache what looking these keys up will read, so that the
  // memory latencies of a pipelined batch overlap instead of adding up: first every
  // key's home slot, then the entries those slots point to. Changes nothing and never
  // waits for a lock holder: a key whose shard is locked elsewhere (by a running
  // script, say) is skipped. With optimistic reads it takes no lock at all (racy loads,
  // as a GET's); without, it takes each shard briefly with TryLock.
  // REQUIRES: db in range.
  void Prefetch(std::span<const KeyHint> keys);

  // Counts a read's lookup as a keyspace hit or miss. Thread-safe, and shared holds
  // may call it at once: each thread counts in its own cache line.
  void CountLookup(bool hit) {
    const int i = ReaderMarks::ThisThread();
    LookupCounters& c = lookups_[i < 0 ? ReaderMarks::kMaxReaders : size_t(i)];
    std::atomic<uint64_t>& n = hit ? c.hits : c.misses;
    if (i < 0) n.fetch_add(1, std::memory_order_relaxed);  // the line threads share
    else ShardStats::Bump(n);
  }

  // Sums of the per-shard (and per-thread) counters.
  uint64_t ExpiredKeys() const;
  uint64_t KeyspaceHits() const;
  uint64_t KeyspaceMisses() const;
  uint64_t EvictedKeys() const;
  void ResetStats();

  // Keys and keys with an expiry in `db` (locks each shard in turn).
  struct DbCounts {
    uint64_t keys = 0;
    uint64_t expires = 0;
    uint64_t slot_bytes = 0;  // the tables' slot arrays
  };
  DbCounts CountDb(int db);

  // Snapshots. BeginSnapshot takes every shard lock (the snapshot's instant), marks
  // every shard pending, installs `hook`, runs `at_start` under the locks and releases
  // them; false (and nothing done) if a snapshot is already running. Every place that
  // takes a shard lock to change it calls AfterLock right after, so a pending shard is
  // captured before anything changes it; a lock taken only to read (LockSet's
  // for_write = false) does not, and the one change a read can make (removing an
  // expired key) calls BeforeChange first. EndSnapshot, once every shard was captured,
  // removes the hook.
  bool BeginSnapshot(SnapshotHook* hook, const std::function<void()>& at_start)
      NO_THREAD_SAFETY_ANALYSIS;
  void EndSnapshot();
  bool SnapshotRunning() const { return snapshot_hook_.load(std::memory_order_acquire); }
  void AfterLock(size_t i) { BeforeChange(*shards_[i]); }
  // REQUIRES: s.mu held.
  void BeforeChange(Shard& s) NO_THREAD_SAFETY_ANALYSIS {
    if (s.snapshot_pending) [[unlikely]] {
      s.snapshot_pending = false;
      snapshot_hook_.load(std::memory_order_acquire)->CaptureLocked(s);
    }
  }

 private:
  // Prefetch without locks. REQUIRES: inside Reclaimer::Enter/Exit.
  void PrefetchRacy(std::span<const KeyHint> keys);

  int databases_;
  int shift_;
  std::vector<std::unique_ptr<Shard>> shards_;
  AccessPolicy access_;
  EncodingLimits limits_;
  LazyFreer lazy_;
  WatchTable watches_;
  EvictionConfig eviction_;
  KeyEventSink* event_sink_ = nullptr;
  struct alignas(64) LookupCounters {
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
  };
  // One per ReaderMarks index, and a last one for threads without a mark.
  std::unique_ptr<LookupCounters[]> lookups_{new LookupCounters[ReaderMarks::kMaxReaders + 1]};
  std::atomic<SnapshotHook*> snapshot_hook_{nullptr};
};

}  // namespace larder
