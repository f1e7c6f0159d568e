// Reads under shared shard holds (GET, STRLEN, GETRANGE, Engine::Get, and the O(1)
// reads of the other types: HGET, ZSCORE, LLEN, SISMEMBER, TTL, TYPE, ...) against
// writers on the same keys: a reader sees either no value or one that some write made,
// never a torn or freed one, and lookups are counted by every thread. Runs under
// ThreadSanitizer and AddressSanitizer with the unit suite.
#include <catch2/catch.hpp>

#include <algorithm>
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

// Length of the one RESP2 reply at the start of `r` (nested arrays included), or 0 if
// it is not well formed.
size_t ReplyLength(std::string_view r) {
  const size_t eol = r.find("\r\n");
  if (r.empty() || eol == std::string_view::npos) return 0;
  const std::string_view head = r.substr(1, eol - 1);
  if (r[0] != '+' && r[0] != '-' && r[0] != ':' && head != "-1" &&
      (head.empty() || head.find_first_not_of("0123456789") != std::string_view::npos)) {
    return 0;
  }
  switch (r[0]) {
    case '+': case '-': case ':': return eol + 2;
    case '$': {
      if (head == "-1") return eol + 2;
      const size_t len = std::stoul(std::string(head));
      return r.size() >= eol + 2 + len + 2 ? eol + 2 + len + 2 : 0;
    }
    case '*': {
      if (head == "-1") return eol + 2;
      size_t at = eol + 2;
      for (size_t n = std::stoul(std::string(head)); n > 0; --n) {
        if (at >= r.size()) return 0;
        const size_t len = ReplyLength(r.substr(at));
        if (len == 0) return 0;
        at += len;
      }
      return at;
    }
    default: return 0;
  }
}

// One whole reply, and an error only if it is WRONGTYPE (the key changed type).
bool WellFormed(const std::string& r) {
  if (ReplyLength(r) != r.size()) return false;
  return r[0] != '-' || r.rfind("-WRONGTYPE ", 0) == 0;
}

// Two writer sessions run write(session, x) kWriterOps times each, x a fresh xorshift
// draw (seeded by `seed` + writer); two reader sessions run read(session, op, reader)
// at least reader_ops times each and until both writers are done, at most 10 times
// reader_ops (bounded even if the writers stall).
template <typename Write, typename Read>
void RaceWritersAndReaders(larder::Engine& engine, int writer_ops, int reader_ops,
                           uint64_t seed, Write write, Read read) {
  std::atomic<int> writers_left{2};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      auto s = engine.NewSession();
      uint64_t x = seed + uint64_t(w);
      for (int op = 0; op < writer_ops; ++op) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        write(*s, x);
      }
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      auto s = engine.NewSession();
      for (int op = 0; op < reader_ops || writers_left.load() > 0; ++op) {
        if (op >= 10 * reader_ops) break;
        read(*s, op, r);
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace

TEST_CASE("shared reads see whole values while writers change the same keys",
          "[shared][concurrency]") {
  std::atomic<int64_t> now_ms{1'700'000'000'000};
  larder::Engine engine(larder::EngineOptions{
      .databases = 2, .shard_bits = 1, .now_ms = [&now_ms] { return now_ms.load(); }});
  std::atomic<int64_t> bad{0}, found{0};
  RaceWritersAndReaders(
      engine, 20'000, 40'000, 88172645463325252ull,
      [&](larder::Engine::Session& s, uint64_t x) {
        const int i = int(x % kKeys);
        const std::string key = KeyName(i);
        // Lengths cross the inline sizes and force moves (realloc) of the entry.
        const std::string value(size_t(1 + (x >> 8) % 300), KeyChar(i));
        switch ((x >> 20) % 6) {
          case 0: engine.Set(key, value); break;
          case 1: s.Execute({"SET", key, value}); break;
          case 2: s.Execute({"APPEND", key, std::string(size_t(1 + (x >> 30) % 40), KeyChar(i))}); break;
          case 3: engine.Del(key); break;
          case 4: s.Execute({"SET", key, value, "PX", "1"}); break;  // expires next tick
          default: now_ms.fetch_add(1); break;
        }
      },
      [&](larder::Engine::Session& s, int op, int r) {
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
            if (!BulkBody(s.Execute({"GET", key}), &body)) bad.fetch_add(1);
            break;
          case 2:
            if (!BulkBody(s.Execute({"GETRANGE", key, "0", "-1"}), &body)) bad.fetch_add(1);
            break;
          default: {
            const std::string reply = s.Execute({"STRLEN", key});
            if (reply.empty() || reply[0] != ':') bad.fetch_add(1);
            break;
          }
        }
        if (!Intact(body, i)) bad.fetch_add(1);
        if (!body.empty()) found.fetch_add(1);
      });
  CHECK(bad.load() == 0);
  CHECK(found.load() > 0);  // the readers did see values, not only misses
}

TEST_CASE("shared reads of hashes, sets, sorted sets and lists while writers change them",
          "[shared][concurrency]") {
  std::atomic<int64_t> now_ms{1'700'000'000'000};
  larder::Engine engine(larder::EngineOptions{
      .databases = 1, .shard_bits = 1, .now_ms = [&now_ms] { return now_ms.load(); }});
  // "x" changes type; the others keep theirs but grow past the small encodings (long
  // values, many members) and shrink back, expire and come back.
  const std::vector<std::string> keys{"h", "z", "l", "s", "x"};
  std::atomic<int64_t> bad{0}, values{0};
  RaceWritersAndReaders(
      engine, 40'000, 80'000, 0x9E3779B97F4A7C15ull,
      [&](larder::Engine::Session& s, uint64_t x) {
        const std::string m = "m" + std::to_string(x % 300);
        const std::string hv(size_t(1 + (x >> 12) % 100), 'h');  // past 64 bytes: hashtable
        switch ((x >> 24) % 12) {
          case 0: s.Execute({"HSET", "h", m, hv}); break;
          case 1: s.Execute({"HDEL", "h", m}); break;
          case 2: s.Execute({"ZADD", "z", std::to_string(x % 1000), m}); break;
          case 3: s.Execute({"ZREM", "z", m}); break;
          case 4: s.Execute({"LPUSH", "l", m}); s.Execute({"LTRIM", "l", "0", "299"}); break;
          case 5: s.Execute({"RPOP", "l"}); break;
          case 6: s.Execute({"SADD", "s", (x & 1) ? m : std::to_string(x % 300)}); break;
          case 7: s.Execute({"SREM", "s", m}); break;
          case 8: s.Execute({"SET", "x", hv}); break;
          case 9: s.Execute({"HSET", "x", m, hv}); break;
          case 10: s.Execute({"PEXPIRE", keys[(x >> 40) % keys.size()], "1"}); break;
          default: now_ms.fetch_add(1); break;
        }
      },
      [&](larder::Engine::Session& s, int op, int r) {
        const std::string m = "m" + std::to_string((op * 7 + r) % 300);
        std::string reply;
        switch (op % 17) {
          case 0: {
            reply = s.Execute({"HGET", (op & 32) ? "x" : "h", m});
            std::string body;
            if (reply[0] == '$' && (!BulkBody(reply, &body) ||
                                    body.find_first_not_of('h') != std::string::npos)) {
              bad.fetch_add(1);
            }
            if (!body.empty()) values.fetch_add(1);
            break;
          }
          case 1: reply = s.Execute({"HMGET", "h", m, "m1", "m2"}); break;
          case 2: reply = s.Execute({"HEXISTS", "h", m}); break;
          case 3: reply = s.Execute({"HLEN", (op & 32) ? "x" : "h"}); break;
          case 4: reply = s.Execute({"HSTRLEN", "h", m}); break;
          case 5: reply = s.Execute({"ZSCORE", "z", m}); break;
          case 6: reply = s.Execute({"ZMSCORE", "z", m, "m1"}); break;
          case 7: reply = s.Execute({"ZCARD", "z"}); break;
          case 8: reply = s.Execute({"LLEN", "l"}); break;
          case 9: reply = s.Execute({"SISMEMBER", "s", m}); break;
          case 10: reply = s.Execute({"SMISMEMBER", "s", m, "7"}); break;
          case 11: reply = s.Execute({"SCARD", "s"}); break;
          case 12: reply = s.Execute({"TTL", keys[size_t(op) % keys.size()]}); break;
          case 13: reply = s.Execute({"PTTL", keys[size_t(op) % keys.size()]}); break;
          case 14: reply = s.Execute({"PEXPIRETIME", keys[size_t(op) % keys.size()]}); break;
          case 15: reply = s.Execute({"EXPIRETIME", keys[size_t(op) % keys.size()]}); break;
          default: {
            reply = s.Execute({"TYPE", keys[size_t(op) % keys.size()]});
            static const std::vector<std::string> kTypes{"+none\r\n", "+string\r\n",
                                                         "+hash\r\n", "+zset\r\n",
                                                         "+list\r\n", "+set\r\n"};
            if (std::find(kTypes.begin(), kTypes.end(), reply) == kTypes.end()) bad.fetch_add(1);
            break;
          }
        }
        if (!WellFormed(reply)) bad.fetch_add(1);
      });
  CHECK(bad.load() == 0);
  CHECK(values.load() > 0);
}

TEST_CASE("GETs without the lock see whole values while tables grow, shrink, flush and "
          "swap", "[shared][optimistic][concurrency]") {
  // Many keys, so that writers grow and shrink the tables (slot arrays replaced under
  // the readers), move entries (sizes, expiries, RENAME), change types and flush. A
  // value is one letter repeated, in lower or upper case (a torn read mixes them); the
  // letter is the key's, shared by keys i and i + 26 (RENAME between them).
  constexpr int kMany = 312;
  auto letter = [](int i) { return char('a' + i % 26); };
  auto name = [](int i) { return "key:" + std::to_string(i); };
  std::atomic<int64_t> now_ms{1'700'000'000'000};
  larder::Engine engine(larder::EngineOptions{
      .databases = 2, .shard_bits = 1, .now_ms = [&now_ms] { return now_ms.load(); }});
  std::atomic<int64_t> bad{0}, found{0};
  RaceWritersAndReaders(
      engine, 80'000, 160'000, 0x2545F4914F6CDD1Dull,
      [&](larder::Engine::Session& s, uint64_t x) {
        const int i = int(x % kMany);
        const bool upper = (x >> 9) & 1;
        auto fill = [upper, letter](int j) { return char(upper ? letter(j) - 'a' + 'A' : letter(j)); };
        const std::string value(size_t(1 + (x >> 10) % 200), fill(i));
        std::vector<std::string> args;
        auto run = [&s, &args] {
          std::vector<std::string_view> views(args.begin(), args.end());
          s.Execute(std::span<const std::string_view>(views));
        };
        switch ((x >> 20) % 200) {
          case 0: args = {"FLUSHALL", "ASYNC"}; run(); break;
          case 1: args = {"FLUSHDB"}; run(); break;
          case 2: args = {"SWAPDB", "0", "1"}; run(); break;
          default:
            switch ((x >> 30) % 9) {
              case 0:
              case 1: engine.Set(name(i), value); break;
              case 2: {  // grows the tables
                args = {"MSET"};
                for (int j = i; j < i + 64; ++j) {
                  args.push_back(name(j % kMany));
                  args.emplace_back(value.size(), fill(j % kMany));
                }
                run();
                break;
              }
              case 3: {  // shrinks them
                args = {"DEL"};
                for (int j = i; j < i + 96; ++j) args.push_back(name(j % kMany));
                run();
                break;
              }
              case 4: args = {"PEXPIRE", name(i), (x & 1) ? "100000" : "2"}; run(); break;
              case 5: args = {"PERSIST", name(i)}; run(); break;
              case 6: args = {"RENAME", name(i), name((i + 26) % kMany)}; run(); break;
              case 7: args = {"HSET", name(i), "f", value}; run(); break;
              default:
                args = {"SET", name(i), value, "KEEPTTL"};
                run();
                now_ms.fetch_add(1);
                break;
            }
        }
      },
      [&](larder::Engine::Session& s, int op, int r) {
        const int i = (op * 7 + r * 131) % kMany;
        const std::string key = name(i);
        std::string body;
        if (op % 2 == 0) {
          std::optional<std::string> v = engine.Get(key);
          if (v) body = *v;
        } else {
          const std::string reply = s.Execute({"GET", key});
          if (reply.rfind("-WRONGTYPE ", 0) != 0 && !BulkBody(reply, &body)) bad.fetch_add(1);
        }
        if (!body.empty() && (char(tolower(body[0])) != letter(i) ||
                              body.find_first_not_of(body[0]) != std::string::npos)) {
          bad.fetch_add(1);
        }
        if (!body.empty()) found.fetch_add(1);
      });
  CHECK(bad.load() == 0);
  CHECK(found.load() > 0);
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
