// Sorted-set pops: ZPOPMIN ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX BZMPOP
// (served across workers by commands/blocking.h).
#include <string>
#include <utility>
#include <vector>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "commands/zset_util.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

// Pops up to `count` elements (lowest or highest scores first) of a non-empty sorted set.
std::vector<std::pair<std::string, double>> PopItems(DbView& db, const KeyArg& k, KeyRef ref,
                                                     bool min, size_t count) {
  ZSetWriter w(db, k, ref);
  const size_t size = w.Size();
  const size_t n = std::min(count, size);
  std::vector<std::pair<std::string, double>> items;
  items.reserve(n);
  for (size_t i = 0; i < n; ++i) items.push_back(w.At(min ? i : size - 1 - i));
  if (min) w.RemoveRanks(0, n);
  else w.RemoveRanks(size - n, size);
  w.Commit();
  if (n > 0) NotifyEdit(db, kNotifyZSet, min ? "zpopmin" : "zpopmax", k.key);
  return items;
}

// ZPOPMIN / ZPOPMAX key [count]: flat [member, score, ...]; with a count in RESP3,
// [member, score] pairs.
void PopGeneric(CommandContext& ctx, bool min) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    auto c = ParsePopCount(ctx, ctx.args[2]);
    if (!c) return;
    count = *c;
    if (count == 0) {
      ctx.reply->ArrayHeader(0);
      return;
    }
  }
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  auto items = PopItems(ctx.db, ctx.Key(1), ref, min, size_t(count));
  const bool pairs = has_count && ctx.reply->resp3();
  ctx.reply->ArrayHeader(pairs ? items.size() : items.size() * 2);
  for (const auto& [m, s] : items) {
    if (pairs) ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk(m);
    ctx.reply->Double(s);
  }
}
void ZPopMin(CommandContext& ctx) { PopGeneric(ctx, true); }
void ZPopMax(CommandContext& ctx) { PopGeneric(ctx, false); }

// [key, [[member, score], ...]] of ZMPOP / BZMPOP.
void ReplyMPop(DbView& db, const KeyArg& k, KeyRef ref, bool min, int64_t count,
               ReplyBuilder& reply) {
  auto items = PopItems(db, k, ref, min, size_t(count));
  reply.ArrayHeader(2);
  reply.Bulk(k.key);
  reply.ArrayHeader(items.size());
  for (const auto& [m, s] : items) {
    reply.ArrayHeader(2);
    reply.Bulk(m);
    reply.Double(s);
  }
}

// [key, member, score] of BZPOPMIN / BZPOPMAX.
void ReplyBPop(DbView& db, const KeyArg& k, KeyRef ref, bool min, ReplyBuilder& reply) {
  auto items = PopItems(db, k, ref, min, 1);
  reply.ArrayHeader(3);
  reply.Bulk(k.key);
  reply.Bulk(items[0].first);
  reply.Double(items[0].second);
}

void ZMPopKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 1, out);
}
void BZMPopKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 2, out);
}

// A blocked BZPOPMIN / BZPOPMAX / BZMPOP served from ready_key.
bool ServeZPop(DbView& db, const BlockRequest& req, std::string_view ready_key,
               ReplyBuilder& reply) {
  const KeyArg k = MakeKeyArg(ready_key);
  KeyRef ref = db.Find(k, DbView::Mode::kWrite);
  if (!ref || ref.kind() != ValueKind::kZSet) return false;
  if (req.count >= 0) ReplyMPop(db, k, ref, !req.zmax, req.count, reply);
  else ReplyBPop(db, k, ref, !req.zmax, reply);
  return true;
}

void BlockingPop(CommandContext& ctx, bool min) {
  auto deadline = ParseTimeout(ctx, ctx.args.back());
  if (!deadline) return;
  for (size_t i = 1; i + 1 < ctx.args.size(); ++i) {
    KeyRef ref;
    if (!LookupZSet(ctx, i, DbView::Mode::kWrite, &ref)) return;
    if (!ref) continue;
    ReplyBPop(ctx.db, ctx.Key(i), ref, min, *ctx.reply);
    return;
  }
  BlockRequest req;
  req.serve = ServeZPop;
  for (size_t i = 1; i + 1 < ctx.args.size(); ++i) req.keys.emplace_back(ctx.args[i]);
  req.zmax = !min;
  req.deadline_ms = *deadline;
  if (!ctx.Block(std::move(req))) ctx.reply->NullArray();
}
void BZPopMin(CommandContext& ctx) { BlockingPop(ctx, true); }
void BZPopMax(CommandContext& ctx) { BlockingPop(ctx, false); }

void ZMPop(CommandContext& ctx) {
  MPopGeneric(ctx, 0, ValueKind::kZSet, "min", "max", ReplyMPop, nullptr);
}
void BZMPop(CommandContext& ctx) {
  MPopGeneric(ctx, 1, ValueKind::kZSet, "min", "max", ReplyMPop, ServeZPop);
}

}  // namespace

void RegisterZSetPopFamily(CommandTable& t) {
  t.Add(Cmd("zpopmin", -2).Flags("write fast").Acl("@write @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Doc("sorted-set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
           "Remove and return members with the lowest scores in a sorted set")
      .Handler(ZPopMin));
  t.Add(Cmd("zpopmax", -2).Flags("write fast").Acl("@write @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Doc("sorted-set", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
           "Remove and return members with the highest scores in a sorted set")
      .Handler(ZPopMax));
  t.Add(Cmd("bzpopmin", -3).Flags("write noscript blocking fast").Acl("@write @sortedset @fast @blocking").Keys(1, -2, 1)
      .KeySpec("RW access delete", 1, -2, 1, 0)
      .Doc("sorted-set", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.",
           "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available")
      .Handler(BZPopMin));
  t.Add(Cmd("bzpopmax", -3).Flags("write noscript blocking fast").Acl("@write @sortedset @fast @blocking").Keys(1, -2, 1)
      .KeySpec("RW access delete", 1, -2, 1, 0)
      .Doc("sorted-set", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.",
           "Remove and return the member with the highest score from one or more sorted sets, or block until one is available")
      .Handler(BZPopMax));
  t.Add(Cmd("zmpop", -4).Flags("write movablekeys").Acl("@write @sortedset @slow")
      .KeySpecKeynum("RW access delete", 1, 0, 1, 1)
      .KeysFrom(ZMPopKeys)
      .Doc("sorted-set", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
           "Remove and return members with scores in a sorted set")
      .Handler(ZMPop));
  t.Add(Cmd("bzmpop", -5).Flags("write blocking movablekeys").Acl("@write @sortedset @slow @blocking")
      .KeySpecKeynum("RW access delete", 2, 0, 1, 1)
      .KeysFrom(BZMPopKeys)
      .Doc("sorted-set", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
           "Remove and return members with scores in a sorted set or block until one is available")
      .Handler(BZMPop));
}

}  // namespace larder
