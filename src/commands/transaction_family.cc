// Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Queuing happens in the dispatcher
// (commands/dispatcher.cc), which also runs EXEC's queue under the locks of every key
// involved; WATCH registers in the store's WatchTable (storage/watch.h).
#include <algorithm>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/transaction.h"

namespace larder {
namespace {

void Multi(CommandContext& ctx) {
  if (ctx.client->in_multi) {
    ctx.reply->Error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client->in_multi = true;
  ctx.reply->Ok();
}

void Exec(CommandContext& ctx) { ctx.dispatcher->ExecQueued(ctx); }

void Discard(CommandContext& ctx) {
  if (!ctx.client->in_multi) {
    ctx.reply->Error("ERR DISCARD without MULTI");
    return;
  }
  DiscardTransaction(*ctx.client);
  UnwatchAll(*ctx.client, ctx.db.store()->watches());
  ctx.reply->Ok();
}

// WATCH key...: registered under the keys' shard locks (the dispatcher holds them), so
// any later change to them marks this client.
void Watch(CommandContext& ctx) {
  ClientState& c = *ctx.client;
  if (c.in_multi) {
    ctx.reply->Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  if (!c.watch_flag) c.watch_flag = std::make_shared<std::atomic<bool>>(false);
  WatchTable& table = ctx.db.store()->watches();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string_view key = ctx.args[i];
    const bool known = std::any_of(c.watched.begin(), c.watched.end(), [&](const auto& w) {
      return w.db == ctx.db.db() && w.key == key;
    });
    if (known) continue;
    // A key that already expired is removed first: only later changes count.
    ctx.db.Find(ctx.Key(i), DbView::Mode::kPeek);
    table.Watch(ctx.db.db(), key, c.watch_flag);
    c.watched.push_back({ctx.db.db(), std::string(key)});
  }
  ctx.reply->Ok();
}

void Unwatch(CommandContext& ctx) {
  UnwatchAll(*ctx.client, ctx.db.store()->watches());
  ctx.reply->Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandTable& t) {
  t.Add(Cmd("multi", 1).Flags("noscript loading stale fast allow_busy").Acl("@fast @transaction")
      .Doc("transactions", "1.2.0", "O(1)", "Mark the start of a transaction block")
      .Handler(Multi));
  t.Add(Cmd("exec", 1).Flags("noscript loading stale skip_slowlog").Acl("@slow @transaction")
      .Doc("transactions", "1.2.0", "Depends on commands in the transaction",
           "Execute all commands issued after MULTI")
      .Handler(Exec));
  t.Add(Cmd("discard", 1).Flags("noscript loading stale fast allow_busy").Acl("@fast @transaction")
      .Doc("transactions", "2.0.0", "O(N), when N is the number of queued commands",
           "Discard all commands issued after MULTI")
      .Handler(Discard));
  t.Add(Cmd("watch", -2).Flags("noscript loading stale fast allow_busy").Acl("@fast @transaction")
      .Keys(1, -1, 1)
      .KeySpec("RO", 1, -1, 1, 0)
      .Doc("transactions", "2.2.0", "O(1) for every key.",
           "Watch the given keys to determine execution of the MULTI/EXEC block")
      .Handler(Watch));
  t.Add(Cmd("unwatch", 1).Flags("noscript loading stale fast allow_busy").Acl("@fast @transaction")
      .Doc("transactions", "2.2.0", "O(1)", "Forget about all watched keys")
      .Handler(Unwatch));
}

}  // namespace larder
