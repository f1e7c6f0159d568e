// Pub/Sub across worker threads (label "concurrency", run under ThreadSanitizer):
// every message reaches every subscriber once and in publish order per publisher, and
// a subscriber that stops reading is cut off at its output limit without slowing the
// publishers.
#include <atomic>
#include <chrono>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

TEST_CASE("4 publishers x 10000 messages reach 8 subscribers once and in order",
          "[concurrency][pubsub]") {
  ServerProcess srv;
  StartServer(srv);
  Watchdog dog(&srv, Ms(240000));
  constexpr int kPublishers = 4;
  constexpr int kSubscribers = 8;
  constexpr int kMessages = 10000;
  constexpr int kBatch = 100;

  // Subscribers first (connections alternate between the workers), half on the
  // channel, half on a pattern matching it.
  std::vector<Client> subs;
  for (int s = 0; s < kSubscribers; ++s) {
    subs.push_back(Client::Tcp(srv.port(), Ms(60000)));
    REQUIRE(subs.back().ok());
    Reply r = s % 2 == 0 ? subs.back().Cmd({"SUBSCRIBE", "events"})
                         : subs.back().Cmd({"PSUBSCRIBE", "ev*"});
    REQUIRE(r);
    REQUIRE(r->type == REDIS_REPLY_ARRAY);
  }
  Client ctl = Client::Tcp(srv.port());
  CHECK(ctl.Int({"PUBSUB", "NUMPAT"}) == 1);

  Failures failures;
  std::vector<std::thread> threads;
  for (int s = 0; s < kSubscribers; ++s) {
    threads.emplace_back([&, s] {
      std::vector<int> next(kPublishers, 0);  // the sequence number expected per publisher
      const size_t payload_at = s % 2 == 0 ? 2 : 3;  // message / pmessage
      for (int n = 0; n < kPublishers * kMessages; ++n) {
        Reply r = subs[size_t(s)].GetReply();
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != payload_at + 1) {
          return failures.Add("subscriber " + std::to_string(s) + ": " + Describe(r.get()));
        }
        const std::string m(r->element[payload_at]->str, r->element[payload_at]->len);
        const size_t colon = m.find(':');
        const int p = std::stoi(m.substr(1, colon - 1));
        const int seq = std::stoi(m.substr(colon + 1));
        if (p < 0 || p >= kPublishers || seq != next[size_t(p)]) {
          return failures.Add("subscriber " + std::to_string(s) + " got " + m + ", expected seq " +
                              std::to_string(p >= 0 && p < kPublishers ? next[size_t(p)] : -1));
        }
        ++next[size_t(p)];
      }
    });
  }
  for (int p = 0; p < kPublishers; ++p) {
    threads.emplace_back([&, p] {
      Client c = Client::Tcp(srv.port());
      if (!c.ok()) return failures.Add("publisher connect: " + c.error());
      for (int i = 0; i < kMessages; i += kBatch) {
        for (int j = i; j < i + kBatch; ++j) {
          c.Append({"PUBLISH", "events", "p" + std::to_string(p) + ":" + std::to_string(j)});
        }
        for (int j = 0; j < kBatch; ++j) {
          Reply r = c.GetReply();
          if (!r || r->type != REDIS_REPLY_INTEGER || r->integer != kSubscribers) {
            return failures.Add("PUBLISH: " + Describe(r.get()));
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  CHECK(srv.Stop() == 0);
}

TEST_CASE("a subscriber that stops reading is disconnected at the pubsub output limit",
          "[concurrency][pubsub]") {
  ServerProcess srv;
  // Only a hard limit: a soft one (n bytes for s seconds) could also drop the reader
  // when a loaded machine delays its thread for a second.
  REQUIRE(srv.Start({"--threads", "2", "--client-output-buffer-limit", "pubsub 4mb 0 0"}));
  Watchdog dog(&srv, Ms(120000));
  RawConn stalled = RawConn::Tcp(srv.port());
  REQUIRE(stalled.Send(EncodeCommand({"SUBSCRIBE", "big"})));
  REQUIRE_FALSE(stalled.ReadReply().empty());  // the confirmation; then it stops reading
  Client reader = Client::Tcp(srv.port(), Ms(60000));
  REQUIRE(reader.Cmd({"SUBSCRIBE", "big"}));
  Client pub = Client::Tcp(srv.port());
  const std::string payload(16 * 1024, 'x');
  constexpr int kMessages = 2000;  // 32 MB: far past the limit plus socket buffers
  Failures failures;
  std::atomic<int> received{0};
  std::atomic<bool> reader_done{false};
  std::thread consumer([&] {
    for (int i = 0; i < kMessages; ++i) {
      Reply r = reader.GetReply();
      if (!r || r->type != REDIS_REPLY_ARRAY) {
        failures.Add("reader: " + Describe(r.get()));
        break;
      }
      received.store(i + 1, std::memory_order_release);
    }
    reader_done.store(true, std::memory_order_release);
  });
  long long first_receivers = -1, last_receivers = -1;
  for (int i = 0; i < kMessages; i += 50) {
    // Keep the reading subscriber within two batches (1.6 MB) of the publisher, so only
    // the stalled one can reach the limit even when a loaded machine starves the reader.
    const auto deadline = std::chrono::steady_clock::now() + Ms(60000);
    while (received.load(std::memory_order_acquire) < i - 100 &&
           !reader_done.load(std::memory_order_acquire) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(Ms(1));
    }
    for (int j = 0; j < 50; ++j) pub.Append({"PUBLISH", "big", payload});
    for (int j = 0; j < 50; ++j) {
      Reply r = pub.GetReply();
      REQUIRE(r);
      if (first_receivers < 0) first_receivers = r->integer;
      last_receivers = r->integer;
    }
  }
  consumer.join();
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  CHECK(failures.count() == 0);
  CHECK(first_receivers == 2);
  CHECK(last_receivers == 1);  // the stalled subscriber was dropped
  CHECK(stalled.WaitClosed(Ms(10000)));
  CHECK(srv.Output().find("output buffer limits") != std::string::npos);
  CHECK(srv.Stop() == 0);
}
