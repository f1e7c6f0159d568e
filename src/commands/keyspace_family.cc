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

// SCAN's cursor is parsed like strtoul (a sign is allowed, "-1" wraps).
std::optional<uint64_t> ParseCursor(std::string_view s) {
  char buf[32];
  if (s.size() >= sizeof buf) return std::nullopt;
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(buf, &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return uint64_t(v);
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
  auto cursor = ParseCursor(ctx.args[1]);
  if (!cursor) {
    ctx.reply->Error(errors::kInvalidCursor);
    return;
  }
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type;
  bool use_type = false;
  for (size_t i = 2; i < ctx.args.size();) {
    size_t left = ctx.args.size() - i;
    std::string_view opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "count") && left >= 2) {
      auto v = ParseIntArg(ctx, ctx.args[i + 1]);
      if (!v) return;
      if (*v < 1) {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      count = *v;
      i += 2;
    } else if (EqualsIgnoreCase(opt, "match") && left >= 2) {
      pattern = ctx.args[i + 1];
      use_pattern = pattern != "*";
      i += 2;
    } else if (EqualsIgnoreCase(opt, "type") && left >= 2) {
      type = ctx.args[i + 1];
      use_type = true;
      i += 2;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  std::vector<std::string> keys;
  uint64_t next = ctx.db.Scan(*cursor, size_t(count), [&](const Entry* e) {
    if (use_pattern && !GlobMatch(pattern, e->key())) return;
    if (use_type && !EqualsIgnoreCase(type, TypeOf(e))) return;
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
