// DbView::ReadStringOptimistic: what GET reads without the shard lock, and when it
// declines (the shard held, an expired key) so that the caller reads under a hold.
// The races with writers are in tests/unit/commands/shared_read_test.cc.
#include <catch2/catch.hpp>

#include <string>

#include "storage/db_view.h"

using namespace larder;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

void Put(Store& store, const KeyArg& k, std::string_view value, int64_t expire_at = kNoExpiry) {
  LockSet locks(&store);
  locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
  DbView db(&store, &locks, 0, kNow);
  KeyRef ref = db.Find(k, DbView::Mode::kWrite);
  db.SetString(k, &ref, value, expire_at);
}

DbView::Optimistic Read(Store& store, const KeyArg& k, std::string* value) {
  LockSet locks(&store);
  DbView db(&store, &locks, 0, kNow);
  StringSink sink(value);
  return db.ReadStringOptimistic(k, sink);
}

}  // namespace

#if LARDER_OPTIMISTIC_READS

// Holds the shard's lock as a writer would, and reads from the same thread.
static DbView::Optimistic ReadWhileHeld(Store& store, const KeyArg& k, std::string* value)
    NO_THREAD_SAFETY_ANALYSIS {
  ShardMutex& mu = store.shard(store.ShardIndex(k.hash)).mu;
  mu.Lock();
  const DbView::Optimistic r = Read(store, k, value);
  mu.Unlock();
  return r;
}

TEST_CASE("an optimistic read finds strings, misses and other types without the lock",
          "[optimistic]") {
  Store store(StoreOptions{1, 2});
  const KeyArg a = MakeKeyArg("a"), missing = MakeKeyArg("missing");
  Put(store, a, "value of a");
  std::string v;
  CHECK(Read(store, a, &v) == DbView::Optimistic::kFound);
  CHECK(v == "value of a");
  CHECK(Read(store, missing, &v) == DbView::Optimistic::kMissing);
  CHECK(store.KeyspaceHits() == 1);
  CHECK(store.KeyspaceMisses() == 1);

  // Long keys and values (multi-byte length prefixes), with an expiry to come.
  const std::string long_key(300, 'k');
  const KeyArg lk = MakeKeyArg(long_key);
  Put(store, lk, std::string(20'000, 'v'), kNow + 60'000);
  CHECK(Read(store, lk, &v) == DbView::Optimistic::kFound);
  CHECK(v == std::string(20'000, 'v'));

  const KeyArg h = MakeKeyArg("h");
  {
    LockSet locks(&store);
    locks.LockOne(uint32_t(store.ShardIndex(h.hash)));
    DbView(&store, &locks, 0, kNow).InsertBlob(h, ValueKind::kHash, Enc::kPacked, "");
  }
  CHECK(Read(store, h, &v) == DbView::Optimistic::kWrongType);
}

TEST_CASE("an optimistic read declines while a writer holds the shard, and for expired "
          "keys", "[optimistic]") {
  Store store(StoreOptions{1, 2});
  const KeyArg a = MakeKeyArg("a"), old = MakeKeyArg("old");
  Put(store, a, "x");
  Put(store, old, "y", kNow - 1);
  std::string v;
  CHECK(ReadWhileHeld(store, a, &v) == DbView::Optimistic::kUnsure);
  CHECK(Read(store, a, &v) == DbView::Optimistic::kFound);  // released: reads again
  CHECK(Read(store, old, &v) == DbView::Optimistic::kUnsure);
  CHECK(store.KeyspaceHits() + store.KeyspaceMisses() == 1);  // declined reads count nothing
}

#else

TEST_CASE("builds without optimistic reads always decline", "[optimistic]") {
  Store store(StoreOptions{1, 2});
  const KeyArg a = MakeKeyArg("a");
  Put(store, a, "x");
  std::string v;
  CHECK(Read(store, a, &v) == DbView::Optimistic::kUnsure);
}

#endif
