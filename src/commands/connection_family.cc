// Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT.
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/pubsub.h"
#include "commands/transaction.h"
#include "commands/family_util.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "common/version.h"

namespace larder {
namespace {

void Ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply->Error(WrongArityError(ctx.spec->name));
    return;
  }
  if (ctx.client->resp == 2 && ctx.client->Subscribed()) {  // subscribed mode: a pair
    ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk("pong");
    ctx.reply->Bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
    return;
  }
  if (ctx.args.size() == 1) ctx.reply->SimpleString("PONG");
  else ctx.reply->Bulk(ctx.args[1]);
}

void Echo(CommandContext& ctx) { ctx.reply->Bulk(ctx.args[1]); }

void Quit(CommandContext& ctx) {
  ctx.reply->Ok();
  ctx.client->close_after_reply = true;
}

void Select(CommandContext& ctx) {
  auto db = ParseDbIndex(ctx, ctx.args[1]);
  if (!db) return;
  ctx.client->db = *db;
  ctx.reply->Ok();
}

// Authenticates as `user` with `pass`: only the default user exists; with no
// requirepass it accepts any password.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  if (!ctx.settings->has_requirepass()) return true;
  std::string expected = ctx.settings->requirepass();
  // Compare in constant time with respect to the password's content.
  if (expected.size() != pass.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < pass.size(); ++i) diff |= static_cast<unsigned char>(expected[i] ^ pass[i]);
  return diff == 0;
}

void Auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  std::string_view user = "default", pass;
  if (ctx.args.size() == 2) {
    if (!ctx.settings->has_requirepass()) {
      ctx.reply->Error(errors::kNoPasswordConfigured);
      return;
    }
    pass = ctx.args[1];
  } else {
    user = ctx.args[1];
    pass = ctx.args[2];
  }
  if (Authenticate(ctx, user, pass)) {
    ctx.client->authenticated = true;
    ctx.reply->Ok();
  } else {
    ctx.reply->Error(errors::kWrongPass);
  }
}

void Hello(CommandContext& ctx) {
  int64_t version = 0;
  size_t next = 1;
  if (ctx.args.size() >= 2) {
    auto v = ParseInt64(ctx.args[next++]);
    if (!v) {
      ctx.reply->Error(errors::kProtoNotInteger);
      return;
    }
    if (*v < 2 || *v > 3) {
      ctx.reply->Error(errors::kNoProto);
      return;
    }
    version = *v;
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < ctx.args.size(); ++j) {
    size_t more = ctx.args.size() - 1 - j;
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "auth") && more >= 2) {
      user = ctx.args[j + 1];
      pass = ctx.args[j + 2];
      has_auth = true;
      j += 2;
    } else if (EqualsIgnoreCase(opt, "setname") && more >= 1) {
      name = ctx.args[++j];
      has_name = true;
    } else {
      ctx.reply->Error("ERR Syntax error in HELLO option '" + std::string(opt) + "'");
      return;
    }
  }
  if (has_auth) {
    if (!Authenticate(ctx, user, pass)) {
      ctx.reply->Error(errors::kWrongPass);
      return;
    }
    ctx.client->authenticated = true;
  }
  if (!ctx.client->authenticated) {
    ctx.reply->Error(errors::kHelloNoAuth);
    return;
  }
  if (has_name) {
    if (!IsValidClientName(name)) {
      ctx.reply->Error(errors::kBadClientName);
      return;
    }
    ctx.client->name.assign(name);
    ctx.client->info_dirty = true;
  }
  if (version != 0) {
    ctx.client->resp = int(version);
    ctx.reply->SetResp3(version == 3);
  }
  ctx.reply->MapHeader(7);
  ctx.reply->Bulk("server");
  ctx.reply->Bulk("redis");
  ctx.reply->Bulk("version");
  ctx.reply->Bulk(kRedisCompatVersion);
  ctx.reply->Bulk("proto");
  ctx.reply->Integer(ctx.client->resp);
  ctx.reply->Bulk("id");
  ctx.reply->Integer(int64_t(ctx.client->id));
  ctx.reply->Bulk("mode");
  ctx.reply->Bulk("standalone");
  ctx.reply->Bulk("role");
  ctx.reply->Bulk("master");
  ctx.reply->Bulk("modules");
  ctx.reply->ArrayHeader(0);
}

void Reset(CommandContext& ctx) {
  ClientState& c = *ctx.client;
  c.db = 0;
  c.resp = 2;
  ctx.reply->SetResp3(false);
  c.authenticated = !ctx.settings->has_requirepass();
  if (!c.name.empty()) {
    c.name.clear();
    c.info_dirty = true;
  }
  c.no_evict = false;
  c.no_touch = false;
  c.reply_mode = ReplyMode::kOn;
  DiscardTransaction(c);
  UnwatchAll(c, ctx.db.store()->watches());
  UnsubscribeAll(c, ctx.pubsub);
  ctx.reply->SetSuppressed(false);
  ctx.reply->SimpleString("RESET");
}

}  // namespace

void RegisterConnectionFamily(CommandTable& t) {
  t.Add(Cmd("ping", -1).Flags("fast").Acl("@fast @connection")
      .Tip("request_policy:all_shards")
      .Tip("response_policy:all_succeeded")
      .Doc("connection", "1.0.0", "O(1)",
           "Ping the server")
      .Handler(Ping));
  t.Add(Cmd("echo", 2).Flags("loading stale fast").Acl("@fast @connection")
      .Doc("connection", "1.0.0", "O(1)",
           "Echo the given string")
      .Handler(Echo));
  t.Add(Cmd("quit", -1).Flags("noscript loading stale fast no_auth allow_busy").Acl("@fast @connection")
      .Doc("connection", "1.0.0", "O(1)",
           "Close the connection")
      .Handler(Quit));
  t.Add(Cmd("reset", 1).Flags("noscript loading stale fast no_auth allow_busy").Acl("@fast @connection")
      .Doc("connection", "6.2.0", "O(1)",
           "Reset the connection")
      .Handler(Reset));
  t.Add(Cmd("hello", -1).Flags("noscript loading stale fast no_auth allow_busy").Acl("@fast @connection")
      .Doc("connection", "6.0.0", "O(1)",
           "Handshake with Redis")
      .Handler(Hello));
  t.Add(Cmd("auth", -2).Flags("noscript loading stale fast no_auth allow_busy").Acl("@fast @connection")
      .Doc("connection", "1.0.0", "O(N) where N is the number of passwords defined for the user",
           "Authenticate to the server")
      .Handler(Auth));
  t.Add(Cmd("select", 2).Flags("loading stale fast").Acl("@fast @connection")
      .Doc("connection", "1.0.0", "O(1)",
           "Change the selected database for the current connection")
      .Handler(Select));
}

}  // namespace larder
