// maxmemory under sustained load, as a cache is used: four clients writing 1 KB values
// into a 64 MB limit (RSS bounded, no client error under allkeys-lru, the exact OOM error
// and working reads under noeviction), and halving the limit while loaded (memory comes
// down while a client's PINGs never wait 100 ms).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

using namespace larder::it;

namespace {

constexpr long long kLimit = 64 * 1024 * 1024;
constexpr const char* kOom = "OOM command not allowed when used memory > 'maxmemory'.";

void StartServer(ServerProcess& srv, const std::string& policy) {
  bool started = srv.Start({"--threads", "2", "--maxmemory", std::to_string(kLimit),
                            "--maxmemory-policy", policy});
  INFO(srv.Output());
  REQUIRE(started);
}

// What the flood's clients saw.
struct FloodResult {
  long long sets = 0;
  long long oom = 0;
  long long other_errors = 0;
  std::string first_other_error;
  long max_rss_kb = 0;
};

// `clients` connections SET random 1 KB values on random keys of a 10 M key space, 16
// per pipelined batch, while this thread samples the server's RSS every 10 ms. The
// flood lasts at least `duration` and then until `until(OOM replies so far)` holds,
// checked every 100 ms (a slow machine or a sanitizer build needs longer to reach the
// limit), but never more than `duration` + 60 s.
FloodResult Flood(ServerProcess& srv, int clients, Ms duration,
                  const std::function<bool(long long)>& until) {
  FloodResult res;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::atomic<long long> oom_so_far{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      Client c = Client::Tcp(srv.port());
      std::mt19937_64 rng(uint64_t(t) + 1);
      std::string value(1024, 'x');
      long long sets = 0, oom = 0, other = 0;
      std::string first_other;
      while (!stop.load() && c.ok()) {
        for (int j = 0; j < 16; ++j) {
          for (char& ch : value) ch = char('a' + rng() % 26);
          c.Append({"SET", "flood:" + std::to_string(rng() % 10'000'000), value});
        }
        for (int j = 0; j < 16; ++j) {
          Reply r = c.GetReply();
          if (!r) {
            ++other;
            if (first_other.empty()) first_other = "connection: " + c.error();
            break;
          }
          if (r->type != REDIS_REPLY_ERROR) {
            ++sets;
          } else if (std::string(r->str) == kOom) {
            ++oom;
            ++oom_so_far;
          } else {
            ++other;
            if (first_other.empty()) first_other = r->str;
          }
        }
        if (other > 0) break;
      }
      std::lock_guard<std::mutex> lock(mu);
      res.sets += sets;
      res.oom += oom;
      res.other_errors += other;
      if (res.first_other_error.empty()) res.first_other_error = first_other;
    });
  }
  const auto start = Clock::now();
  const auto min_end = start + duration, max_end = min_end + Ms(60000);
  for (int tick = 0; Clock::now() < max_end; ++tick) {
    res.max_rss_kb = std::max(res.max_rss_kb, srv.RssKb());
    if (Clock::now() >= min_end && tick % 10 == 0 && until(oom_so_far.load())) break;
    std::this_thread::sleep_for(Ms(10));
  }
  stop = true;
  for (auto& th : threads) th.join();
  return res;
}

}  // namespace

TEST_CASE("four clients flooding 1 KB values into 64 MB: RSS stays within the limit + 10%",
          "[integration][eviction][flood]") {
  ServerProcess srv;
  StartServer(srv, "allkeys-lru");
  const long base_kb = srv.RssKb();  // the fixed base of an empty server
  REQUIRE(base_kb > 0);
  // 20 s as the issue asks; under a sanitizer RSS means little (quarantine, shadow
  // memory, no jemalloc), so a shorter run there checks only the errors.
  const bool sanitized = kAsanBuild || kTsanBuild;
  Client c = Client::Tcp(srv.port());
  const FloodResult res = Flood(srv, 4, sanitized ? Ms(4000) : Ms(20000), [&](long long) {
    return InfoInt(c, "stats", "evicted_keys") > 0;  // the flood has reached the limit
  });
  INFO("sets " << res.sets << ", max RSS " << res.max_rss_kb << " KiB, empty server "
               << base_kb << " KiB, evicted " << InfoInt(c, "stats", "evicted_keys"));
  CHECK(res.other_errors == 0);
  CHECK(res.first_other_error.empty());
  CHECK(res.oom == 0);
  CHECK(res.sets > 0);
  CHECK(InfoInt(c, "stats", "evicted_keys") > 0);
  if (!sanitized) {
    CHECK(InfoInt(c, "memory", "used_memory") <= kLimit * 11 / 10);
    CHECK(res.max_rss_kb <= kLimit / 1024 * 11 / 10 + base_kb);
  }

  // The same flood under noeviction: every refused write gets Redis's exact error, and
  // reads go on working.
  REQUIRE(c.Str({"CONFIG", "SET", "maxmemory-policy", "noeviction"}) == "OK");
  const std::string some_key = c.Str({"RANDOMKEY"});
  REQUIRE(some_key.rfind("flood:", 0) == 0);
  const FloodResult refused = Flood(srv, 4, Ms(2000), [](long long oom) { return oom > 0; });
  INFO("noeviction: sets " << refused.sets << ", OOM " << refused.oom);
  CHECK(refused.other_errors == 0);
  CHECK(refused.first_other_error.empty());
  CHECK(refused.oom > 0);
  // Memory may sit just under the limit once the flood stops: a few more writes fit.
  std::string refusal;
  for (int i = 0; i < 10000 && refusal.empty(); ++i) {
    refusal = c.Err({"SET", "more:" + std::to_string(i), std::string(1024, 'v')});
  }
  CHECK(refusal == kOom);
  CHECK(c.Str({"GET", some_key}).size() == 1024);
  CHECK(c.Int({"EXISTS", some_key}) == 1);
  CHECK(c.Int({"DEL", some_key}) == 1);  // deleting frees memory and is allowed
}

TEST_CASE("halving maxmemory while loaded: memory comes down, no PING waits 100 ms",
          "[integration][eviction][flood]") {
  ServerProcess srv;
  StartServer(srv, "allkeys-lru");
  Client c = Client::Tcp(srv.port());
  // Fill to the limit (~64 MB of 1 KB values; some are evicted already).
  const std::string value(1024, 'v');
  for (int i = 0; i < 80000; i += 100) {
    for (int j = 0; j < 100; ++j) c.Append({"SET", "fill:" + std::to_string(i + j), value});
    for (int j = 0; j < 100; ++j) REQUIRE(c.GetReply());
  }
  REQUIRE(InfoInt(c, "memory", "used_memory") > kLimit * 9 / 10);

  std::atomic<bool> stop{false};
  std::atomic<long long> max_wait_us{0}, pings{0};
  std::thread pinger([&] {
    Client p = Client::Tcp(srv.port());
    while (!stop.load() && p.ok()) {
      const auto t0 = Clock::now();
      const bool pong = p.Str({"PING"}) == "PONG";
      const long long us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
      if (!pong) break;
      ++pings;
      if (us > max_wait_us.load()) max_wait_us = us;
    }
  });
  std::this_thread::sleep_for(Ms(200));
  const auto t0 = Clock::now();
  CHECK(c.Str({"CONFIG", "SET", "maxmemory", std::to_string(kLimit / 2)}) == "OK");
  const long long config_set_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
  const bool down =
      WaitFor([&] { return InfoInt(c, "memory", "used_memory") <= kLimit / 2; }, Ms(20000));
  std::this_thread::sleep_for(Ms(200));
  stop = true;
  pinger.join();
  INFO("PINGs " << pings.load() << ", longest " << max_wait_us.load() << " us; CONFIG SET took "
                << config_set_us << " us; keys left " << c.Int({"DBSIZE"}));
  CHECK(down);
  CHECK(pings.load() > 100);
  CHECK(max_wait_us.load() < 100'000);
  CHECK(config_set_us < 100'000);
}
