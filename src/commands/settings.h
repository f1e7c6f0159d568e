// Configuration values that command handlers read while the server runs. CONFIG SET
// updates them from any thread; handlers read them without locks (atomics) or under
// the small mutex for strings.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/mutex.h"

namespace larder {

class RuntimeSettings {
 public:
  std::atomic<int64_t> proto_max_bulk_len{512LL * 1024 * 1024};
  std::atomic<int64_t> client_query_buffer_limit{1024LL * 1024 * 1024};
  // FLUSHALL / FLUSHDB without SYNC|ASYNC free in the background (lazyfree-lazy-user-flush).
  std::atomic<bool> lazyfree_lazy_user_flush{false};
  // Redis shares small integer values unless maxmemory is set with an LRU/LFU policy;
  // OBJECT REFCOUNT reports that.
  std::atomic<bool> shared_integers{true};
  // Largest sparse HyperLogLog in bytes before it becomes dense (hll-sparse-max-bytes).
  std::atomic<int64_t> hll_sparse_max_bytes{3000};
  // client-output-buffer-limit for the normal and pubsub classes (bytes, bytes,
  // seconds; 0 = no limit). A client over `hard`, or over `soft` for `soft_seconds`,
  // is disconnected.
  struct OutputLimit {
    std::atomic<int64_t> hard{0}, soft{0}, soft_seconds{0};
  };
  OutputLimit normal_output_limit;
  OutputLimit pubsub_output_limit;
  // busy-reply-threshold (lua-time-limit): a script running longer makes other
  // clients' commands fail with -BUSY.
  std::atomic<int64_t> busy_reply_threshold_ms{5000};
  // notify-keyspace-events as flags (commands/notify.h); 0 = off.
  std::atomic<int> notify_flags{0};
  // Set by the server's persistence (bits below): while a snapshot loads, commands
  // without the loading flag get -LOADING; after a failed background save with save
  // points and stop-writes-on-bgsave-error, write commands and PING get -MISCONF.
  static constexpr uint32_t kRefuseLoading = 1;
  static constexpr uint32_t kRefuseWrites = 2;
  std::atomic<uint32_t> persistence_refusals{0};

  std::string requirepass() const {
    MutexLock lock(&mu_);
    return requirepass_;
  }
  void set_requirepass(std::string pass) {
    MutexLock lock(&mu_);
    requirepass_ = std::move(pass);
    has_requirepass_.store(!requirepass_.empty(), std::memory_order_relaxed);
  }
  bool has_requirepass() const { return has_requirepass_.load(std::memory_order_relaxed); }

 private:
  mutable Mutex mu_;
  std::string requirepass_ GUARDED_BY(mu_);
  std::atomic<bool> has_requirepass_{false};
};

}  // namespace larder
