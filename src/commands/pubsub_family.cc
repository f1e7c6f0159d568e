// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH PUBSUB. Subscriptions live in the server's PubSub (commands/pubsub.h)
// and in the client's state; messages reach subscribers on any worker.
#include <set>
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/pubsub.h"

namespace larder {
namespace {

std::set<std::string, std::less<>>& SetOf(ClientState& c, SubKind kind) {
  switch (kind) {
    case SubKind::kChannel: return c.channels;
    case SubKind::kPattern: return c.patterns;
    case SubKind::kShard: return c.shard_channels;
  }
  return c.channels;
}

// The confirmation of one (un)subscription: [kind, name, count] as a push in RESP3.
void Confirm(CommandContext& ctx, std::string_view what, const std::string* name, SubKind kind) {
  ctx.reply->PushHeader(3);
  ctx.reply->Bulk(what);
  if (name != nullptr) ctx.reply->Bulk(*name);
  else ctx.reply->NullBulk();
  const ClientState& c = *ctx.client;
  ctx.reply->Integer(int64_t(kind == SubKind::kShard ? c.shard_channels.size()
                                                      : c.SubscriptionCount()));
}

bool Available(CommandContext& ctx) {
  if (ctx.pubsub != nullptr) return true;
  ctx.reply->Error("ERR Pub/Sub is not available in the embedded engine");
  return false;
}

void SubscribeGeneric(CommandContext& ctx, SubKind kind, std::string_view what) {
  if (!Available(ctx)) return;
  ClientState& c = *ctx.client;
  auto& mine = SetOf(c, kind);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string name(ctx.args[i]);
    if (mine.insert(name).second) ctx.pubsub->Subscribe(kind, name, c.id, c.worker);
    Confirm(ctx, what, &name, kind);
  }
}

void UnsubscribeGeneric(CommandContext& ctx, SubKind kind, std::string_view what) {
  if (!Available(ctx)) return;
  ClientState& c = *ctx.client;
  auto& mine = SetOf(c, kind);
  if (ctx.args.size() == 1) {  // all of them
    if (mine.empty()) {
      Confirm(ctx, what, nullptr, kind);
      return;
    }
    while (!mine.empty()) {
      const std::string name = *mine.begin();
      mine.erase(mine.begin());
      ctx.pubsub->Unsubscribe(kind, name, c.id);
      Confirm(ctx, what, &name, kind);
    }
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string name(ctx.args[i]);
    if (mine.erase(name) > 0) ctx.pubsub->Unsubscribe(kind, name, c.id);
    Confirm(ctx, what, &name, kind);
  }
}

void Subscribe(CommandContext& ctx) { SubscribeGeneric(ctx, SubKind::kChannel, "subscribe"); }
void PSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, SubKind::kPattern, "psubscribe"); }
void SSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, SubKind::kShard, "ssubscribe"); }
void Unsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, SubKind::kChannel, "unsubscribe");
}
void PUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, SubKind::kPattern, "punsubscribe");
}
void SUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, SubKind::kShard, "sunsubscribe");
}

void Publish(CommandContext& ctx) {
  ctx.reply->Integer(ctx.pubsub ? ctx.pubsub->Publish(ctx.args[1], ctx.args[2], false) : 0);
}
void SPublish(CommandContext& ctx) {
  ctx.reply->Integer(ctx.pubsub ? ctx.pubsub->Publish(ctx.args[1], ctx.args[2], true) : 0);
}

void ReplyChannels(CommandContext& ctx, bool shard) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error("ERR unknown subcommand or wrong number of arguments for '" +
                     std::string(ctx.args[1]) + "'. Try PUBSUB HELP.");
    return;
  }
  std::vector<std::string> names;
  if (ctx.pubsub) names = ctx.pubsub->Channels(shard, ctx.args.size() == 3 ? ctx.args[2] : "");
  ctx.reply->ArrayHeader(names.size());
  for (const auto& n : names) ctx.reply->Bulk(n);
}

void ReplyNumSub(CommandContext& ctx, bool shard) {
  ctx.reply->MapHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply->Bulk(ctx.args[i]);
    ctx.reply->Integer(ctx.pubsub ? ctx.pubsub->NumSub(shard, ctx.args[i]) : 0);
  }
}

void PubSubChannels(CommandContext& ctx) { ReplyChannels(ctx, false); }
void PubSubShardChannels(CommandContext& ctx) { ReplyChannels(ctx, true); }
void PubSubNumSub(CommandContext& ctx) { ReplyNumSub(ctx, false); }
void PubSubShardNumSub(CommandContext& ctx) { ReplyNumSub(ctx, true); }
void PubSubNumPat(CommandContext& ctx) {
  ctx.reply->Integer(ctx.pubsub ? ctx.pubsub->NumPat() : 0);
}

void PubSubHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "PUBSUB",
            {"CHANNELS [<pattern>]",
             "    Return the currently active channels matching a <pattern> (default: '*').",
             "NUMPAT",
             "    Return number of subscriptions to patterns.",
             "NUMSUB [<channel> ...]",
             "    Return the number of subscribers for the specified channels, excluding",
             "    pattern subscriptions(default: no channels).",
             "SHARDCHANNELS [<pattern>]",
             "    Return the currently active shard level channels matching a <pattern> (default: '*').",
             "SHARDNUMSUB [<shardchannel> ...]",
             "    Return the number of subscribers for the specified shard level channel(s)"});
}

}  // namespace

void UnsubscribeAll(ClientState& c, PubSub* pubsub) {
  if (pubsub != nullptr) {
    for (const auto& n : c.channels) pubsub->Unsubscribe(SubKind::kChannel, n, c.id);
    for (const auto& n : c.patterns) pubsub->Unsubscribe(SubKind::kPattern, n, c.id);
    for (const auto& n : c.shard_channels) pubsub->Unsubscribe(SubKind::kShard, n, c.id);
  }
  c.channels.clear();
  c.patterns.clear();
  c.shard_channels.clear();
}

void RegisterPubSubFamily(CommandTable& t) {
  t.Add(Cmd("subscribe", -2).Flags("pubsub noscript loading stale").Acl("@pubsub @slow")
      .Doc("pubsub", "2.0.0", "O(N) where N is the number of channels to subscribe to.",
           "Listen for messages published to the given channels")
      .Handler(Subscribe));
  t.Add(Cmd("unsubscribe", -1).Flags("pubsub noscript loading stale").Acl("@pubsub @slow")
      .Doc("pubsub", "2.0.0", "O(N) where N is the number of clients already subscribed to a channel.",
           "Stop listening for messages posted to the given channels")
      .Handler(Unsubscribe));
  t.Add(Cmd("psubscribe", -2).Flags("pubsub noscript loading stale").Acl("@pubsub @slow")
      .Doc("pubsub", "2.0.0", "O(N) where N is the number of patterns the client is already subscribed to.",
           "Listen for messages published to channels matching the given patterns")
      .Handler(PSubscribe));
  t.Add(Cmd("punsubscribe", -1).Flags("pubsub noscript loading stale").Acl("@pubsub @slow")
      .Doc("pubsub", "2.0.0", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
           "Stop listening for messages posted to channels matching the given patterns")
      .Handler(PUnsubscribe));
  t.Add(Cmd("ssubscribe", -2).Flags("pubsub noscript loading stale").Acl("@pubsub @slow").Keys(1, -1, 1)
      .KeySpec("not_key", 1, -1, 1, 0)
      .Doc("pubsub", "7.0.0", "O(N) where N is the number of shard channels to subscribe to.",
           "Listen for messages published to the given shard channels")
      .Handler(SSubscribe));
  t.Add(Cmd("sunsubscribe", -1).Flags("pubsub noscript loading stale").Acl("@pubsub @slow").Keys(1, -1, 1)
      .KeySpec("not_key", 1, -1, 1, 0)
      .Doc("pubsub", "7.0.0", "O(N) where N is the number of clients already subscribed to a shard channel.",
           "Stop listening for messages posted to the given shard channels")
      .Handler(SUnsubscribe));
  t.Add(Cmd("publish", 3).Flags("pubsub loading stale fast").Acl("@pubsub @fast")
      .Doc("pubsub", "2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
           "Post a message to a channel")
      .Handler(Publish));
  t.Add(Cmd("spublish", 3).Flags("pubsub loading stale fast").Acl("@pubsub @fast").Keys(1, 1, 1)
      .KeySpec("not_key", 1, 0, 1, 0)
      .Doc("pubsub", "7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel.",
           "Post a message to a shard channel")
      .Handler(SPublish));
  t.Add(Cmd("pubsub", -2).Acl("@slow")
      .Doc("pubsub", "2.8.0", "Depends on subcommand.", "A container for Pub/Sub commands")
      .Sub(Cmd("pubsub|channels", -2).Flags("pubsub loading stale").Acl("@pubsub @slow")
          .Doc("pubsub", "2.8.0", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
               "List active channels")
          .Handler(PubSubChannels))
      .Sub(Cmd("pubsub|numsub", -2).Flags("pubsub loading stale").Acl("@pubsub @slow")
          .Doc("pubsub", "2.8.0", "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
               "Get the count of subscribers for channels")
          .Handler(PubSubNumSub))
      .Sub(Cmd("pubsub|numpat", 2).Flags("pubsub loading stale").Acl("@pubsub @slow")
          .Doc("pubsub", "2.8.0", "O(1)", "Get the count of unique patterns pattern subscriptions")
          .Handler(PubSubNumPat))
      .Sub(Cmd("pubsub|shardchannels", -2).Flags("pubsub loading stale").Acl("@pubsub @slow")
          .Doc("pubsub", "7.0.0", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
               "List active shard channels")
          .Handler(PubSubShardChannels))
      .Sub(Cmd("pubsub|shardnumsub", -2).Flags("pubsub loading stale").Acl("@pubsub @slow")
          .Doc("pubsub", "7.0.0", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
               "Get the count of subscribers for shard channels")
          .Handler(PubSubShardNumSub))
      .Sub(Cmd("pubsub|help", 2).Flags("loading stale").Acl("@slow")
          .Doc("pubsub", "6.2.0", "O(1)", "Show helpful text about the different subcommands")
          .Handler(PubSubHelp)));
}

}  // namespace larder
