// CLIENT and its subcommands: ID SETNAME GETNAME SETINFO LIST INFO KILL UNBLOCK
// NO-EVICT NO-TOUCH REPLY HELP.
#include <climits>
#include <string>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/server_hooks.h"
#include "common/errors.h"
#include "common/numbers.h"

namespace larder {
namespace {

void ClientId(CommandContext& ctx) { ctx.reply->Integer(int64_t(ctx.client->id)); }

// CLIENT UNBLOCK id [TIMEOUT|ERROR]
void ClientUnblock(CommandContext& ctx) {
  auto id = ParseIntArg(ctx, ctx.args[2]);
  if (!id) return;
  bool as_error = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "error")) {
      as_error = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "timeout")) {
      ctx.reply->Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  } else if (ctx.args.size() > 4) {
    ctx.reply->Error("ERR unknown subcommand or wrong number of arguments for '" +
                     std::string(ctx.args[1]) + "'. Try CLIENT HELP.");
    return;
  }
  const bool done = ctx.blocking != nullptr && ctx.blocking->Unblock(uint64_t(*id), as_error);
  ctx.reply->Integer(done ? 1 : 0);
}

void ClientSetName(CommandContext& ctx) {
  std::string_view name = ctx.args[2];
  if (!IsValidClientName(name)) {
    ctx.reply->Error(errors::kBadClientName);
    return;
  }
  ctx.client->name.assign(name);
  ctx.client->info_dirty = true;
  ctx.reply->Ok();
}

void ClientGetName(CommandContext& ctx) {
  if (ctx.client->name.empty()) ctx.reply->NullBulk();
  else ctx.reply->Bulk(ctx.client->name);
}

void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.args[2], value = ctx.args[3];
  std::string* dest = nullptr;
  if (EqualsIgnoreCase(attr, "lib-name")) dest = &ctx.client->lib_name;
  else if (EqualsIgnoreCase(attr, "lib-ver")) dest = &ctx.client->lib_ver;
  else {
    ctx.reply->Error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!IsValidClientName(value)) {
    ctx.reply->Error("ERR " + std::string(attr) +
                     " cannot contain spaces, newlines or special characters.");
    return;
  }
  dest->assign(value);
  ctx.client->info_dirty = true;
  ctx.reply->Ok();
}

bool ValidClientType(std::string_view t) {
  for (std::string_view name : {"normal", "slave", "replica", "master", "pubsub"}) {
    if (EqualsIgnoreCase(t, name)) return true;
  }
  return false;
}

// Client types are canonicalised: "slave" is "replica".
std::string CanonicalType(std::string_view t) {
  std::string s;
  for (char c : t) s.push_back(char(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return s == "slave" ? "replica" : s;
}

// A positive client id argument, or nullopt after replying `error`.
std::optional<uint64_t> ParseClientId(CommandContext& ctx, std::string_view arg,
                                      std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v || *v < 1) {
    ctx.reply->Error(error);
    return std::nullopt;
  }
  return uint64_t(*v);
}

void ClientList(CommandContext& ctx) {
  ClientFilter filter;
  if (ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    if (!ValidClientType(ctx.args[3])) {
      ctx.reply->Error("ERR Unknown client type '" + std::string(ctx.args[3]) + "'");
      return;
    }
    filter.type = CanonicalType(ctx.args[3]);
  } else if (ctx.args.size() > 3 && EqualsIgnoreCase(ctx.args[2], "id")) {
    for (size_t j = 3; j < ctx.args.size(); ++j) {
      auto id = ParseInt64(ctx.args[j]);  // any integer; ids below 1 match nobody
      if (!id) {
        ctx.reply->Error("ERR Invalid client ID");
        return;
      }
      filter.ids.push_back(*id > 0 ? uint64_t(*id) : 0);
    }
  } else if (ctx.args.size() != 2) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  ctx.reply->Verbatim(ctx.server->ClientList(filter, *ctx.client));
}

void ClientInfo(CommandContext& ctx) {
  ClientFilter filter;
  filter.ids.push_back(ctx.client->id);
  ctx.reply->Verbatim(ctx.server->ClientList(filter, *ctx.client));
}

void ClientKill(CommandContext& ctx) {
  ClientFilter filter;
  filter.skip_self = true;
  const bool old_form = ctx.args.size() == 3;
  if (old_form) {
    filter.addr.assign(ctx.args[2]);
    filter.skip_self = false;  // the old form may kill the caller
  } else {
    for (size_t i = 2; i < ctx.args.size(); i += 2) {
      bool more = i + 1 < ctx.args.size();
      std::string_view opt = ctx.args[i];
      if (!more) {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      std::string_view val = ctx.args[i + 1];
      if (EqualsIgnoreCase(opt, "id")) {
        auto id = ParseClientId(ctx, val, "ERR client-id should be greater than 0");
        if (!id) return;
        filter.ids.assign(1, *id);
      } else if (EqualsIgnoreCase(opt, "type")) {
        if (!ValidClientType(val)) {
          ctx.reply->Error("ERR Unknown client type '" + std::string(val) + "'");
          return;
        }
        filter.type = CanonicalType(val);
      } else if (EqualsIgnoreCase(opt, "addr")) {
        filter.addr.assign(val);
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        filter.laddr.assign(val);
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (val != "default") {
          ctx.reply->Error("ERR No such user '" + std::string(val) + "'");
          return;
        }
        filter.user.assign(val);
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) filter.skip_self = true;
        else if (EqualsIgnoreCase(val, "no")) filter.skip_self = false;
        else {
          ctx.reply->Error(errors::kSyntax);
          return;
        }
      } else if (EqualsIgnoreCase(opt, "maxage")) {
        auto age = ParseInt64(val);
        if (!age) {
          ctx.reply->Error(errors::kNotInteger);
          return;
        }
        filter.max_age_s = *age;
      } else {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
    }
  }
  size_t killed = ctx.server->KillClients(filter, *ctx.client);
  if (old_form) {
    if (killed == 0) ctx.reply->Error(errors::kNoSuchClient);
    else ctx.reply->Ok();
  } else {
    ctx.reply->Integer(int64_t(killed));
  }
}

// CLIENT NO-EVICT / NO-TOUCH (ON|OFF).
void ClientOnOff(CommandContext& ctx, bool* flag) {
  if (EqualsIgnoreCase(ctx.args[2], "on")) *flag = true;
  else if (EqualsIgnoreCase(ctx.args[2], "off")) *flag = false;
  else {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  ctx.reply->Ok();
}
void ClientNoEvict(CommandContext& ctx) { ClientOnOff(ctx, &ctx.client->no_evict); }
void ClientNoTouch(CommandContext& ctx) { ClientOnOff(ctx, &ctx.client->no_touch); }

void ClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.args[2];
  ClientState& c = *ctx.client;
  if (EqualsIgnoreCase(mode, "on")) {
    c.reply_mode = ReplyMode::kOn;
    ctx.reply->SetSuppressed(false);
    ctx.reply->Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    c.reply_mode = ReplyMode::kOff;  // this command's reply is not sent either
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (c.reply_mode != ReplyMode::kOff) c.reply_mode = ReplyMode::kSkipNext;
  } else {
    ctx.reply->Error(errors::kSyntax);
  }
}

void ClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "CLIENT",
            {"GETNAME",
             "    Return the name of the current connection.",
             "ID",
             "    Return the ID of the current connection.",
             "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>",
             "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are:",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made from the specified address",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made to specified local address",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Kill connections by type.",
             "    * USER <username>",
             "      Kill connections authenticated by <username>.",
             "    * SKIPME (YES|NO)",
             "      Skip killing current connection (default: yes).",
             "    * MAXAGE <maxage>",
             "      Kill connections older than the specified age.",
             "LIST [options ...]",
             "    Return information about client connections. Options:",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Return clients of specified type.",
             "    * ID <id> [<id> ...]",
             "      Return clients with the specified IDs.",
             "UNBLOCK <clientid> [TIMEOUT|ERROR]",
             "    Unblock the specified blocked client.",
             "REPLY (ON|OFF|SKIP)",
             "    Control the replies sent to the current connection.",
             "SETNAME <name>",
             "    Assign the name <name> to the current connection.",
             "SETINFO <option> <value>",
             "    Set client meta attr. Options are:",
             "    * LIB-NAME: the client lib name.",
             "    * LIB-VER: the client lib version.",
             "NO-EVICT (ON|OFF)",
             "    Protect current client connection from eviction.",
             "NO-TOUCH (ON|OFF)",
             "    Will not touch LRU/LFU stats when this mode is on."});
}

}  // namespace

void RegisterClientFamily(CommandTable& t) {
  t.Add(Cmd("client", -2).Acl("@slow")
      .Doc("connection", "2.4.0", "Depends on subcommand.",
           "A container for client connection commands")
      .Sub(Cmd("client|no-evict", 3).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous @connection")
          .Doc("connection", "7.0.0", "O(1)",
               "Set client eviction mode for the current connection")
          .Handler(ClientNoEvict))
      .Sub(Cmd("client|id", 2).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "5.0.0", "O(1)",
               "Returns the client ID for the current connection")
          .Handler(ClientId))
      .Sub(Cmd("client|unblock", -3).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous @connection")
          .Doc("connection", "5.0.0", "O(log N) where N is the number of client connections",
               "Unblock a client blocked in a blocking command from a different connection")
          .Handler(ClientUnblock))
      .Sub(Cmd("client|list", -2).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous @connection")
          .Tip("nondeterministic_output")
          .Doc("connection", "2.4.0", "O(N) where N is the number of client connections",
               "Get the list of client connections")
          .Handler(ClientList))
      .Sub(Cmd("client|reply", 3).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "3.2.0", "O(1)",
               "Instruct the server whether to reply to commands")
          .Handler(ClientReply))
      .Sub(Cmd("client|kill", -3).Flags("admin noscript loading stale").Acl("@admin @slow @dangerous @connection")
          .Doc("connection", "2.4.0", "O(N) where N is the number of client connections",
               "Kill the connection of a client")
          .Handler(ClientKill))
      .Sub(Cmd("client|getname", 2).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "2.6.9", "O(1)",
               "Get the current connection name")
          .Handler(ClientGetName))
      .Sub(Cmd("client|setname", 3).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "2.6.9", "O(1)",
               "Set the current connection name")
          .Handler(ClientSetName))
      .Sub(Cmd("client|info", 2).Flags("noscript loading stale").Acl("@slow @connection")
          .Tip("nondeterministic_output")
          .Doc("connection", "6.2.0", "O(1)",
               "Returns information about the current client connection.")
          .Handler(ClientInfo))
      .Sub(Cmd("client|setinfo", 4).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "7.2.0", "O(1)",
               "Set client or connection specific info")
          .Handler(ClientSetInfo))
      .Sub(Cmd("client|no-touch", 3).Flags("noscript loading stale").Acl("@slow @connection")
          .Doc("connection", "7.2.0", "O(1)",
               "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.")
          .Handler(ClientNoTouch))
      .Sub(Cmd("client|help", 2).Flags("loading stale").Acl("@slow @connection")
          .Doc("connection", "5.0.0", "O(1)",
               "Show helpful text about the different subcommands")
          .Handler(ClientHelp)));
}

}  // namespace larder
