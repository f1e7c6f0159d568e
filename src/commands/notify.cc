#include "commands/notify.h"

#include "commands/context.h"
#include "commands/pubsub.h"
#include "commands/settings.h"

namespace larder {

std::optional<int> ParseNotifyFlags(std::string_view s) {
  int flags = 0;
  for (char c : s) {
    switch (c) {
      case 'A': flags |= kNotifyAll; break;
      case 'g': flags |= kNotifyGeneric; break;
      case '$': flags |= kNotifyString; break;
      case 'l': flags |= kNotifyList; break;
      case 's': flags |= kNotifySet; break;
      case 'h': flags |= kNotifyHash; break;
      case 'z': flags |= kNotifyZSet; break;
      case 'x': flags |= kNotifyExpired; break;
      case 'e': flags |= kNotifyEvicted; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 't': flags |= kNotifyStream; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      case 'd': flags |= kNotifyModule; break;
      case 'n': flags |= kNotifyNew; break;
      default: return std::nullopt;
    }
  }
  return flags;
}

std::string FormatNotifyFlags(int flags) {
  std::string s;
  if ((flags & kNotifyAll) == kNotifyAll) {
    s += 'A';
  } else {
    const std::pair<int, char> order[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'}, {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZSet, 'z'},   {kNotifyExpired, 'x'},
        {kNotifyEvicted, 'e'}, {kNotifyStream, 't'}, {kNotifyModule, 'd'}};
    for (auto [f, c] : order) {
      if (flags & f) s += c;
    }
  }
  if (flags & kNotifyNew) s += 'n';
  if (flags & kNotifyKeyspace) s += 'K';
  if (flags & kNotifyKeyevent) s += 'E';
  if (flags & kNotifyKeyMiss) s += 'm';
  return s;
}

namespace {

void Publish(RuntimeSettings* settings, PubSub* pubsub, int cls, std::string_view event, int db,
             std::string_view key) {
  const int flags = settings->notify_flags.load(std::memory_order_relaxed);
  if (pubsub == nullptr || !(flags & cls) || !(flags & (kNotifyKeyspace | kNotifyKeyevent))) {
    return;
  }
  const std::string dbs = std::to_string(db);
  if (flags & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + dbs + "__:";
    channel.append(key);
    pubsub->Publish(channel, event, false);
  }
  if (flags & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + dbs + "__:";
    channel.append(event);
    pubsub->Publish(channel, key, false);
  }
}

}  // namespace

void Notify(CommandContext& ctx, int cls, std::string_view event, std::string_view key) {
  ctx.db.Notify(cls, event, key);
}

void NotifyEdit(DbView& db, int cls, std::string_view event, std::string_view key) {
  if (!db.NotifyActive()) return;
  db.Notify(cls, event, key);
  if (!db.Exists(MakeKeyArg(key))) db.Notify(kNotifyGeneric, "del", key);
}

void NotifyEdit(CommandContext& ctx, int cls, std::string_view event, std::string_view key) {
  NotifyEdit(ctx.db, cls, event, key);
}

void KeyspaceNotifier::KeyExpired(int db, std::string_view key) {
  Publish(settings_, pubsub_, kNotifyExpired, "expired", db, key);
}

void KeyspaceNotifier::KeyCreated(int db, std::string_view key) {
  Publish(settings_, pubsub_, kNotifyNew, "new", db, key);
}

void KeyspaceNotifier::KeyMissed(int db, std::string_view key) {
  Publish(settings_, pubsub_, kNotifyKeyMiss, "keymiss", db, key);
}

void KeyspaceNotifier::KeyEvicted(int db, std::string_view key) {
  Publish(settings_, pubsub_, kNotifyEvicted, "evicted", db, key);
}

bool KeyspaceNotifier::Active() const {
  return (settings_->notify_flags.load(std::memory_order_relaxed) &
          (kNotifyKeyspace | kNotifyKeyevent)) != 0;
}

void KeyspaceNotifier::Event(int db, int cls, std::string_view event, std::string_view key) {
  Publish(settings_, pubsub_, cls, event, db, key);
}

}  // namespace larder
