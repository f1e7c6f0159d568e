#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "unit/commands/harness.h"

using larder::testing::Harness;

namespace {

// Parses "*2\r\n$N\r\n<cursor>\r\n*K\r\n$..\r\nkey\r\n..." into cursor + keys.
std::string ScanStep(Harness& h, const std::string& cursor, std::set<std::string>* keys) {
  std::string r = h.Run({"SCAN", cursor, "COUNT", "7"});
  size_t p = r.find("\r\n", 4) + 2;  // after "$N\r\n"
  size_t e = r.find("\r\n", p);
  std::string next = r.substr(p, e - p);
  p = r.find("\r\n", e + 2) + 2;  // after "*K\r\n"
  while (p < r.size()) {
    size_t len_end = r.find("\r\n", p);
    size_t len = std::stoul(r.substr(p + 1, len_end - p - 1));
    keys->insert(r.substr(len_end + 2, len));
    p = len_end + 2 + len + 2;
  }
  return next;
}

}  // namespace

TEST_CASE("SCAN returns every key present for the whole walk while the table grows", "[scan]") {
  Harness h;
  for (int i = 0; i < 500; ++i) h.Run({"SET", "old:" + std::to_string(i), "v"});
  std::set<std::string> seen;
  std::string cursor = "0";
  int steps = 0;
  do {
    cursor = ScanStep(h, cursor, &seen);
    if (++steps == 20) {
      for (int i = 0; i < 5000; ++i) h.Run({"SET", "new:" + std::to_string(i), "v"});
    }
  } while (cursor != "0" && steps < 100000);
  REQUIRE(cursor == "0");
  for (int i = 0; i < 500; ++i) CHECK(seen.count("old:" + std::to_string(i)) == 1);
}

TEST_CASE("KEYS, RANDOMKEY, DBSIZE and expired keys", "[keyspace]") {
  Harness h;
  CHECK(h.Run({"RANDOMKEY"}) == "$-1\r\n");
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1", "PX", "10"});
  CHECK(h.Run({"DBSIZE"}) == ":2\r\n");
  h.AdvanceMs(11);
  CHECK(h.Run({"KEYS", "*"}) == "*1\r\n$1\r\na\r\n");  // expired keys are not listed
  CHECK(h.Run({"RANDOMKEY"}) == "$1\r\na\r\n");
  CHECK(h.Run({"SWAPDB", "0", "1"}) == "+OK\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
  CHECK(h.Run({"SELECT", "1"}) == "+OK\r\n");
  CHECK(h.Run({"EXISTS", "a"}) == ":1\r\n");
  CHECK(h.Run({"FLUSHALL", "ASYNC"}) == "+OK\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
}

TEST_CASE("RENAME, COPY and MOVE keep values and TTLs", "[keyspace]") {
  Harness h;
  h.Run({"SET", "src", "v", "EX", "100"});
  CHECK(h.Run({"COPY", "src", "dst"}) == ":1\r\n");
  CHECK(h.Run({"TTL", "dst"}) == ":100\r\n");
  CHECK(h.Run({"RENAME", "dst", "moved"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "moved"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"TTL", "moved"}) == ":100\r\n");
  CHECK(h.Run({"MOVE", "moved", "3"}) == ":1\r\n");
  CHECK(h.Run({"EXISTS", "moved"}) == ":0\r\n");
  CHECK(h.Run({"COPY", "src", "moved", "DB", "3"}) == ":0\r\n");
  CHECK(h.Run({"COPY", "src", "moved", "DB", "3", "REPLACE"}) == ":1\r\n");
  CHECK(h.Run({"MOVE", "src", "16"}) == "-ERR DB index is out of range\r\n");
}

TEST_CASE("MSET of the same key twice and many keys across shards", "[keyspace]") {
  Harness h;
  CHECK(h.Run({"MSET", "k", "1", "k", "2", "j", "3"}) == "+OK\r\n");
  CHECK(h.Run({"MGET", "k", "j", "k"}) == "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n2\r\n");
  CHECK(h.Run({"DEL", "k", "k", "j"}) == ":2\r\n");
}
