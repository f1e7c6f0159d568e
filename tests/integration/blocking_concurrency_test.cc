// Blocking pops across worker threads (label "concurrency", run under ThreadSanitizer):
// producers on one worker push, consumers blocked on the other worker pop, and every
// element is delivered exactly once.
//
// Placement: the server assigns connections to its 2 workers round-robin, so opening
// the connections one after another and alternating roles puts every consumer on one
// worker and every producer on the other.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

namespace {

constexpr int kProducers = 4;
constexpr int kConsumers = 4;

struct Roles {
  std::vector<Client> producers, consumers;
};

Roles Connect(const ServerProcess& srv) {
  Roles r;
  for (int i = 0; i < kProducers + kConsumers; ++i) {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.ok());
    REQUIRE(c.Str({"PING"}) == "PONG");  // accepted before the next one connects
    (i % 2 == 0 ? r.consumers : r.producers).push_back(std::move(c));
  }
  return r;
}

// Appends the elements of an array reply (skipping the first `skip`) to out.
void Collect(const redisReply* r, size_t skip, std::vector<std::string>* out) {
  for (size_t i = skip; i < r->elements; ++i) out->emplace_back(r->element[i]->str, r->element[i]->len);
}

// Checks that what the consumers got is exactly what the producers sent (as multisets)
// and names the first differences.
void CheckExactlyOnce(const std::vector<std::vector<std::string>>& sent_by_producer,
                      const std::vector<std::vector<std::string>>& got_by_consumer) {
  std::vector<std::string> sent, got;
  for (const auto& v : sent_by_producer) sent.insert(sent.end(), v.begin(), v.end());
  for (const auto& v : got_by_consumer) got.insert(got.end(), v.begin(), v.end());
  std::sort(sent.begin(), sent.end());
  std::sort(got.begin(), got.end());
  std::map<std::string, int> diff;
  for (const auto& s : sent) ++diff[s];
  for (const auto& g : got) --diff[g];
  std::string report;
  int shown = 0;
  for (const auto& [k, v] : diff) {
    if (v != 0 && shown++ < 10) report += k + (v > 0 ? " lost; " : " duplicated; ");
  }
  INFO(report);
  CHECK(got.size() == sent.size());
  CHECK(got == sent);
}

// Joins the client threads; fails the test if the watchdog fired or a thread failed.
void JoinAll(std::vector<std::thread>& threads, Watchdog& dog, const Failures& failures) {
  for (auto& t : threads) t.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
}

}  // namespace

TEST_CASE("list elements pushed on one worker reach consumers blocked on the other exactly once",
          "[concurrency][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  Roles roles = Connect(srv);
  constexpr int kBatches = 100;
  constexpr int kPerBatch = 5;
  const size_t total = size_t(kProducers) * kBatches * kPerBatch;

  Failures failures;
  std::atomic<size_t> received{0};
  std::atomic<int> producers_left{kProducers};
  std::vector<std::vector<std::string>> sent(kProducers), got(kConsumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      Client& c = roles.producers[size_t(p)];
      for (int b = 0; b < kBatches; ++b) {
        // Alternate keys and ends so pops from both ends and both keys interleave.
        std::vector<std::string> cmd{b % 2 ? "LPUSH" : "RPUSH", (b / 2) % 2 ? "q1" : "q0"};
        for (int e = 0; e < kPerBatch; ++e) {
          cmd.push_back("p" + std::to_string(p) + ":" + std::to_string(b) + ":" + std::to_string(e));
          sent[size_t(p)].push_back(cmd.back());
        }
        Reply r = c.Cmd(cmd);
        if (!r || r->type != REDIS_REPLY_INTEGER) {
          failures.Add("push: " + Describe(r.get()));
          break;
        }
      }
      --producers_left;
    });
  }
  for (int k = 0; k < kConsumers; ++k) {
    threads.emplace_back([&, k] {
      Client& c = roles.consumers[size_t(k)];
      auto& mine = got[size_t(k)];
      int idle = 0;
      for (int round = 0; received.load() < total && round < 100000; ++round) {
        // Mix the blocking pops: BLPOP, BRPOP and BLMPOP with a count.
        Reply r;
        size_t skip = 1;
        switch ((round + k) % 3) {
          case 0: r = c.Cmd({"BLPOP", "q0", "q1", "0.2"}); break;
          case 1: r = c.Cmd({"BRPOP", "q1", "q0", "0.2"}); break;
          default: r = c.Cmd({"BLMPOP", "0.2", "2", "q0", "q1", "LEFT", "COUNT", "3"}); skip = 0;
        }
        if (!r) return failures.Add("consumer " + std::to_string(k) + ": " + c.error());
        if (r->type == REDIS_REPLY_NIL) {
          // Timed out: stop once producers are done and nothing arrived for a while.
          if (producers_left.load() == 0 && ++idle > 5) break;
          continue;
        }
        idle = 0;
        if (r->type != REDIS_REPLY_ARRAY) return failures.Add("pop: " + Describe(r.get()));
        size_t before = mine.size();
        if (skip == 0) Collect(r->element[1], 0, &mine);  // [key, [elements]]
        else Collect(r.get(), 1, &mine);                   // [key, element]
        received += mine.size() - before;
      }
    });
  }
  JoinAll(threads, dog, failures);
  CheckExactlyOnce(sent, got);
  Client ctl = Client::Tcp(srv.port());
  CHECK(ctl.Int({"EXISTS", "q0", "q1"}) == 0);
  CHECK(Field(ctl.Str({"INFO", "clients"}), "blocked_clients:") == "0");
  CHECK(srv.Stop() == 0);
}

TEST_CASE("sorted-set members and BLMOVE transfers are delivered exactly once across workers",
          "[concurrency][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(120000));
  Roles roles = Connect(srv);
  constexpr int kPerProducer = 300;
  const size_t total = size_t(kProducers) * kPerProducer;

  Failures failures;
  std::atomic<size_t> received{0};
  std::atomic<int> producers_left{kProducers};
  std::vector<std::vector<std::string>> sent(kProducers), got(kConsumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      Client& c = roles.producers[size_t(p)];
      for (int i = 0; i < kPerProducer; ++i) {
        std::string m = "p" + std::to_string(p) + ":" + std::to_string(i);
        sent[size_t(p)].push_back(m);
        // Half go to the sorted set, half through a list that consumers BLMOVE from.
        Reply r = i % 2 ? c.Cmd({"ZADD", "z", std::to_string(i), m}) : c.Cmd({"RPUSH", "src", m});
        if (!r || r->type != REDIS_REPLY_INTEGER) {
          failures.Add("produce: " + Describe(r.get()));
          break;
        }
      }
      --producers_left;
    });
  }
  for (int k = 0; k < kConsumers; ++k) {
    threads.emplace_back([&, k] {
      Client& c = roles.consumers[size_t(k)];
      auto& mine = got[size_t(k)];
      const std::string dst = "dst" + std::to_string(k);
      int idle = 0;
      for (int round = 0; received.load() < total && round < 100000; ++round) {
        // One kind of pop per consumer: a consumer that rotated through all four would
        // sit out a timeout on whichever source is already drained.
        Reply r;
        switch (k % 4) {
          case 0: r = c.Cmd({"BZPOPMIN", "z", "0.2"}); break;
          case 1: r = c.Cmd({"BZPOPMAX", "z", "0.2"}); break;
          case 2: r = c.Cmd({"BZMPOP", "0.2", "1", "z", "MIN", "COUNT", "2"}); break;
          default: r = c.Cmd({"BLMOVE", "src", dst, "LEFT", "RIGHT", "0.2"});
        }
        if (!r) return failures.Add("consumer " + std::to_string(k) + ": " + c.error());
        if (r->type == REDIS_REPLY_NIL) {
          if (producers_left.load() == 0 && ++idle > 5) break;
          continue;
        }
        idle = 0;
        size_t before = mine.size();
        if (r->type == REDIS_REPLY_STRING) {  // BLMOVE: the element moved to dst
          mine.emplace_back(r->str, r->len);
        } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {  // [key, member, score]
          mine.emplace_back(r->element[1]->str, r->element[1]->len);
        } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {  // [key, [[m, s]...]]
          const redisReply* items = r->element[1];
          for (size_t i = 0; i < items->elements; ++i) {
            mine.emplace_back(items->element[i]->element[0]->str, items->element[i]->element[0]->len);
          }
        } else {
          return failures.Add("pop: " + Describe(r.get()));
        }
        received += mine.size() - before;
      }
    });
  }
  JoinAll(threads, dog, failures);
  CheckExactlyOnce(sent, got);
  // Every BLMOVE'd element sits in its consumer's destination list, once.
  Client ctl = Client::Tcp(srv.port());
  long long moved = 0;
  for (int k = 0; k < kConsumers; ++k) moved += ctl.Int({"LLEN", "dst" + std::to_string(k)});
  CHECK(moved == kProducers * kPerProducer / 2);
  CHECK(ctl.Int({"EXISTS", "z", "src"}) == 0);
  CHECK(srv.Stop() == 0);
}
