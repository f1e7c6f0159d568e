// Reads under shared shard holds (GET, STRLEN, GETRANGE, Engine::Get) against writers
// on the same keys: a reader sees either no value or one that some write made, never a
// torn or freed one, and lookups are counted by every thread. Runs under
// ThreadSanitizer and AddressSanitizer with the unit suite.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "larder/engine.h"
#include "storage/store.h"

namespace {

constexpr int kKeys = 6;
std::string KeyName(int i) { return "k" + std::to_string(i); }
char KeyChar(int i) { return char('a' + i); }

// Every value of key i is KeyChar(i) repeated: a torn read shows another byte.
bool Intact(std::string_view v, int i) {
  for (char c : v) {
    if (c != KeyChar(i)) return false;
  }
  return true;
}

// The bulk string of a RESP2 reply, or "" for a null bulk; false if the reply is not
// a well-formed bulk reply.
bool BulkBody(const std::string& reply, std::string* body) {
  if (reply == "$-1\r\n") {
    body->clear();
    return true;
  }
  const size_t eol = reply.find("\r\n");
  if (reply.empty() || reply[0] != '$' || eol == std::string::npos) return false;
  const size_t len = std::stoul(reply.substr(1, eol - 1));
  if (reply.size() != eol + 2 + len + 2) return false;
  *body = reply.substr(eol + 2, len);
  return true;
}

}  // namespace

TEST_CASE("shared reads see whole values while writers change the same keys",
          "[shared][concurrency]") {
  std::atomic<int64_t> now_ms{1'700'000'000'000};
  larder::Engine engine(larder::EngineOptions{
      .databases = 2, .shard_bits = 1, .now_ms = [&now_ms] { return now_ms.load(); }});
  constexpr int kWriterOps = 20'000, kReaderOps = 40'000;
  std::atomic<int> writers_left{2};
  std::atomic<int64_t> bad{0}, found{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      auto s = engine.NewSession();
      uint64_t x = 88172645463325252ull + uint64_t(w);
      for (int op = 0; op < kWriterOps; ++op) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const int i = int(x % kKeys);
        const std::string key = KeyName(i);
        // Lengths cross the inline sizes and force moves (realloc) of the entry.
        const std::string value(size_t(1 + (x >> 8) % 300), KeyChar(i));
        switch ((x >> 20) % 6) {
          case 0: engine.Set(key, value); break;
          case 1: s->Execute({"SET", key, value}); break;
          case 2: s->Execute({"APPEND", key, std::string(size_t(1 + (x >> 30) % 40), KeyChar(i))}); break;
          case 3: engine.Del(key); break;
          case 4: s->Execute({"SET", key, value, "PX", "1"}); break;  // expires next tick
          default: now_ms.fetch_add(1); break;
        }
      }
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      auto s = engine.NewSession();
      for (int op = 0; op < kReaderOps || writers_left.load() > 0; ++op) {
        if (op >= 10 * kReaderOps) break;  // bounded even if the writers stall
        const int i = (op + r) % kKeys;
        const std::string key = KeyName(i);
        std::string body;
        switch (op % 4) {
          case 0: {
            std::optional<std::string> v = engine.Get(key);
            if (v) body = *v;
            break;
          }
          case 1:
            if (!BulkBody(s->Execute({"GET", key}), &body)) bad.fetch_add(1);
            break;
          case 2:
            if (!BulkBody(s->Execute({"GETRANGE", key, "0", "-1"}), &body)) bad.fetch_add(1);
            break;
          default: {
            const std::string reply = s->Execute({"STRLEN", key});
            if (reply.empty() || reply[0] != ':') bad.fetch_add(1);
            break;
          }
        }
        if (!Intact(body, i)) bad.fetch_add(1);
        if (!body.empty()) found.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(bad.load() == 0);
  CHECK(found.load() > 0);  // the readers did see values, not only misses
}

TEST_CASE("lookups counted by many threads add up", "[shared][concurrency]") {
  larder::Store store(larder::StoreOptions{1, 2});
  constexpr int kThreads = 3, kEach = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) store.CountLookup(i % 4 != 0);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(store.KeyspaceHits() == uint64_t(kThreads) * kEach * 3 / 4);
  CHECK(store.KeyspaceMisses() == uint64_t(kThreads) * kEach / 4);
  store.ResetStats();
  CHECK(store.KeyspaceHits() + store.KeyspaceMisses() == 0);
}
