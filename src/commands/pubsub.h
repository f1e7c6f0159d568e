// Pub/Sub across worker threads: channel, pattern and shard-channel subscriptions, and
// PUBLISH fan-out to the subscribers' workers.
//
// Ordering: Publish posts a message to every subscriber's worker while holding the
// registry lock, and each worker handles its inbox in order, so the messages of one
// publisher reach every subscriber in publish order (across workers too).
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"

namespace larder {

// A message for a subscriber, encoded for both protocols; the connection sends the one
// for its protocol at delivery time.
struct PushMessage {
  std::string resp2;
  std::string resp3;
};

// Delivers messages to connections (implemented by the server).
class PubSubSink {
 public:
  virtual ~PubSubSink() = default;
  virtual void Push(int worker, uint64_t client_id, std::shared_ptr<const PushMessage> msg) = 0;
};

enum class SubKind { kChannel, kPattern, kShard };

class PubSub {
 public:
  explicit PubSub(PubSubSink* sink) : sink_(sink) {}

  // Adds / removes one subscription of a client; false if it was already so.
  bool Subscribe(SubKind kind, std::string_view name, uint64_t client_id, int worker);
  bool Unsubscribe(SubKind kind, std::string_view name, uint64_t client_id);

  // PUBLISH / SPUBLISH: delivers to channel (and, unless shard, pattern) subscribers;
  // returns how many received it.
  int64_t Publish(std::string_view channel, std::string_view message, bool shard);

  // PUBSUB CHANNELS / SHARDCHANNELS (pattern empty: all), NUMSUB / SHARDNUMSUB, NUMPAT.
  std::vector<std::string> Channels(bool shard, std::string_view pattern);
  int64_t NumSub(bool shard, std::string_view channel);
  int64_t NumPat();
  int64_t NumChannels(bool shard);

 private:
  struct Sub {
    uint64_t client_id;
    int worker;
  };
  using SubMap = std::map<std::string, std::vector<Sub>, std::less<>>;
  SubMap& MapOf(SubKind kind) REQUIRES(mu_);

  PubSubSink* sink_;
  Mutex mu_;
  SubMap channels_ GUARDED_BY(mu_);
  SubMap patterns_ GUARDED_BY(mu_);
  SubMap shard_channels_ GUARDED_BY(mu_);
};

struct ClientState;
// Drops every subscription of the client (RESET, disconnect).
void UnsubscribeAll(ClientState& client, PubSub* pubsub);

}  // namespace larder
