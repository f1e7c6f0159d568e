// The embedding API's typed shortcuts (include/larder/engine.h): Get in both forms,
// Set with and without a TTL, Del, DbSize, against what a session's commands see.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "unit/commands/harness.h"

using larder::testing::Harness;

TEST_CASE("Engine::Get, Set and Del agree with the command set", "[engine]") {
  Harness h;
  larder::Engine& e = h.engine();
  CHECK(e.Get("k") == std::nullopt);
  e.Set("k", "v");
  CHECK(e.Get("k") == std::optional<std::string>("v"));
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
  h.Run({"SET", "k", "from a session"});
  CHECK(e.Get("k") == std::optional<std::string>("from a session"));
  CHECK(e.DbSize() == 1);
  CHECK(e.Del("k"));
  CHECK_FALSE(e.Del("k"));
  CHECK(e.Get("k") == std::nullopt);
  CHECK(e.DbSize() == 0);
}

TEST_CASE("Engine::Get into a buffer reuses it and empties it on a miss", "[engine]") {
  Harness h;
  larder::Engine& e = h.engine();
  const std::string big(1000, 'x');
  e.Set("big", big);
  e.Set("small", "abc");
  h.Run({"RPUSH", "list", "a"});

  std::string buf;
  REQUIRE(e.Get("big", &buf));
  CHECK(buf == big);
  const char* storage = buf.data();
  REQUIRE(e.Get("small", &buf));
  CHECK(buf == "abc");
  CHECK(buf.data() == storage);  // a shorter value lands in the same allocation
  REQUIRE(e.Get("big", &buf));
  CHECK(buf == big);
  CHECK(buf.data() == storage);

  CHECK_FALSE(e.Get("missing", &buf));
  CHECK(buf.empty());
  buf = "stale";
  CHECK_FALSE(e.Get("list", &buf));  // another type reads as absent, as the optional form
  CHECK(buf.empty());
  CHECK(e.Get("list") == std::nullopt);
}

TEST_CASE("Engine::Set with a TTL expires on the injected clock", "[engine][expire]") {
  Harness h;
  larder::Engine& e = h.engine();
  e.Set("k", "v", std::chrono::milliseconds(1000));
  CHECK(h.Run({"PTTL", "k"}) == ":1000\r\n");
  h.AdvanceMs(1000);
  CHECK(e.Get("k") == std::optional<std::string>("v"));
  h.AdvanceMs(1);
  std::string buf = "stale";
  CHECK_FALSE(e.Get("k", &buf));
  CHECK(buf.empty());
  CHECK(e.Get("k") == std::nullopt);
  e.Set("k", "w", std::chrono::milliseconds(0));  // zero: no expiry
  CHECK(h.Run({"PTTL", "k"}) == ":-1\r\n");
  e.Set("k", "w", std::chrono::milliseconds(500));
  e.Set("k", "w");  // a plain Set drops the TTL, as SET does
  CHECK(h.Run({"PTTL", "k"}) == ":-1\r\n");
}
