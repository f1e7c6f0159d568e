// ExpirySweeper: the active expiry cycle removes expired keys nobody reads, in every
// database, and passes over shards with no keys with an expiry without their locks.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <string>

#include "storage/db_view.h"
#include "storage/expiry.h"

using namespace larder;

namespace {

constexpr int64_t kBudgetUs = 1'000'000;

void Put(Store& store, int db, const ManualClock& clock, std::string_view key,
         int64_t expire_at = kNoExpiry) {
  const KeyArg k = MakeKeyArg(key);
  LockSet locks(&store);
  locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
  DbView view(&store, &locks, db, clock.NowMs());
  KeyRef ref = view.Find(k, DbView::Mode::kWrite);
  view.SetString(k, &ref, "v", expire_at);
}

// A key whose shard is `shard`, from "prefix:0", "prefix:1", ...
std::string KeyInShard(const Store& store, size_t shard, std::string_view prefix) {
  for (int i = 0; i < 100'000; ++i) {
    std::string key = std::string(prefix) + ":" + std::to_string(i);
    if (store.ShardIndex(MakeKeyArg(key).hash) == shard) return key;
  }
  FAIL("no key found for shard " << shard);
  return {};
}

}  // namespace

TEST_CASE("the expiry sweep removes expired keys in every database and keeps the rest",
          "[expiry]") {
  Store store(StoreOptions{4, 2});
  ManualClock clock;
  const int64_t now = clock.NowMs();
  for (int i = 0; i < 200; ++i) {
    Put(store, 0, clock, "soon:" + std::to_string(i), now + 1'000);
    Put(store, 3, clock, "soon:" + std::to_string(i), now + 1'000);
    Put(store, 3, clock, "later:" + std::to_string(i), now + 60'000);
    Put(store, 3, clock, "kept:" + std::to_string(i));
  }
  ExpirySweeper sweeper(&store);
  sweeper.RunCycle(clock, kBudgetUs);
  CHECK(store.CountDb(0).keys == 200);  // nothing due yet

  clock.AdvanceMs(2'000);
  // Each visit sweeps up to kSlotsPerStep slots of a table: a few cycles at most.
  for (int cycle = 0; cycle < 10 && store.CountDb(0).expires + store.CountDb(3).expires > 200;
       ++cycle) {
    sweeper.RunCycle(clock, kBudgetUs);
  }
  CHECK(store.CountDb(0).keys == 0);
  CHECK(store.CountDb(0).expires == 0);
  CHECK(store.CountDb(3).keys == 400);  // later:* and kept:*
  CHECK(store.CountDb(3).expires == 200);
  CHECK(sweeper.AvgTtlMs(3) > 0);
  CHECK(sweeper.AvgTtlMs(3) <= 60'000);
}

TEST_CASE("the expiry sweep passes over shards with no keys with an expiry without their "
          "locks", "[expiry]") NO_THREAD_SAFETY_ANALYSIS {
  Store store(StoreOptions{2, 2});
  ManualClock clock;
  const int64_t now = clock.NowMs();
  // Shard 0 holds only keys without an expiry; shard 1 holds a key about to expire.
  Put(store, 0, clock, KeyInShard(store, 0, "plain"));
  Put(store, 1, clock, KeyInShard(store, 0, "plain"));
  const std::string doomed = KeyInShard(store, 1, "doomed");
  Put(store, 1, clock, doomed, now + 1'000);
  clock.AdvanceMs(2'000);

  ExpirySweeper sweeper(&store);
  Shard& held = store.shard(0);
  held.mu.Lock();  // as a client in the middle of a command on shard 0
  auto cycle = std::async(std::launch::async, [&] { sweeper.RunCycle(clock, kBudgetUs); });
  const bool finished = cycle.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  held.mu.Unlock();
  cycle.wait();
  CHECK(finished);  // it never waited for shard 0's lock
  CHECK(store.CountDb(1).keys == 1);  // doomed is gone, the plain key stays
  CHECK(store.CountDb(1).expires == 0);

  // A shard passed over once is swept once a key there gets an expiry.
  const std::string later = KeyInShard(store, 0, "later");
  Put(store, 0, clock, later, clock.NowMs() + 1'000);
  clock.AdvanceMs(2'000);
  sweeper.RunCycle(clock, kBudgetUs);
  CHECK(store.CountDb(0).keys == 1);
  CHECK(store.CountDb(0).expires == 0);
}
