// Clients blocked on keys (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP, ...), across worker
// threads.
//
// Protocol:
//  - A blocking command that finds nothing registers a Waiter while it still holds the
//    shard locks of its keys. A command that adds elements to a list / sorted set
//    records the key (DbView::SignalReady, under the same shard lock), so a push can
//    never slip in between the check and the registration unnoticed.
//  - After the pushing command releases its locks, its thread serves the waiters of the
//    ready keys in FIFO order of blocking: it locks the key's shard, claims the waiter
//    (compare-and-swap waiting -> claimed), pops on its behalf and hands the encoded
//    reply to the waiter's worker through the WaiterSink. Whoever wins that CAS owns the
//    waiter: a timeout or a disconnect cancels only a waiter still waiting, so every
//    popped element goes to exactly one client.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "protocol/reply_builder.h"
#include "storage/db_view.h"

namespace larder {

struct BlockRequest;

// Serves a waiter from `ready_key` (pops and writes the reply); false if the key holds
// nothing it can take (then the waiter stays blocked). REQUIRES: the shard locks of
// ready_key and of req.dest.
using ServeFn = bool (*)(DbView& db, const BlockRequest& req, std::string_view ready_key,
                         ReplyBuilder& reply);

struct BlockRequest {
  ServeFn serve = nullptr;
  std::vector<std::string> keys;  // keys waited on, in the command's order
  std::string dest;               // BLMOVE / BRPOPLPUSH destination ("" if none)
  bool from_front = true;         // LEFT (BLPOP, ... LEFT) or RIGHT
  bool to_front = true;           // BLMOVE destination side
  bool zmax = false;              // BZPOPMAX / BZMPOP MAX
  int64_t count = -1;             // BLMPOP / BZMPOP COUNT (-1: the single-element form)
  int64_t deadline_ms = 0;        // absolute wall-clock ms; 0 = wait forever
};

class Waiter {
 public:
  enum State : int { kWaiting, kClaimed, kDone, kCancelled };
  Waiter(uint64_t client_id, int worker, int db, bool resp3, BlockRequest req)
      : client_id(client_id), worker(worker), db(db), resp3(resp3), req(std::move(req)) {}

  const uint64_t client_id;
  const int worker;
  const int db;
  const bool resp3;
  const BlockRequest req;
  std::atomic<int> state{kWaiting};
};

// Delivers a served waiter's reply to its connection (implemented by the server).
class WaiterSink {
 public:
  virtual ~WaiterSink() = default;
  // Thread-safe; the bytes are a complete RESP reply for the waiter's protocol.
  virtual void Deliver(int worker, uint64_t client_id, std::string reply) = 0;
};

class BlockingManager {
 public:
  explicit BlockingManager(WaiterSink* sink) : sink_(sink) {}

  // Blocked clients server-wide (INFO blocked_clients); DbView records ready keys only
  // while this is non-zero.
  const std::atomic<int64_t>* waiters() const { return &count_; }
  int64_t Count() const { return count_.load(std::memory_order_relaxed); }

  // Registers a waiter. REQUIRES: the caller holds the shard locks of every key in
  // req.keys (see the protocol above).
  std::shared_ptr<Waiter> Block(uint64_t client_id, int worker, int db, bool resp3,
                                BlockRequest req);
  // Timeout or disconnect: cancels a waiter that is still waiting. Returns false if it
  // was claimed by a server meanwhile (its reply is on the way).
  bool Cancel(const std::shared_ptr<Waiter>& w);

  // CLIENT UNBLOCK: cancels the waiter of `client_id` if it is still waiting and sends
  // it the timeout reply (or, with `as_error`, the -UNBLOCKED error). Returns false if
  // that client is not blocked (or is being served right now).
  bool Unblock(uint64_t client_id, bool as_error);

  // Serves the waiters of `ready` keys (which may grow: BLMOVE pushes to its
  // destination). REQUIRES: `locks` holds nothing; it is used and released here.
  void ServeReady(ReadyKeys* ready, Store* store, LockSet* locks, int64_t now_ms);

  // Keys of `db` that clients wait on (SWAPDB signals them all).
  std::vector<std::string> KeysWaitedOn(int db);

 private:
  using QueueKey = std::pair<int, std::string>;
  // The first waiter of a key that is still waiting and not in `skip`, or null.
  std::shared_ptr<Waiter> FirstWaiting(const QueueKey& k, const std::vector<Waiter*>& skip);
  // Removes w from the queues of all its keys and from the count.
  void Remove(const std::shared_ptr<Waiter>& w);

  WaiterSink* sink_;
  std::atomic<int64_t> count_{0};
  Mutex mu_;
  std::map<QueueKey, std::deque<std::shared_ptr<Waiter>>, std::less<>> queues_ GUARDED_BY(mu_);
};

}  // namespace larder
