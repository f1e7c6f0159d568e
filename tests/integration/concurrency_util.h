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

inline void StartServer(ServerProcess& srv) {
  bool started = srv.Start({"--threads", "2", "--maxclients", "1000"});
  INFO(srv.Output());
  REQUIRE(started);
}

}  // namespace larder::it
