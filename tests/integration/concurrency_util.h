// Support for the concurrency suite (and the integration tests that need a 2-worker
// server): a thread-safe failure log, a watchdog that kills a
// hung server, and the server start used by every concurrency test.
//
// Catch2 assertions are not thread-safe: worker threads only record failures in a
// Failures object; the test thread asserts on it afterwards.
#pragma once

#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

namespace larder::it {

// Thread-safe failure log (keeps the first few messages).
class Failures {
 public:
  void Add(std::string msg) {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    if (messages_.size() < 10) messages_.push_back(std::move(msg));
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::string Report() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = std::to_string(count_) + " failure(s)";
    for (const std::string& m : messages_) out += "\n  " + m;
    return out;
  }

 private:
  mutable std::mutex mu_;
  int count_ = 0;
  std::vector<std::string> messages_;
};

// Kills the server if the test has not finished by the deadline, so every client call
// fails fast and the threads end; the test then fails on fired().
class Watchdog {
 public:
  Watchdog(ServerProcess* srv, Ms deadline) : pid_(srv->pid()) {
    thread_ = std::thread([this, deadline] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, deadline, [this] { return done_; })) {
        fired_ = true;
        kill(pid_, SIGKILL);
      }
    });
  }
  ~Watchdog() { Finish(); }
  void Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() const { return fired_.load(); }

 private:
  pid_t pid_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

// Bank accounts of the atomicity tests: keys acct:0 .. acct:<n-1>.
inline std::string Acct(int i) { return "acct:" + std::to_string(i); }

// `head` followed by the names of the first n accounts (MGET ..., EVAL script n ...).
// One transfer as a transaction: MULTI, DECRBY a, INCRBY b, EXEC pipelined; the three
// QUEUED replies are dropped and EXEC's reply returned.
inline Reply MultiTransfer(Client& c, const std::string& a, const std::string& b,
                           const std::string& amount) {
  c.Append({"MULTI"});
  c.Append({"DECRBY", a, amount});
  c.Append({"INCRBY", b, amount});
  c.Append({"EXEC"});
  for (int i = 0; i < 3; ++i) c.GetReply();
  return c.GetReply();
}

inline std::vector<std::string> WithAccounts(std::vector<std::string> head, int n) {
  for (int i = 0; i < n; ++i) head.push_back(Acct(i));
  return head;
}

// MSET of the first n accounts to `balance`.
inline std::vector<std::string> SeedAccounts(int n, const std::string& balance) {
  std::vector<std::string> mset{"MSET"};
  for (int i = 0; i < n; ++i) {
    mset.push_back(Acct(i));
    mset.push_back(balance);
  }
  return mset;
}

// Sum of an array reply of integer strings; -1 if it is not one.
inline long long SumOf(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return -1;
  long long sum = 0;
  for (size_t i = 0; i < r->elements; ++i) {
    if (r->element[i]->type != REDIS_REPLY_STRING) return -1;
    sum += std::stoll(std::string(r->element[i]->str, r->element[i]->len));
  }
  return sum;
}

// Runs `fn(index)` on `n` threads and joins them.
template <typename Fn>
void RunThreads(int n, Fn fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (auto& t : threads) t.join();
}

inline void StartServer(ServerProcess& srv) {
  bool started = srv.Start({"--threads", "2", "--maxclients", "1000"});
  INFO(srv.Output());
  REQUIRE(started);
}

}  // namespace larder::it
