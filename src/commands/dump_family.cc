// DUMP and RESTORE: a value as Redis's serialized payload (persistence/rdb_value.h) and
// back, with redis-server 7.0's options, replies and errors.
#include <limits>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "persistence/rdb_value.h"
#include "storage/access.h"

namespace larder {
namespace {

void Dump(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->NullBulk();
    return;
  }
  RdbSaveOptions options;
  options.limits = ValueLimits::From(ctx.db.store()->limits());
  ctx.reply->Bulk(CreateDumpPayload(ref.entry(), options));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle_s = -1;  // IDLETIME
  int64_t freq = -1;    // FREQ
};

// Parses the options after the payload; replies and returns false on error. IDLETIME
// and FREQ exclude each other (the second one is a syntax error, as in Redis).
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t j = 4; j < ctx.args.size(); ++j) {
    const std::string_view a = ctx.args[j];
    const bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(a, "replace")) {
      o->replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      o->absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && more && o->freq == -1) {
      auto v = ParseIntArg(ctx, ctx.args[++j]);
      if (!v) return false;
      if (*v < 0) {
        ctx.reply->Error(errors::kInvalidIdletime);
        return false;
      }
      o->idle_s = *v;
    } else if (EqualsIgnoreCase(a, "freq") && more && o->idle_s == -1) {
      auto v = ParseIntArg(ctx, ctx.args[++j]);
      if (!v) return false;
      if (*v < 0 || *v > 255) {
        ctx.reply->Error(errors::kInvalidFreq);
        return false;
      }
      o->freq = *v;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// The access field of the restored entry: IDLETIME under an LRU policy, FREQ under an
// LFU one, else a fresh entry's.
uint32_t RestoredAccess(CommandContext& ctx, const RestoreOptions& o) {
  const AccessPolicy& policy = ctx.db.store()->access_policy();
  const bool lfu = policy.lfu.load(std::memory_order_relaxed);
  if (lfu && o.freq >= 0) return LfuAccess(ctx.now_ms(), uint32_t(o.freq));
  if (!lfu && o.idle_s >= 0) return LruAccessIdle(ctx.now_ms(), o.idle_s);
  return InitialAccess(policy, ctx.now_ms());
}

void Restore(CommandContext& ctx) {
  RestoreOptions o;
  if (!ParseRestoreOptions(ctx, &o)) return;
  const KeyArg k = ctx.Key(1);
  KeyRef existing = ctx.db.Find(k, DbView::Mode::kWrite);
  if (existing && !o.replace) {
    ctx.reply->Error(errors::kBusyKey);
    return;
  }
  auto ttl = ParseIntArg(ctx, ctx.args[2]);
  if (!ttl) return;
  if (*ttl < 0) {
    ctx.reply->Error(errors::kInvalidTtl);
    return;
  }
  if (!VerifyDumpPayload(ctx.args[3])) {
    ctx.reply->Error(errors::kDumpPayload);
    return;
  }
  RdbValue value;
  RdbDecodeError err;
  if (!DecodeDumpPayload(ctx.args[3], ValueLimits::From(ctx.db.store()->limits()), &value, &err)) {
    ctx.reply->Error(errors::kBadDataFormat);
    return;
  }
  const bool deleted = bool(existing);
  if (existing) ctx.db.Delete(&existing);
  int64_t expire_at = kNoExpiry;
  if (*ttl != 0) {
    const int64_t now = ctx.now_ms();
    // A relative TTL that overflows is already expired (Redis's sum wraps negative).
    if (o.absttl) expire_at = *ttl;
    else expire_at = *ttl > std::numeric_limits<int64_t>::max() - now ? 0 : *ttl + now;
    if (expire_at <= now) {
      if (deleted) Notify(ctx, kNotifyGeneric, "del", k.key);
      ctx.reply->Ok();
      return;
    }
  }
  ctx.db.Insert(k, std::move(value).ToEntry(k.key, expire_at, RestoredAccess(ctx, o)));
  Notify(ctx, kNotifyGeneric, "restore", k.key);
  ctx.reply->Ok();
}

}  // namespace

void RegisterDumpFamily(CommandTable& t) {
  t.Add(Cmd("dump", 2).Flags("readonly").Acl("@keyspace @read @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("generic", "2.6.0", "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
           "Return a serialized version of the value stored at the specified key.")
      .Handler(Dump));
  t.Add(Cmd("restore", -4).Flags("write denyoom").Acl("@keyspace @write @slow @dangerous")
      .Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .Doc("generic", "2.6.0", "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
           "Create a key using the provided serialized value, previously obtained using DUMP.")
      .Handler(Restore));
}

}  // namespace larder
