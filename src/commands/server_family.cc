// Server commands that need ServerHooks: INFO CONFIG TIME SHUTDOWN.
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/server_hooks.h"
#include "common/errors.h"

namespace larder {
namespace {

void Info(CommandContext& ctx) {
  std::string text = ctx.server->Info(ctx.args.subspan(1));
  ctx.reply->Verbatim(text);
}

void ConfigGet(CommandContext& ctx) {
  auto pairs = ctx.server->ConfigGet(ctx.args.subspan(2));
  ctx.reply->MapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply->Bulk(name);
    ctx.reply->Bulk(value);
  }
}

void ConfigSet(CommandContext& ctx) {
  if ((ctx.args.size() - 2) % 2 != 0) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  Status s = ctx.server->ConfigSet(ctx.args.subspan(2), *ctx.client);
  if (s.ok()) ctx.reply->Ok();
  else ctx.reply->Error(s.message());
}

void ConfigResetStat(CommandContext& ctx) {
  ctx.server->ResetStats();
  ctx.reply->Ok();
}

void ConfigRewrite(CommandContext& ctx) {
  Status s = ctx.server->ConfigRewrite();
  if (s.ok()) ctx.reply->Ok();
  else ctx.reply->Error(s.message());
}

void ConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "CONFIG",
            {"GET <pattern>",
             "    Return parameters matching the glob-like <pattern> and their values.",
             "SET <directive> <value>",
             "    Set the configuration <directive> to <value>.",
             "RESETSTAT",
             "    Reset statistics reported by the INFO command.",
             "REWRITE",
             "    Rewrite the configuration file."});
}

void Time(CommandContext& ctx) {
  int64_t us = ctx.clock->NowUs();
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::to_string(us / 1'000'000));
  ctx.reply->Bulk(std::to_string(us % 1'000'000));
}

void Shutdown(CommandContext& ctx) {
  ShutdownOptions opts;
  bool abort = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "nosave")) opts.nosave = true;
    else if (EqualsIgnoreCase(a, "save")) opts.save = true;
    else if (EqualsIgnoreCase(a, "now")) opts.now = true;
    else if (EqualsIgnoreCase(a, "force")) opts.force = true;
    else if (EqualsIgnoreCase(a, "abort")) abort = true;
    else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  bool any = opts.nosave || opts.save || opts.now || opts.force;
  if ((abort && any) || (opts.save && opts.nosave)) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (abort) {
    // Larder's shutdown never waits (no replicas to catch up), so nothing is pending.
    ctx.reply->Error(errors::kNoShutdownInProgress);
    return;
  }
  Status s = ctx.server->Shutdown(opts);
  if (!s.ok()) {
    ctx.reply->Error(s.message());
    return;
  }
  // The server is stopping: like Redis, the client gets no reply and nothing after
  // SHUTDOWN in its pipeline runs.
  ctx.client->close_after_reply = true;
}

}  // namespace

void RegisterServerFamily(CommandTable& t) {
  t.Add(Cmd("info", -1).Flags("loading stale").Acl("@slow @dangerous")
      .Tip("nondeterministic_output")
      .Tip("request_policy:all_shards")
      .Tip("response_policy:special")
      .Doc("server", "1.0.0", "O(1)",
           "Get information and statistics about the server")
      .Handler(Info));
  t.Add(Cmd("config", -2).Acl("@slow")
      .Doc("server", "2.0.0", "Depends on subcommand.",
           "A container for server configuration commands")
      .Sub(Cmd("config|get", -3).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous")
          .Doc("server", "2.0.0", "O(N) when N is the number of configuration parameters provided",
               "Get the values of configuration parameters")
          .Handler(ConfigGet))
      .Sub(Cmd("config|set", -4).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous")
          .Tip("request_policy:all_nodes")
          .Tip("response_policy:all_succeeded")
          .Doc("server", "2.0.0", "O(N) when N is the number of configuration parameters provided",
               "Set configuration parameters to the given values")
          .Handler(ConfigSet))
      .Sub(Cmd("config|help", 2).Flags("loading stale").Acl("@slow")
          .Doc("server", "5.0.0", "O(1)",
               "Show helpful text about the different subcommands")
          .Handler(ConfigHelp))
      .Sub(Cmd("config|rewrite", 2).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous")
          .Doc("server", "2.8.0", "O(1)",
               "Rewrite the configuration file with the in memory configuration")
          .Handler(ConfigRewrite))
      .Sub(Cmd("config|resetstat", 2).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous")
          .Doc("server", "2.0.0", "O(1)",
               "Reset the stats returned by INFO")
          .Handler(ConfigResetStat)));
  t.Add(Cmd("time", 1).Flags("loading stale fast").Acl("@fast")
      .Tip("nondeterministic_output")
      .Doc("server", "2.6.0", "O(1)",
           "Return the current server time")
      .Handler(Time));
  t.Add(Cmd("shutdown", -1).Flags("admin noscript loading stale no_multi allow_busy").Acl("@admin @slow @dangerous")
      .Doc("server", "1.0.0", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
           "Synchronously save the dataset to disk and then shut down the server")
      .Handler(Shutdown));
}

}  // namespace larder
