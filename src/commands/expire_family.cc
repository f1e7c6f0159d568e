// Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT) EXPIRETIME
// PEXPIRETIME TTL PTTL PERSIST.
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"

namespace larder {
namespace {

enum ExpireFlags : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE-family core. `base_ms` is now for relative forms and 0 for absolute ones.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, ExpireUnit unit) {
  unsigned flags = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "nx")) flags |= kNx;
    else if (EqualsIgnoreCase(opt, "xx")) flags |= kXx;
    else if (EqualsIgnoreCase(opt, "gt")) flags |= kGt;
    else if (EqualsIgnoreCase(opt, "lt")) flags |= kLt;
    else {
      ctx.reply->Error("ERR Unsupported option " + std::string(opt));
      return;
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    ctx.reply->Error(errors::kExpireNxXx);
    return;
  }
  if ((flags & kGt) && (flags & kLt)) {
    ctx.reply->Error(errors::kExpireGtLt);
    return;
  }
  auto v = ParseIntArg(ctx, ctx.args[2]);
  if (!v) return;
  int64_t when = *v;
  if (unit == ExpireUnit::kSeconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      ctx.reply->Error(InvalidExpireError(ctx.spec->name));
      return;
    }
    when *= 1000;
  }
  if (when > INT64_MAX - base_ms) {
    ctx.reply->Error(InvalidExpireError(ctx.spec->name));
    return;
  }
  when += base_ms;
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kWrite);
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  int64_t current = ref.expire_at();
  bool persistent = current == kNoExpiry;
  if (((flags & kNx) && !persistent) || ((flags & kXx) && persistent) ||
      ((flags & kGt) && (persistent || when <= current)) ||
      ((flags & kLt) && !persistent && when >= current)) {
    ctx.reply->Integer(0);
    return;
  }
  if (when <= ctx.now_ms()) {
    ctx.db.Delete(&ref);  // a time in the past deletes the key at once
    Notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
  } else {
    ctx.db.SetExpiry(&ref, when);
    Notify(ctx, kNotifyGeneric, "expire", ctx.args[1]);
  }
  ctx.reply->Integer(1);
}

void Expire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), ExpireUnit::kSeconds); }
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), ExpireUnit::kMillis); }
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, ExpireUnit::kSeconds); }
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, ExpireUnit::kMillis); }

// TTL / PTTL / EXPIRETIME / PEXPIRETIME.
void TtlGeneric(CommandContext& ctx, bool millis, bool absolute) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kReadNoTouch);
  if (!ref) {
    ctx.reply->Integer(-2);
    return;
  }
  int64_t at = ref.expire_at();
  if (at == kNoExpiry) {
    ctx.reply->Integer(-1);
    return;
  }
  int64_t v = at;
  if (!absolute) {
    v = at - ctx.now_ms();
    if (v < 0) v = 0;
  }
  // Rounded to seconds without overflow near INT64_MAX (v >= 0 here).
  ctx.reply->Integer(millis ? v : int64_t((uint64_t(v) + 500) / 1000));
}

void Ttl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void Persist(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kWrite);
  if (!ref || ref.expire_at() == kNoExpiry) {
    ctx.reply->Integer(0);
    return;
  }
  ctx.db.SetExpiry(&ref, kNoExpiry);
  Notify(ctx, kNotifyGeneric, "persist", ctx.args[1]);
  ctx.reply->Integer(1);
}

}  // namespace

void RegisterExpireFamily(CommandTable& t) {
  t.Add(Cmd("expire", -3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("generic", "1.0.0", "O(1)",
           "Set a key's time to live in seconds")
      .Handler(Expire));
  t.Add(Cmd("pexpire", -3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("generic", "2.6.0", "O(1)",
           "Set a key's time to live in milliseconds")
      .Handler(PExpire));
  t.Add(Cmd("expireat", -3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("generic", "1.2.0", "O(1)",
           "Set the expiration for a key as a UNIX timestamp")
      .Handler(ExpireAt));
  t.Add(Cmd("pexpireat", -3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("generic", "2.6.0", "O(1)",
           "Set the expiration for a key as a UNIX timestamp specified in milliseconds")
      .Handler(PExpireAt));
  t.Add(Cmd("expiretime", 2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("generic", "7.0.0", "O(1)",
           "Get the expiration Unix timestamp for a key")
      .ReadsShared()
      .Handler(ExpireTime));
  t.Add(Cmd("pexpiretime", 2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("generic", "7.0.0", "O(1)",
           "Get the expiration Unix timestamp for a key in milliseconds")
      .ReadsShared()
      .Handler(PExpireTime));
  t.Add(Cmd("ttl", 2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("generic", "1.0.0", "O(1)",
           "Get the time to live for a key in seconds")
      .ReadsShared()
      .Handler(Ttl));
  t.Add(Cmd("pttl", 2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("generic", "2.6.0", "O(1)",
           "Get the time to live for a key in milliseconds")
      .ReadsShared()
      .Handler(PTtl));
  t.Add(Cmd("persist", 2).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("generic", "2.2.0", "O(1)",
           "Remove the expiration from a key")
      .Handler(Persist));
}

}  // namespace larder
