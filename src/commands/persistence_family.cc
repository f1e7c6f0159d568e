// Snapshot commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE, with redis-server 7.0's replies.
// The saving itself is the server's (ServerHooks::Save / BgSave).
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/server_hooks.h"
#include "common/errors.h"

namespace larder {
namespace {

void Save(CommandContext& ctx) {
  Status s = ctx.server->Save();
  if (s.ok()) ctx.reply->Ok();
  else ctx.reply->Error(s.message());
}

void BgSave(CommandContext& ctx) {
  // SCHEDULE only matters while another kind of background child runs (an AOF
  // rewrite in Redis); Larder has none, so it is accepted and changes nothing.
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "schedule"))) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  Result<std::string> r = ctx.server->BgSave(ctx.client->in_exec);
  if (r.ok()) ctx.reply->SimpleString(r.value());
  else ctx.reply->Error(r.status().message());
}

void LastSave(CommandContext& ctx) { ctx.reply->Integer(ctx.server->LastSaveUnix()); }

}  // namespace

void RegisterPersistenceFamily(CommandTable& t) {
  t.Add(Cmd("save", 1).Flags("admin noscript no_async_loading no_multi")
      .Acl("@admin @slow @dangerous")
      .Doc("server", "1.0.0", "O(N) where N is the total number of keys in all databases",
           "Synchronously save the dataset to disk")
      .Handler(Save));
  t.Add(Cmd("bgsave", -1).Flags("admin noscript no_async_loading")
      .Acl("@admin @slow @dangerous")
      .Doc("server", "1.0.0", "O(1)", "Asynchronously save the dataset to disk")
      .Handler(BgSave));
  t.Add(Cmd("lastsave", 1).Flags("loading stale fast").Acl("@admin @fast @dangerous")
      .Tip("nondeterministic_output")
      .Doc("server", "1.0.0", "O(1)",
           "Get the UNIX time stamp of the last successful save to disk")
      .Handler(LastSave));
}

}  // namespace larder
