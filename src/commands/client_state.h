// Per-connection state that commands read and change (SELECT, HELLO, CLIENT ...).
// Owned by the connection; touched only by its worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage/watch.h"

namespace larder {

class Waiter;

enum class ReplyMode : uint8_t {
  kOn,
  kOff,       // CLIENT REPLY OFF
  kSkipNext,  // CLIENT REPLY SKIP was just run: the next command's reply is dropped
  kSkipThis,  // the current command's reply is dropped
};

struct ClientState {
  uint64_t id = 0;
  int db = 0;
  int resp = 2;
  bool authenticated = true;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  bool no_evict = false;
  bool no_touch = false;
  ReplyMode reply_mode = ReplyMode::kOn;
  // Close the connection once pending replies are written (QUIT, CLIENT KILL self).
  bool close_after_reply = false;
  // Set when name / lib-name / lib-ver changed, so the server republishes them.
  bool info_dirty = false;
  // The command being (or last) run; null for an unknown command (CLIENT LIST cmd=).
  const struct CommandSpec* current_cmd = nullptr;
  // The worker thread serving this client (replies to blocked clients go there).
  int worker = 0;
  // Set while the client is blocked (BLPOP, ...): no further commands run until the
  // waiter is served, times out or is cancelled.
  std::shared_ptr<Waiter> blocked;

  // MULTI ... EXEC: the queued commands (their arguments), and whether one was refused
  // while queuing (EXEC then aborts with EXECABORT).
  bool in_multi = false;
  bool multi_error = false;
  std::vector<std::vector<std::string>> queued;
  // Set while EXEC runs the queue: blocking commands do not block inside it.
  bool in_exec = false;
  // WATCHed keys and the flag any change to one of them sets (registered in the
  // store's WatchTable; see commands/transaction.h).
  struct Watched {
    int db;
    std::string key;
  };
  std::vector<Watched> watched;
  WatchFlag watch_flag;

  // Pub/Sub subscriptions (registered in the server's PubSub; see commands/pubsub.h).
  std::set<std::string, std::less<>> channels, patterns, shard_channels;
  // What SUBSCRIBE / PSUBSCRIBE replies count (shard channels are counted apart).
  size_t SubscriptionCount() const { return channels.size() + patterns.size(); }
  // In RESP2 a subscribed client may only run the (un)subscribe commands, PING, QUIT
  // and RESET.
  bool Subscribed() const { return SubscriptionCount() + shard_channels.size() > 0; }
};

}  // namespace larder
