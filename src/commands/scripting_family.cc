// Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|KILL|DEBUG|
// HELP. Scripts run in the worker's Lua interpreter (commands/lua_runner.h) while EVAL
// holds every shard lock; the script cache is shared by all workers
// (commands/script_cache.h). FUNCTION / FCALL are not provided.
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/lua_runner.h"
#include "commands/script_cache.h"
#include "common/numbers.h"
#include "protocol/arg_cursor.h"
#include "common/sha1.h"

namespace larder {
namespace {

// EVAL / EVALSHA (and their _RO forms): script-or-sha numkeys key... arg...
void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  const std::optional<int64_t> parsed = ParseInt64(ctx.args[2]);
  if (!parsed) {
    ctx.reply->Error("ERR value is not an integer or out of range");
    return;
  }
  const int64_t numkeys = *parsed;
  if (numkeys < 0) {
    ctx.reply->Error("ERR Number of keys can't be negative");
    return;
  }
  if (numkeys > int64_t(ctx.args.size()) - 3) {
    ctx.reply->Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  Dispatcher& dispatcher = *ctx.dispatcher;
  std::string sha;
  std::string body_copy;
  std::string_view body;
  if (by_sha) {
    std::optional<std::string> found = dispatcher.scripts().Get(ctx.args[1]);
    if (!found) {
      ctx.reply->Error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
    sha = AsciiLower(ctx.args[1]);
    body_copy = std::move(*found);
    body = body_copy;
  } else {
    body = ctx.args[1];
    sha = Sha1Hex(body);
  }
  LuaRunner& lua = dispatcher.lua();
  std::string error;
  if (!lua.Prepare(sha, body, &error)) {
    ctx.reply->Error(error);
    return;
  }
  const size_t nk = size_t(numkeys);
  lua.Run(ctx, sha, ctx.args.subspan(3, nk), ctx.args.subspan(3 + nk), read_only);
}

void Eval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void EvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void EvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void EvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void EvalKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 2, out);
}

void ScriptLoad(CommandContext& ctx) {
  const std::string sha = Sha1Hex(ctx.args[2]);
  std::string error;
  if (!ctx.dispatcher->lua().Prepare(sha, ctx.args[2], &error)) {
    ctx.reply->Error(error);
    return;
  }
  ctx.reply->Bulk(sha);
}

void ScriptExists(CommandContext& ctx) {
  ScriptCache& cache = ctx.dispatcher->scripts();
  ctx.reply->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) ctx.reply->Integer(cache.Exists(ctx.args[i]) ? 1 : 0);
}

void ScriptFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3 ||
      (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
       !EqualsIgnoreCase(ctx.args[2], "async"))) {
    ctx.reply->Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  ctx.dispatcher->scripts().Flush();
  ctx.reply->Ok();
}

void ScriptKill(CommandContext& ctx) {
  switch (ctx.dispatcher->scripts().Kill()) {
    case ScriptCache::KillResult::kNotBusy:
      ctx.reply->Error("NOTBUSY No scripts in execution right now.");
      return;
    case ScriptCache::KillResult::kUnkillable:
      ctx.reply->Error(
          "UNKILLABLE Sorry the script already executed write commands against the dataset. "
          "You can either wait the script termination or kill the server in a hard way using "
          "the SHUTDOWN NOSAVE command.");
      return;
    case ScriptCache::KillResult::kKilled:
      ctx.reply->Ok();
      return;
  }
}

// SCRIPT DEBUG: Larder has no Lua debugger; NO (the default) is accepted.
void ScriptDebug(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.args[2], "no")) {
    ctx.reply->Ok();
  } else if (EqualsIgnoreCase(ctx.args[2], "yes") || EqualsIgnoreCase(ctx.args[2], "sync")) {
    ctx.reply->Error("ERR SCRIPT DEBUG YES|SYNC is not supported: Larder has no Lua debugger");
  } else {
    ctx.reply->Error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
  }
}

void ScriptHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply->ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply->SimpleString(line);
}

Cmd EvalCmd(std::string_view name, bool ro, CommandHandler h, std::string_view since,
            std::string_view summary) {
  Cmd c(name, -3);
  c.Flags(ro ? "readonly noscript stale skip_monitor no_mandatory_keys movablekeys"
             : "noscript stale skip_monitor may_replicate no_mandatory_keys movablekeys")
      .Acl(ro ? "@slow @scripting" : "@slow @scripting")
      .KeySpecKeynum(ro ? "RO access" : "RW access update", 2, 0, 1, 1,
                     "We cannot tell how the keys will be used so we assume the worst, RW and "
                     "UPDATE")
      .Doc("scripting", since, "Depends on the script that is executed.", summary)
      .KeysFrom(EvalKeys)
      .LockAll()
      .Handler(h);
  return c;
}

}  // namespace

void RegisterScriptingFamily(CommandTable& t) {
  t.Add(EvalCmd("eval", false, Eval, "2.6.0", "Execute a Lua script server side"));
  t.Add(EvalCmd("evalsha", false, EvalSha, "2.6.0", "Execute a Lua script server side"));
  t.Add(EvalCmd("eval_ro", true, EvalRo, "7.0.0", "Execute a read-only Lua script server side"));
  t.Add(EvalCmd("evalsha_ro", true, EvalShaRo, "7.0.0",
                "Execute a read-only Lua script server side"));
  t.Add(Cmd("script", -2).Acl("@slow")
      .Doc("scripting", "2.6.0", "Depends on subcommand.",
           "A container for Lua scripts management commands")
      .Sub(Cmd("script|load", 3).Flags("noscript stale").Acl("@slow @scripting")
               .Tip("request_policy:all_nodes").Tip("response_policy:all_succeeded")
               .Doc("scripting", "2.6.0", "O(N) with N being the length in bytes of the script body.",
                    "Load the specified Lua script into the script cache.")
               .Handler(ScriptLoad))
      .Sub(Cmd("script|exists", -3).Flags("noscript").Acl("@slow @scripting")
               .Tip("request_policy:all_shards").Tip("response_policy:agg_logical_and")
               .Doc("scripting", "2.6.0", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
                    "Check existence of scripts in the script cache.")
               .Handler(ScriptExists))
      .Sub(Cmd("script|flush", -2).Flags("noscript").Acl("@slow @scripting")
               .Tip("request_policy:all_nodes").Tip("response_policy:all_succeeded")
               .Doc("scripting", "2.6.0", "O(N) with N being the number of scripts in cache",
                    "Remove all the scripts from the script cache.")
               .Handler(ScriptFlush))
      .Sub(Cmd("script|kill", 2).Flags("noscript allow_busy").Acl("@slow @scripting")
               .Tip("request_policy:all_shards").Tip("response_policy:one_succeeded")
               .Doc("scripting", "2.6.0", "O(1)",
                    "Kill the script currently in execution.")
               .Handler(ScriptKill))
      .Sub(Cmd("script|debug", 3).Flags("noscript").Acl("@slow @scripting")
               .Doc("scripting", "3.2.0", "O(1)",
                    "Set the debug mode for executed scripts.")
               .Handler(ScriptDebug))
      .Sub(Cmd("script|help", 2).Flags("loading stale").Acl("@slow @scripting")
               .Doc("scripting", "5.0.0", "O(1)", "Show helpful text about the different subcommands")
               .Handler(ScriptHelp)));
}

}  // namespace larder
