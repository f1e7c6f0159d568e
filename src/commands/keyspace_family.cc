// Whole-keyspace commands: KEYS SCAN RANDOMKEY DBSIZE FLUSHDB FLUSHALL SWAPDB.
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "common/errors.h"
#include "common/glob.h"
#include "common/numbers.h"

namespace larder {
namespace {

void Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = pattern == "*";
  std::vector<std::string> keys;
  ctx.db.ForEachShard([&](Shard&, Table& t) {
    for (size_t i = 0; i < t.capacity(); ++i) {
      if (!t.Occupied(i)) continue;
      const Entry* e = t.At(i);
      if (t.IsVolatile(i) && ctx.db.IsExpired(e)) continue;
      if (all || GlobMatch(pattern, e->key())) keys.emplace_back(e->key());
    }
  });
  ctx.reply->ArrayHeader(keys.size());
  for (const std::string& k : keys) ctx.reply->Bulk(k);
}

std::string_view TypeOf(const Entry* e) {
  switch (e->kind()) {
    case ValueKind::kString: return "string";
    case ValueKind::kList: return "list";
    case ValueKind::kSet: return "set";
    case ValueKind::kZSet: return "zset";
    case ValueKind::kHash: return "hash";
  }
  return "";
}

void Scan(CommandContext& ctx) {
  ScanArgs a;
  if (!ParseScanArgs(ctx, 1, true, &a)) return;
  std::vector<std::string> keys;
  uint64_t next = ctx.db.Scan(a.cursor, size_t(a.count), [&](const Entry* e) {
    if (!ScanMatches(a, e->key())) return;
    if (a.has_type && !EqualsIgnoreCase(a.type, TypeOf(e))) return;
    keys.emplace_back(e->key());
  });
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::to_string(next));
  ctx.reply->ArrayHeader(keys.size());
  for (const std::string& k : keys) ctx.reply->Bulk(k);
}

void RandomKey(CommandContext& ctx) {
  std::string key;
  if (ctx.db.RandomKey(&key)) ctx.reply->Bulk(key);
  else ctx.reply->NullBulk();
}

void DbSize(CommandContext& ctx) { ctx.reply->Integer(int64_t(ctx.db.Size())); }

// FLUSHDB / FLUSHALL [ASYNC|SYNC]; nullopt after a syntax error reply.
std::optional<bool> FlushIsAsync(CommandContext& ctx) {
  if (ctx.args.size() == 1) {
    return ctx.settings->lazyfree_lazy_user_flush.load(std::memory_order_relaxed);
  }
  if (ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "sync")) return false;
  if (ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async")) return true;
  ctx.reply->Error(errors::kSyntax);
  return std::nullopt;
}

void FlushDb(CommandContext& ctx) {
  auto async = FlushIsAsync(ctx);
  if (!async) return;
  ctx.db.Flush(*async);
  ctx.reply->Ok();
}

void FlushAll(CommandContext& ctx) {
  auto async = FlushIsAsync(ctx);
  if (!async) return;
  for (int db = 0; db < ctx.db.store()->databases(); ++db) ctx.db.WithDb(db).Flush(*async);
  ctx.reply->Ok();
}

void SwapDb(CommandContext& ctx) {
  auto a = ParseInt32Arg(ctx, ctx.args[1], errors::kInvalidFirstDb, errors::kInvalidFirstDb);
  if (!a) return;
  auto b = ParseInt32Arg(ctx, ctx.args[2], errors::kInvalidSecondDb, errors::kInvalidSecondDb);
  if (!b) return;
  int n = ctx.db.store()->databases();
  if (*a < 0 || *a >= n || *b < 0 || *b >= n) {
    ctx.reply->Error(errors::kDbIndexRange);
    return;
  }
  ctx.db.SwapDatabases(*a, *b);
  ctx.reply->Ok();
}

}  // namespace

void RegisterKeyspaceFamily(CommandTable& t) {
  t.Add(Cmd("keys", 2).Flags("readonly").Acl("@keyspace @read @slow @dangerous")
      .Tip("request_policy:all_shards")
      .Tip("nondeterministic_output_order")
      .Doc("generic", "1.0.0", "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
           "Find all keys matching the given pattern")
      .Handler(Keys));
  t.Add(Cmd("scan", -2).Flags("readonly").Acl("@keyspace @read @slow")
      .Tip("nondeterministic_output")
      .Tip("request_policy:special")
      .Doc("generic", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
           "Incrementally iterate the keys space")
      .Handler(Scan));
  t.Add(Cmd("randomkey", 1).Flags("readonly").Acl("@keyspace @read @slow")
      .Tip("request_policy:all_shards")
      .Tip("nondeterministic_output")
      .Doc("generic", "1.0.0", "O(1)",
           "Return a random key from the keyspace")
      .Handler(RandomKey));
  t.Add(Cmd("dbsize", 1).Flags("readonly fast").Acl("@keyspace @read @fast")
      .Tip("request_policy:all_shards")
      .Tip("response_policy:agg_sum")
      .Doc("server", "1.0.0", "O(1)",
           "Return the number of keys in the selected database")
      .Handler(DbSize));
  t.Add(Cmd("flushdb", -1).Flags("write").Acl("@keyspace @write @slow @dangerous")
      .Tip("request_policy:all_shards")
      .Tip("response_policy:all_succeeded")
      .Doc("server", "1.0.0", "O(N) where N is the number of keys in the selected database",
           "Remove all keys from the current database")
      .LockAll()
      .Handler(FlushDb));
  t.Add(Cmd("flushall", -1).Flags("write").Acl("@keyspace @write @slow @dangerous")
      .Tip("request_policy:all_shards")
      .Tip("response_policy:all_succeeded")
      .Doc("server", "1.0.0", "O(N) where N is the total number of keys in all databases",
           "Remove all keys from all databases")
      .LockAll()
      .Handler(FlushAll));
  t.Add(Cmd("swapdb", 3).Flags("write fast").Acl("@keyspace @write @fast @dangerous")
      .Doc("server", "4.0.0", "O(N) where N is the count of clients watching or blocking on keys from both databases.",
           "Swaps two Redis databases")
      .LockAll()
      .Handler(SwapDb));
}

}  // namespace larder
