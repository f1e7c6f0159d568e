// Keyspace notifications (notify-keyspace-events): __keyspace@<db>__:<key> carries the
// event name, __keyevent@<db>__:<event> the key, published through Pub/Sub.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/db_view.h"
#include "storage/store.h"

namespace larder {

class CommandContext;
class PubSub;
class RuntimeSettings;

// Event classes, as Redis's flags.
enum NotifyClass : int {
  kNotifyKeyspace = 1 << 0,   // K
  kNotifyKeyevent = 1 << 1,   // E
  kNotifyGeneric = 1 << 2,    // g
  kNotifyString = 1 << 3,     // $
  kNotifyList = 1 << 4,       // l
  kNotifySet = 1 << 5,        // s
  kNotifyHash = 1 << 6,       // h
  kNotifyZSet = 1 << 7,       // z
  kNotifyExpired = 1 << 8,    // x
  kNotifyEvicted = 1 << 9,    // e
  kNotifyStream = 1 << 10,    // t
  kNotifyKeyMiss = 1 << 11,   // m (not part of A)
  kNotifyModule = 1 << 13,    // d
  kNotifyNew = 1 << 14,       // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZSet | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// "KEA" -> flags; nullopt on a character outside "Ag$lshzxeKEtmdn".
std::optional<int> ParseNotifyFlags(std::string_view s);
// Flags -> Redis's canonical string (what CONFIG GET shows).
std::string FormatNotifyFlags(int flags);

// Publishes `event` on `key` of the command's database if its class is enabled (through
// DbView::Notify, so code holding only a DbView reports events the same way).
void Notify(CommandContext& ctx, int cls, std::string_view event, std::string_view key);
// `event` on `key`, then "del" if the edit emptied (and so removed) the key, as Redis
// reports pops and removals.
void NotifyEdit(CommandContext& ctx, int cls, std::string_view event, std::string_view key);
void NotifyEdit(DbView& db, int cls, std::string_view event, std::string_view key);

// Expiries and key creations seen by the storage layer, as notifications.
class KeyspaceNotifier final : public KeyEventSink {
 public:
  KeyspaceNotifier(RuntimeSettings* settings, PubSub* pubsub)
      : settings_(settings), pubsub_(pubsub) {}
  void KeyExpired(int db, std::string_view key) override;
  void KeyCreated(int db, std::string_view key) override;
  void KeyMissed(int db, std::string_view key) override;
  void KeyEvicted(int db, std::string_view key) override;
  void Event(int db, int cls, std::string_view event, std::string_view key) override;
  bool Active() const override;

 private:
  RuntimeSettings* settings_;
  PubSub* pubsub_;
};

}  // namespace larder
