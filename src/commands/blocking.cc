#include "commands/blocking.h"

#include <algorithm>

#include "common/hash.h"

namespace larder {

std::shared_ptr<Waiter> BlockingManager::Block(uint64_t client_id, int worker, int db,
                                               bool resp3, BlockRequest req) {
  auto w = std::make_shared<Waiter>(client_id, worker, db, resp3, std::move(req));
  MutexLock lock(&mu_);
  for (const std::string& key : w->req.keys) {
    auto& q = queues_[QueueKey(db, key)];
    // BLPOP k k waits once per key.
    if (q.empty() || q.back() != w) q.push_back(w);
  }
  count_.fetch_add(1, std::memory_order_release);
  return w;
}

void BlockingManager::Remove(const std::shared_ptr<Waiter>& w) {
  MutexLock lock(&mu_);
  for (const std::string& key : w->req.keys) {
    auto it = queues_.find(QueueKey(w->db, key));
    if (it == queues_.end()) continue;
    auto& q = it->second;
    for (auto qi = q.begin(); qi != q.end();) {
      if (*qi == w) qi = q.erase(qi);
      else ++qi;
    }
    if (q.empty()) queues_.erase(it);
  }
  count_.fetch_sub(1, std::memory_order_release);
}

bool BlockingManager::Cancel(const std::shared_ptr<Waiter>& w) {
  int expected = Waiter::kWaiting;
  if (!w->state.compare_exchange_strong(expected, Waiter::kCancelled)) return false;
  Remove(w);
  return true;
}

bool BlockingManager::Unblock(uint64_t client_id, bool as_error) {
  std::shared_ptr<Waiter> w;
  {
    MutexLock lock(&mu_);
    for (const auto& [key, q] : queues_) {
      for (const auto& candidate : q) {
        if (candidate->client_id == client_id) {
          w = candidate;
          break;
        }
      }
      if (w) break;
    }
  }
  if (!w || !Cancel(w)) return false;
  OutputBuffer out;
  ReplyBuilder reply(&out);
  reply.SetResp3(w->resp3);
  if (as_error) reply.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  else reply.NullArray();
  sink_->Deliver(w->worker, w->client_id, out.TakeAll());
  return true;
}

std::shared_ptr<Waiter> BlockingManager::FirstWaiting(const QueueKey& k,
                                                      const std::vector<Waiter*>& skip) {
  MutexLock lock(&mu_);
  auto it = queues_.find(k);
  if (it == queues_.end()) return nullptr;
  for (const auto& w : it->second) {
    if (w->state.load(std::memory_order_acquire) != Waiter::kWaiting) continue;
    if (std::find(skip.begin(), skip.end(), w.get()) != skip.end()) continue;
    return w;
  }
  return nullptr;
}

std::vector<std::string> BlockingManager::KeysWaitedOn(int db) {
  MutexLock lock(&mu_);
  std::vector<std::string> keys;
  for (const auto& [k, q] : queues_) {
    if (k.first == db) keys.push_back(k.second);
  }
  return keys;
}

void BlockingManager::ServeReady(ReadyKeys* ready, Store* store, LockSet* locks, int64_t now_ms) {
  std::vector<uint32_t> shards;
  // Index loop: serving BLMOVE appends its destination to `ready`.
  for (size_t i = 0; i < ready->keys.size(); ++i) {
    const QueueKey key = ready->keys[i];
    // Waiters this key cannot serve (e.g. a BLPOP waiter when the key is now a sorted
    // set): skipped so the ones behind them are still served.
    std::vector<Waiter*> unserved;
    while (true) {
      std::shared_ptr<Waiter> w = FirstWaiting(key, unserved);
      if (!w) break;
      KeyArg k = MakeKeyArg(key.second);
      shards.assign(1, uint32_t(store->ShardIndex(k.hash)));
      if (!w->req.dest.empty()) shards.push_back(uint32_t(store->ShardIndex(HashKey(w->req.dest))));
      locks->Lock(&shards);
      int expected = Waiter::kWaiting;
      if (!w->state.compare_exchange_strong(expected, Waiter::kClaimed)) {
        locks->Unlock();  // cancelled or taken by another server meanwhile
        continue;
      }
      OutputBuffer out;
      ReplyBuilder reply(&out);
      reply.SetResp3(w->resp3);
      bool served;
      {
        DbView db(store, locks, key.first, now_ms, false, ready);
        served = w->req.serve(db, w->req, key.second, reply);
      }
      locks->Unlock();
      if (!served) {
        w->state.store(Waiter::kWaiting, std::memory_order_release);
        unserved.push_back(w.get());
        continue;
      }
      w->state.store(Waiter::kDone, std::memory_order_release);
      Remove(w);
      sink_->Deliver(w->worker, w->client_id, out.TakeAll());
    }
  }
  ready->keys.clear();
}

}  // namespace larder
