// Concurrency invariants against the real server (label "concurrency", run under
// ThreadSanitizer by the tsan preset). The server runs with --threads 2 so clients land on
// both workers (connections are assigned round-robin).
//
// Catch2 assertions are not thread-safe: worker threads only record failures in a
// Failures object; the test thread asserts on it afterwards.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;


TEST_CASE("concurrent INCR on one key is exact", "[concurrency]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(60000));
  constexpr int kThreads = 8;
  constexpr int kIncrs = 10000;
  constexpr int kBatch = 50;  // pipelined, to keep the run short under TSan
  Failures failures;
  std::vector<std::vector<long long>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client c = Client::Tcp(srv.port());
      if (!c.ok()) return failures.Add("connect: " + c.error());
      seen[size_t(t)].reserve(kIncrs);
      for (int done = 0; done < kIncrs; done += kBatch) {
        for (int i = 0; i < kBatch; ++i) c.Append({"INCR", "counter"});
        for (int i = 0; i < kBatch; ++i) {
          Reply r = c.GetReply();
          if (!r || r->type != REDIS_REPLY_INTEGER) {
            return failures.Add("INCR reply: " + Describe(r.get()) + " " + c.error());
          }
          seen[size_t(t)].push_back(r->integer);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);

  Client c = Client::Tcp(srv.port());
  CHECK(c.Str({"GET", "counter"}) == std::to_string(kThreads * kIncrs));
  // Every INCR returned a distinct value: together they are exactly 1..80000.
  std::vector<long long> all;
  for (auto& v : seen) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  bool permutation = all.size() == size_t(kThreads * kIncrs);
  for (size_t i = 0; permutation && i < all.size(); ++i) permutation = all[i] == static_cast<long long>(i + 1);
  CHECK(permutation);
  // Each connection's own replies increase.
  for (auto& v : seen) CHECK(std::is_sorted(v.begin(), v.end()));
  CHECK(srv.Stop() == 0);
}

TEST_CASE("multi-key writes, RENAME ping-pong and MGET stay consistent", "[concurrency]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(60000));
  constexpr int kWriters = 8;
  constexpr int kIters = 2000;
  constexpr int kBatch = 20;
  constexpr int kPairs = 16;
  constexpr int kCounters = 100;
  constexpr long long kMinChecks = 3000;  // renames and observations, at least
  Failures failures;
  std::atomic<int> writers_left{kWriters};
  std::atomic<long long> expected_total{0};
  std::atomic<long long> pair_checks{0}, rename_checks{0}, renames{0};

  {
    Client setup = Client::Tcp(srv.port());
    REQUIRE(setup.Str({"SET", "ra", "token"}) == "OK");
  }

  std::vector<std::thread> threads;
  // Writers: MSET pa<k> X pb<k> X (both keys always get the same value) and INCRBY on
  // 100 counters, pipelined in batches.
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      Client c = Client::Tcp(srv.port());
      if (!c.ok()) {
        failures.Add("connect: " + c.error());
        writers_left--;
        return;
      }
      long long local_total = 0;
      for (int j = 0; j < kIters; j += kBatch) {
        for (int i = j; i < j + kBatch; ++i) {
          std::string k = std::to_string((t * 31 + i) % kPairs);
          std::string v = "w" + std::to_string(t) + ":" + std::to_string(i);
          c.Append({"MSET", "pa" + k, v, "pb" + k, v});
          int inc = i % 7 + 1;
          c.Append({"INCRBY", "c" + std::to_string((t * 13 + i) % kCounters), std::to_string(inc)});
          local_total += inc;
        }
        for (int i = 0; i < 2 * kBatch; ++i) {
          Reply r = c.GetReply();
          bool ok = r && ((i % 2 == 0 && r->type == REDIS_REPLY_STATUS) ||
                          (i % 2 == 1 && r->type == REDIS_REPLY_INTEGER));
          if (!ok) {
            failures.Add("writer reply: " + Describe(r.get()) + " " + c.error());
            writers_left--;
            return;
          }
        }
      }
      expected_total += local_total;
      writers_left--;
    });
  }
  // Renamers: move the single token back and forth between ra and rb.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      Client c = Client::Tcp(srv.port());
      while ((writers_left.load() > 0 || renames.load() < kMinChecks) && c.ok()) {
        Reply r = c.Cmd({"RENAME", "ra", "rb"});
        if (r && r->type == REDIS_REPLY_ERROR) r = c.Cmd({"RENAME", "rb", "ra"});
        if (!r) return failures.Add("RENAME: " + c.error());
        if (r->type == REDIS_REPLY_STATUS) {
          renames++;
        } else if (Describe(r.get()) != "ERR no such key") {
          // Both attempts can miss while the other renamer moves the key in between,
          // but any other error is wrong.
          return failures.Add("RENAME reply: " + Describe(r.get()));
        }
      }
    });
  }
  // Observers: MGET is atomic across the keys' shards.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      Client c = Client::Tcp(srv.port());
      int i = t;
      while ((writers_left.load() > 0 || rename_checks.load() < kMinChecks) && c.ok()) {
        std::string k = std::to_string(i++ % kPairs);
        Reply r = c.Cmd({"MGET", "pa" + k, "pb" + k});
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
          return failures.Add("MGET pair: " + Describe(r.get()) + " " + c.error());
        }
        if (Describe(r->element[0]) != Describe(r->element[1])) {
          failures.Add("torn MSET: " + Describe(r.get()));
        }
        pair_checks++;
        r = c.Cmd({"MGET", "ra", "rb"});
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
          return failures.Add("MGET ra rb: " + Describe(r.get()) + " " + c.error());
        }
        int present = (r->element[0]->type == REDIS_REPLY_STRING) +
                      (r->element[1]->type == REDIS_REPLY_STRING);
        if (present != 1) failures.Add("ra/rb not exactly one: " + Describe(r.get()));
        rename_checks++;
      }
    });
  }
  for (auto& th : threads) th.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  INFO("renames " << renames.load() << ", pair checks " << pair_checks.load()
                  << ", ra/rb checks " << rename_checks.load());
  CHECK(failures.count() == 0);
  CHECK(pair_checks.load() > 0);
  CHECK(rename_checks.load() > 0);
  CHECK(renames.load() > 0);

  Client c = Client::Tcp(srv.port());
  long long total = 0;
  for (int i = 0; i < kCounters; ++i) {
    Reply r = c.Cmd({"GET", "c" + std::to_string(i)});
    if (r && r->type == REDIS_REPLY_STRING) total += std::stoll(std::string(r->str, r->len));
  }
  CHECK(total == expected_total.load());
  Reply r = c.Cmd({"MGET", "ra", "rb"});
  CHECK((Describe(r.get()) == "[token,(nil)]" || Describe(r.get()) == "[(nil),token]"));
  for (int k = 0; k < kPairs; ++k) {
    Reply p = c.Cmd({"MGET", "pa" + std::to_string(k), "pb" + std::to_string(k)});
    REQUIRE(p);
    CHECK(Describe(p->element[0]) == Describe(p->element[1]));
    CHECK(p->element[0]->type == REDIS_REPLY_STRING);
  }
  CHECK(srv.Stop() == 0);
}

TEST_CASE("FLUSHALL DBSIZE SCAN KEYS against writers neither crash nor hang", "[concurrency]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(30000));
  constexpr int kWriters = 4;
  constexpr int kWriterOps = 3000;
  constexpr int kBatch = 30;
  Failures failures;
  std::atomic<int> writers_left{kWriters};
  std::atomic<long long> scans{0}, flushes{0};
  std::vector<std::thread> threads;

  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      Client c = Client::Tcp(srv.port());
      for (int j = 0; j < kWriterOps && c.ok(); j += kBatch) {
        for (int i = j; i < j + kBatch; ++i) {
          std::string key = "k" + std::to_string((t * 7919 + i * 31) % 500);
          switch (i % 5) {
            case 0: c.Append({"SET", key, "v" + std::to_string(i)}); break;
            case 1: c.Append({"INCR", "n" + std::to_string(i % 50)}); break;
            case 2: c.Append({"SET", key, "x", "EX", "100"}); break;
            case 3: c.Append({"DEL", key, "k" + std::to_string(i % 500)}); break;
            default: c.Append({"MSET", key, "m", "k" + std::to_string((i + 1) % 500), "m"}); break;
          }
        }
        for (int i = j; i < j + kBatch; ++i) {
          Reply r = c.GetReply();
          if (!r || r->type == REDIS_REPLY_ERROR) {
            failures.Add("writer: " + Describe(r.get()) + " " + c.error());
            break;
          }
        }
      }
      if (!c.ok()) failures.Add("writer connection: " + c.error());
      writers_left--;
    });
  }
  // FLUSHALL / FLUSHDB now and then.
  threads.emplace_back([&] {
    Client c = Client::Tcp(srv.port());
    for (int i = 0; writers_left.load() > 0 && c.ok(); ++i) {
      std::string r = c.Str({i % 2 ? "FLUSHALL" : "FLUSHDB"});
      if (r != "OK") failures.Add("FLUSH: " + r);
      flushes++;
      Reply n = c.Cmd({"DBSIZE"});
      if (!n || n->type != REDIS_REPLY_INTEGER || n->integer < 0) {
        failures.Add("DBSIZE: " + Describe(n.get()));
      }
      c.Cmd({"PING"});  // a little spacing between flushes
    }
  });
  // SCAN full iterations, KEYS, DBSIZE.
  threads.emplace_back([&] {
    Client c = Client::Tcp(srv.port());
    while (writers_left.load() > 0 && c.ok()) {
      std::string cursor = "0";
      int steps = 0;
      do {
        Reply r = c.Cmd({"SCAN", cursor, "COUNT", "50"});
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING) {
          return failures.Add("SCAN: " + Describe(r.get()) + " " + c.error());
        }
        cursor.assign(r->element[0]->str, r->element[0]->len);
        if (++steps > 10000) return failures.Add("SCAN did not terminate");
      } while (cursor != "0");
      scans++;
      Reply keys = c.Cmd({"KEYS", "k1*"});
      if (!keys || keys->type != REDIS_REPLY_ARRAY) {
        return failures.Add("KEYS: " + Describe(keys.get()));
      }
      for (size_t i = 0; i < keys->elements; ++i) {
        std::string k(keys->element[i]->str, keys->element[i]->len);
        if (k.rfind("k1", 0) != 0) failures.Add("KEYS k1* returned " + k);
      }
      Reply n = c.Cmd({"DBSIZE"});
      if (!n || n->type != REDIS_REPLY_INTEGER || n->integer < 0) {
        return failures.Add("DBSIZE: " + Describe(n.get()));
      }
    }
  });
  for (auto& th : threads) th.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  INFO("full scans " << scans.load() << ", flushes " << flushes.load());
  CHECK(failures.count() == 0);
  CHECK(scans.load() > 0);
  CHECK(flushes.load() > 0);

  Client c = Client::Tcp(srv.port());
  CHECK(c.Str({"FLUSHALL"}) == "OK");
  CHECK(c.Int({"DBSIZE"}) == 0);
  Reply r = c.Cmd({"SCAN", "0"});
  CHECK(Describe(r.get()) == "[0,[]]");
  CHECK(srv.Stop() == 0);
}
