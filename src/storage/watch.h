// Keys watched by WATCH and the clients watching them. Every change to a key (a write,
// an expiry or eviction, a flush, SWAPDB) marks its watchers dirty, so their EXEC fails.
//
// Protocol: a client registers (Watch) while holding the key's shard lock, and every
// change happens under that lock too, so a change after the WATCH always sees the
// registration. With no key watched anywhere, Touch costs one atomic load.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"

namespace larder {

// One client's "a watched key changed" flag.
using WatchFlag = std::shared_ptr<std::atomic<bool>>;

class WatchTable {
 public:
  bool Active() const { return count_.load(std::memory_order_acquire) > 0; }

  void Watch(int db, std::string_view key, const WatchFlag& flag);
  // Drops one registration of `flag` on (db, key).
  void Unwatch(int db, std::string_view key, const WatchFlag& flag);
  // Marks the watchers of (db, key) dirty.
  void Touch(int db, std::string_view key);
  // Marks the watchers of every watched key of `db` for which exists(key) holds (a
  // flush or SWAPDB changes exactly the keys that exist).
  void TouchDb(int db, const std::function<bool(std::string_view)>& exists);

 private:
  static std::string Slot(int db, std::string_view key);

  std::atomic<int64_t> count_{0};  // registrations
  Mutex mu_;
  std::unordered_map<std::string, std::vector<WatchFlag>> watchers_ GUARDED_BY(mu_);
};

}  // namespace larder
