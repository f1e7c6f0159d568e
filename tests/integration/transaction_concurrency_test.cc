// MULTI/EXEC atomicity across worker threads (label "concurrency", run under
// ThreadSanitizer): invariants that a partially visible transaction, a lost update
// or a lock-order deadlock would break.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

TEST_CASE("bank transfers with MULTI/EXEC and WATCH keep the total", "[concurrency][multi]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  constexpr int kAccounts = 100;
  constexpr int kWriters = 6;
  constexpr int kTransfers = 250;
  constexpr long long kTotal = kAccounts * 100LL;
  {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.Str(SeedAccounts(kAccounts, "100")) == "OK");
  }
  Failures failures;
  std::atomic<int> writers_left{kWriters};
  std::atomic<long long> checks{0}, watch_retries{0};
  RunThreads(kWriters + 2, [&](int t) {
    Client c = Client::Tcp(srv.port());
    if (!c.ok()) return failures.Add("connect: " + c.error());
    if (t >= kWriters) {  // checkers: the sum, read atomically two ways
      const std::vector<std::string> mget = WithAccounts({"MGET"}, kAccounts);
      while (writers_left.load() > 0) {
        long long sum;
        if (t % 2 == 0) {
          Reply r = c.Cmd(mget);
          sum = SumOf(r.get());
        } else {
          c.Append({"MULTI"});
          for (int i = 0; i < kAccounts; ++i) c.Append({"GET", Acct(i)});
          c.Append({"EXEC"});
          for (int i = 0; i <= kAccounts; ++i) c.GetReply();  // +OK, QUEUED...
          Reply r = c.GetReply();
          sum = SumOf(r.get());
        }
        if (sum != kTotal) return failures.Add("total seen as " + std::to_string(sum));
        ++checks;
      }
      return;
    }
    unsigned seed = 12345u + unsigned(t);
    auto next = [&] { return seed = seed * 1103515245u + 12345u; };
    for (int n = 0; n < kTransfers; ++n) {
      const std::string a = Acct(int(next() % kAccounts)), b = Acct(int(next() % kAccounts));
      const std::string amount = std::to_string(1 + next() % 5);
      if (n % 2 == 0) {  // unconditional transfer
        Reply r = MultiTransfer(c, a, b, amount);
        if (!r || r->type != REDIS_REPLY_ARRAY) return failures.Add("EXEC: " + Describe(r.get()));
        continue;
      }
      // Check-and-set: only move money that is there; retry when a WATCHed key changed.
      for (int attempt = 0;; ++attempt) {
        if (attempt == 1000) return failures.Add("WATCH retries never succeed");
        c.Cmd({"WATCH", a, b});
        long long have = std::stoll(c.Str({"GET", a}));
        if (have < std::stoll(amount)) {
          c.Cmd({"UNWATCH"});
          break;
        }
        c.Append({"MULTI"});
        c.Append({"DECRBY", a, amount});
        c.Append({"INCRBY", b, amount});
        c.Append({"EXEC"});
        for (int i = 0; i < 3; ++i) c.GetReply();
        Reply r = c.GetReply();
        if (r && r->type == REDIS_REPLY_ARRAY) break;
        if (!r || r->type != REDIS_REPLY_NIL) return failures.Add("EXEC: " + Describe(r.get()));
        ++watch_retries;
      }
    }
    --writers_left;
  });
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  INFO("checks: " << checks.load() << ", WATCH retries: " << watch_retries.load());
  CHECK(checks.load() > 0);
  Client c = Client::Tcp(srv.port());
  Reply r = c.Cmd(WithAccounts({"MGET"}, kAccounts));
  CHECK(SumOf(r.get()) == kTotal);
  CHECK(srv.Stop() == 0);
}

TEST_CASE("INCR then DECR in one EXEC is never seen half done", "[concurrency][multi]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  constexpr int kKeys = 20;
  constexpr int kWriters = 4;
  constexpr int kRounds = 200;
  Failures failures;
  std::atomic<int> writers_left{kWriters};
  RunThreads(kWriters + 2, [&](int t) {
    Client c = Client::Tcp(srv.port());
    if (!c.ok()) return failures.Add("connect: " + c.error());
    if (t >= kWriters) {  // observers: every value is even (0 before, during, after)
      std::vector<std::string> mget{"MGET"};
      for (int i = 0; i < kKeys; ++i) mget.push_back("k" + std::to_string(i));
      while (writers_left.load() > 0) {
        Reply r = c.Cmd(mget);
        if (!r || r->type != REDIS_REPLY_ARRAY) return failures.Add("MGET: " + Describe(r.get()));
        for (size_t i = 0; i < r->elements; ++i) {
          const redisReply* e = r->element[i];
          if (e->type == REDIS_REPLY_STRING && std::stoll(std::string(e->str, e->len)) % 2 != 0) {
            return failures.Add("odd value seen at k" + std::to_string(i));
          }
        }
      }
      return;
    }
    for (int n = 0; n < kRounds; ++n) {
      c.Append({"MULTI"});
      for (int i = 0; i < kKeys; ++i) c.Append({"INCR", "k" + std::to_string((i + t) % kKeys)});
      for (int i = 0; i < kKeys; ++i) c.Append({"DECR", "k" + std::to_string((i + t) % kKeys)});
      c.Append({"EXEC"});
      for (int i = 0; i < 2 * kKeys + 1; ++i) c.GetReply();
      Reply r = c.GetReply();
      if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 * kKeys) {
        return failures.Add("EXEC: " + Describe(r.get()));
      }
    }
    --writers_left;
  });
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  CHECK(srv.Stop() == 0);
}

TEST_CASE("transactions and multi-key commands over every key order do not deadlock",
          "[concurrency][multi]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  // Keys spread over shards; each client walks the permutations in another order.
  const std::vector<std::string> keys{"x:1", "x:2", "x:3", "x:4"};
  Failures failures;
  RunThreads(6, [&](int t) {
    Client c = Client::Tcp(srv.port());
    if (!c.ok()) return failures.Add("connect: " + c.error());
    std::vector<std::string> k = keys;
    std::rotate(k.begin(), k.begin() + t % 4, k.end());
    for (int round = 0; round < 24; ++round) {
      std::next_permutation(k.begin(), k.end());
      const std::string s0 = "s" + k[0], s1 = "s" + k[1], l0 = "l" + k[2], l1 = "l" + k[3];
      const std::string z0 = "z" + k[0], z1 = "z" + k[1];
      std::vector<std::vector<std::string>> cmds{
          {"MSET", k[0], "1", k[1], "2", k[2], "3", k[3], "4"},
          {"SADD", s0, "m"},
          {"SMOVE", s0, s1, "m"},
          {"SUNIONSTORE", s0, s1, s0},
          {"RPUSH", l0, "e"},
          {"LMOVE", l0, l1, "LEFT", "RIGHT"},
          {"ZADD", z0, "1", "m"},
          {"ZUNIONSTORE", z1, "2", z0, z1},
          {"RENAME", k[0], k[3]},
      };
      // Half of the rounds run the batch as one transaction, with WATCH on two keys.
      const bool tx = round % 2 == 0;
      if (tx) {
        c.Cmd({"WATCH", k[1], k[2]});
        c.Append({"MULTI"});
      }
      for (const auto& cmd : cmds) c.Append(cmd);
      if (tx) c.Append({"EXEC"});
      const size_t replies = cmds.size() + (tx ? 2 : 0);
      for (size_t i = 0; i < replies; ++i) {
        Reply r = c.GetReply();
        if (!r) return failures.Add("connection lost: " + c.error());
      }
    }
  });
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  CHECK(srv.Stop() == 0);
}
