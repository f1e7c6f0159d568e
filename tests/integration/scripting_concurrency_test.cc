// Lua scripts across worker threads (label "concurrency", run under ThreadSanitizer):
// a script is atomic (it holds every shard lock while it runs), SCRIPT KILL stops a
// busy read-only script from another worker, and other clients get -BUSY meanwhile.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

namespace {

// Moves ARGV[1] from KEYS[1] to KEYS[2] if KEYS[1] has it; returns 1 if it moved.
constexpr const char* kTransfer =
    "local have = tonumber(redis.call('get', KEYS[1]))\n"
    "local amount = tonumber(ARGV[1])\n"
    "if have < amount then return 0 end\n"
    "redis.call('decrby', KEYS[1], amount)\n"
    "redis.call('incrby', KEYS[2], amount)\n"
    "return 1";

// Sums every account named in KEYS.
constexpr const char* kSum =
    "local sum = 0\n"
    "for _, k in ipairs(KEYS) do sum = sum + tonumber(redis.call('get', k)) end\n"
    "return sum";

}  // namespace

TEST_CASE("scripted transfers on both workers keep the total", "[concurrency][scripting]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  constexpr int kAccounts = 50;
  constexpr int kWriters = 4;
  constexpr int kTransfers = 400;
  constexpr long long kTotal = kAccounts * 100LL;
  std::string transfer_sha;
  {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.Str(SeedAccounts(kAccounts, "100")) == "OK");
    transfer_sha = c.Str({"SCRIPT", "LOAD", kTransfer});
    REQUIRE(transfer_sha.size() == 40);
  }
  const std::vector<std::string> sum_cmd =
      WithAccounts({"EVAL", kSum, std::to_string(kAccounts)}, kAccounts);
  const std::vector<std::string> mget = WithAccounts({"MGET"}, kAccounts);
  Failures failures;
  std::atomic<int> writers_left{kWriters};
  std::atomic<long long> checks{0}, moved{0};
  RunThreads(kWriters + 2, [&](int t) {
    Client c = Client::Tcp(srv.port());
    if (!c.ok()) return failures.Add("connect: " + c.error());
    if (t >= kWriters) {  // checkers: the sum by a script and by MGET
      while (writers_left.load() > 0) {
        long long sum = -1;
        if (t % 2 == 0) {
          Reply r = c.Cmd(sum_cmd);
          if (r && r->type == REDIS_REPLY_INTEGER) sum = r->integer;
        } else {
          Reply r = c.Cmd(mget);
          sum = SumOf(r.get());
        }
        if (sum != kTotal) return failures.Add("total seen as " + std::to_string(sum));
        ++checks;
      }
      return;
    }
    unsigned seed = 777u + unsigned(t);
    auto next = [&] { return seed = seed * 1103515245u + 12345u; };
    for (int n = 0; n < kTransfers; ++n) {
      const std::string a = Acct(int(next() % kAccounts)), b = Acct(int(next() % kAccounts));
      Reply r = c.Cmd({"EVALSHA", transfer_sha, "2", a, b, std::to_string(1 + next() % 20)});
      if (!r || r->type != REDIS_REPLY_INTEGER) {
        --writers_left;
        return failures.Add("EVALSHA: " + Describe(r.get()));
      }
      moved += r->integer;
    }
    --writers_left;
  });
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  INFO("checks: " << checks.load() << ", transfers made: " << moved.load());
  CHECK(checks.load() > 0);
  CHECK(moved.load() > 0);
  Client c = Client::Tcp(srv.port());
  CHECK(c.Int(sum_cmd) == kTotal);
  CHECK(srv.Stop() == 0);
}

// Connections go to the 2 workers round-robin, so `busy` and `other` (opened one after
// the other on a fresh server) are served by different workers.
TEST_CASE("SCRIPT KILL stops a busy script; others get BUSY until then",
          "[concurrency][scripting]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(60000));
  Client busy = Client::Tcp(srv.port(), Ms(30000));
  Client other = Client::Tcp(srv.port());
  Client filler = Client::Tcp(srv.port());  // on busy's worker, so that
  RawConn pipelined = RawConn::Tcp(srv.port());  // this one is on other's
  REQUIRE(filler.ok());
  REQUIRE(pipelined.ok());
  REQUIRE(other.Str({"CONFIG", "SET", "busy-reply-threshold", "100"}) == "OK");
  REQUIRE(other.Err({"SCRIPT", "KILL"}) == "NOTBUSY No scripts in execution right now.");

  // A read-only endless script: killable.
  std::string killed_reply;
  std::thread runner([&] { killed_reply = busy.Err({"EVAL", "while true do end", "0"}); });
  // Past the threshold, so this client's commands are refused rather than queued on
  // the script's locks.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string busy_error =
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
      "NOSAVE.";
  CHECK(other.Err({"GET", "k"}) == busy_error);
  // A pipelined batch too (its keys' read-ahead must not wait for the script's locks).
  REQUIRE(pipelined.Send("GET a\r\nGET b\r\nMGET c d\r\n"));
  for (int i = 0; i < 3; ++i) CHECK(pipelined.ReadReply() == "-" + busy_error + "\r\n");
  CHECK(other.Str({"SCRIPT", "KILL"}) == "OK");
  runner.join();
  CHECK(killed_reply.rfind("ERR Script killed by user with SCRIPT KILL...", 0) == 0);
  CHECK(other.Str({"SET", "k", "v"}) == "OK");

  // A script that wrote cannot be killed; it runs to its end.
  long long count = 0;
  std::thread writer([&] {
    count = busy.Int({"EVAL",
                      "redis.call('set', 'w', '1') local i = 0 "
                      "while i < 300000000 do i = i + 1 end return i",
                      "0"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string kill = other.Err({"SCRIPT", "KILL"});
  writer.join();
  // NOTBUSY only if the loop already ended (a very fast machine).
  CHECK((kill.rfind("UNKILLABLE Sorry the script already executed write commands", 0) == 0 ||
         kill.rfind("NOTBUSY", 0) == 0));
  CHECK(count == 300000000);
  CHECK(other.Str({"GET", "w"}) == "1");
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  CHECK(srv.Stop() == 0);
}
