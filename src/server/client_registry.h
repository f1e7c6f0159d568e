// Every open client connection, readable from any thread (CLIENT LIST / KILL / INFO).
// The owning worker publishes a connection's changing figures in relaxed atomics; the
// strings that change rarely (name, lib) sit behind the entry's mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/mutex.h"

namespace larder {

struct CommandSpec;

struct ClientInfo {
  // Fixed at accept time.
  uint64_t id = 0;
  int worker = 0;
  int fd = -1;
  bool unix_socket = false;
  std::string addr;   // "ip:port" or "path:0"
  std::string laddr;
  int64_t created_ms = 0;

  // Published by the owning worker after each command / read / write.
  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<const CommandSpec*> last_cmd{nullptr};
  std::atomic<uint64_t> qbuf{0};
  std::atomic<uint64_t> qbuf_free{0};
  std::atomic<uint64_t> obl{0};
  std::atomic<uint64_t> tot_mem{0};
  std::atomic<bool> no_evict{false};
  std::atomic<bool> no_touch{false};
  std::atomic<bool> blocked{false};  // waiting in a blocking command (flag 'b')
  std::atomic<int64_t> sub{0}, psub{0}, ssub{0};  // pub/sub subscriptions
  std::atomic<int64_t> multi{-1};                // commands queued in MULTI, -1 outside
  std::atomic<bool> reading_paused{false};
  std::atomic<bool> authenticated{true};
  // Set once maxmemory-clients chose it (its worker closes it soon): not chosen twice.
  mutable std::atomic<bool> evicting{false};

  void SetNames(const std::string& n, const std::string& lib, const std::string& ver) {
    MutexLock lock(&mu);
    name = n;
    lib_name = lib;
    lib_ver = ver;
  }
  mutable Mutex mu;
  std::string name GUARDED_BY(mu);
  std::string lib_name GUARDED_BY(mu);
  std::string lib_ver GUARDED_BY(mu);
};

class ClientRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  void Add(std::shared_ptr<ClientInfo> info);
  void Remove(uint64_t id);
  size_t Count() const { return count_.load(std::memory_order_relaxed); }
  // Calls fn for each client in id order, under the registry lock (keep fn short).
  void ForEach(const std::function<void(const ClientInfo&)>& fn) const;

 private:
  std::atomic<uint64_t> next_id_{1};
  std::atomic<size_t> count_{0};
  mutable Mutex mu_;
  std::map<uint64_t, std::shared_ptr<ClientInfo>> clients_ GUARDED_BY(mu_);
};

}  // namespace larder
