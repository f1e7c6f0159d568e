#include "storage/watch.h"

#include <algorithm>
#include <cstring>

namespace larder {

std::string WatchTable::Slot(int db, std::string_view key) {
  std::string s(sizeof db, '\0');
  std::memcpy(s.data(), &db, sizeof db);
  s.append(key);
  return s;
}

void WatchTable::Watch(int db, std::string_view key, const WatchFlag& flag) {
  MutexLock lock(&mu_);
  watchers_[Slot(db, key)].push_back(flag);
  count_.fetch_add(1, std::memory_order_release);
}

void WatchTable::Unwatch(int db, std::string_view key, const WatchFlag& flag) {
  MutexLock lock(&mu_);
  auto it = watchers_.find(Slot(db, key));
  if (it == watchers_.end()) return;
  auto& v = it->second;
  auto pos = std::find(v.begin(), v.end(), flag);
  if (pos == v.end()) return;
  v.erase(pos);
  if (v.empty()) watchers_.erase(it);
  count_.fetch_sub(1, std::memory_order_release);
}

void WatchTable::Touch(int db, std::string_view key) {
  if (!Active()) return;
  MutexLock lock(&mu_);
  auto it = watchers_.find(Slot(db, key));
  if (it == watchers_.end()) return;
  for (const WatchFlag& f : it->second) f->store(true, std::memory_order_release);
}

void WatchTable::TouchDb(int db, const std::function<bool(std::string_view)>& exists) {
  if (!Active()) return;
  MutexLock lock(&mu_);
  for (auto& [slot, flags] : watchers_) {
    int d;
    std::memcpy(&d, slot.data(), sizeof d);
    if (d != db || !exists(std::string_view(slot).substr(sizeof d))) continue;
    for (const WatchFlag& f : flags) f->store(true, std::memory_order_release);
  }
}

}  // namespace larder
