#include "storage/watch.h"

#include <catch2/catch.hpp>

#include "storage/eviction.h"

using namespace larder;

TEST_CASE("WatchTable marks exactly the watchers of a changed key", "[watch]") {
  WatchTable t;
  auto a = std::make_shared<std::atomic<bool>>(false);
  auto b = std::make_shared<std::atomic<bool>>(false);
  CHECK_FALSE(t.Active());
  t.Touch(0, "k");  // nothing watched: no effect
  t.Watch(0, "k", a);
  t.Watch(1, "k", b);  // same key, other database
  CHECK(t.Active());
  t.Touch(0, "other");
  CHECK_FALSE(a->load());
  t.Touch(0, "k");
  CHECK(a->load());
  CHECK_FALSE(b->load());
  // A flush marks watched keys that exist in that database only.
  t.TouchDb(1, [](std::string_view key) { return key == "absent"; });
  CHECK_FALSE(b->load());
  t.TouchDb(1, [](std::string_view key) { return key == "k"; });
  CHECK(b->load());
  t.Unwatch(0, "k", a);
  t.Unwatch(1, "k", b);
  CHECK_FALSE(t.Active());
}

TEST_CASE("maxmemory-policy names", "[eviction]") {
  CHECK(ParseEvictPolicy("allkeys-lru") == EvictPolicy::kAllKeysLru);
  CHECK(ParseEvictPolicy("volatile-ttl") == EvictPolicy::kVolatileTtl);
  CHECK(ParseEvictPolicy("noeviction") == EvictPolicy::kNoEviction);
  CHECK_FALSE(ParseEvictPolicy("allkeys-LRU").has_value());  // the registry lowercases first
}
