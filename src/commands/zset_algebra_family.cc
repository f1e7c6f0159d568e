// Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD. Inputs may
// be sorted sets or sets (members of a set score 1); scores are combined in Redis's
// order (inputs by ascending size) so sums round exactly as on redis-server.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "commands/zset_util.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a missing key (empty), a sorted set or a set.
class Source {
 public:
  explicit Source(const Entry* e) : e_(e) {
    if (e_ != nullptr && e_->kind() == ValueKind::kZSet) zset_.emplace(e_);
  }
  const Entry* entry() const { return e_; }
  size_t Size() const {
    if (e_ == nullptr) return 0;
    return zset_ ? zset_->Size() : SetReader(e_).Size();
  }
  // fn(member, score) for every element.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (e_ == nullptr) return;
    if (zset_) {
      zset_->ForRanks(0, zset_->Size(), false, [&](ZItem it) { fn(it.member, it.score); });
    } else {
      SetReader(e_).ForEach([&](std::string_view m) { fn(m, 1.0); });
    }
  }
  std::optional<double> Find(std::string_view member) const {
    if (e_ == nullptr) return std::nullopt;
    if (zset_) return zset_->Score(member);
    if (SetReader(e_).Contains(member)) return 1.0;
    return std::nullopt;
  }

  double weight = 1.0;

 private:
  const Entry* e_;
  std::optional<ZSetReader> zset_;
};

void Combine(double* target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0.0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0.0 : v;
}

using Items = std::vector<std::pair<std::string, double>>;

// Members present in every input. Stops after `limit` members when limit > 0.
Items Intersect(const std::vector<Source>& src, Aggregate agg, size_t limit) {
  Items out;
  const Source& first = src[0];
  if (first.Size() == 0) return out;
  first.ForEach([&](std::string_view m, double s) {
    if (limit > 0 && out.size() >= limit) return;
    double score = Weighted(s, first.weight);
    for (size_t j = 1; j < src.size(); ++j) {
      std::optional<double> v = src[j].entry() == first.entry() ? std::optional<double>(s)
                                                               : src[j].Find(m);
      if (!v) return;
      Combine(&score, *v * src[j].weight, agg);
    }
    out.emplace_back(std::string(m), score);
  });
  return out;
}

Items Unite(const std::vector<Source>& src, Aggregate agg) {
  std::unordered_map<std::string, double> acc;
  for (const Source& s : src) {
    s.ForEach([&](std::string_view m, double score) {
      const double v = Weighted(score, s.weight);
      auto [it, added] = acc.try_emplace(std::string(m), v);
      if (!added) Combine(&it->second, v, agg);
    });
  }
  Items out;
  out.reserve(acc.size());
  for (auto& [m, s] : acc) out.emplace_back(m, s);
  return out;
}

// Members of the first input in none of the others, with their own scores.
Items Subtract(const std::vector<Source>& src) {
  Items out;
  src[0].ForEach([&](std::string_view m, double s) {
    for (size_t j = 1; j < src.size(); ++j) {
      if (src[j].Find(m)) return;
    }
    out.emplace_back(std::string(m), s);
  });
  return out;
}

// ZUNION / ZINTER / ZDIFF (numkeys at args[1]), the STORE forms (destination at args[1],
// numkeys at args[2]) and ZINTERCARD.
void AlgebraGeneric(CommandContext& ctx, Op op, bool store, bool card_only) {
  const size_t numkeys_at = store ? 2 : 1;
  auto numkeys = ParseIntArg(ctx, ctx.args[numkeys_at]);
  if (!numkeys) return;
  if (*numkeys < 1) {
    ctx.reply->Error("ERR at least 1 input key is needed for '" + ctx.spec->name + "' command");
    return;
  }
  if (*numkeys > int64_t(ctx.args.size() - numkeys_at - 1)) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  const size_t n = size_t(*numkeys);
  std::vector<Source> src;
  src.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(numkeys_at + 1 + i), DbView::Mode::kRead);
    if (ref && ref.kind() != ValueKind::kZSet && ref.kind() != ValueKind::kSet) {
      ctx.reply->Error(errors::kWrongType);
      return;
    }
    src.emplace_back(ref ? ref.entry() : nullptr);
  }

  Aggregate agg = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
  const bool weighted = op != Op::kDiff && !card_only;
  for (size_t j = numkeys_at + 1 + n; j < ctx.args.size();) {
    const size_t remaining = ctx.args.size() - j;
    std::string_view a = ctx.args[j];
    if (weighted && remaining >= n + 1 && EqualsIgnoreCase(a, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        auto w = ParseDouble(ctx.args[j]);
        if (!w) {
          ctx.reply->Error("ERR weight value is not a float");
          return;
        }
        src[i].weight = *w;
      }
    } else if (weighted && remaining >= 2 && EqualsIgnoreCase(a, "aggregate")) {
      std::string_view how = ctx.args[j + 1];
      if (EqualsIgnoreCase(how, "sum")) agg = Aggregate::kSum;
      else if (EqualsIgnoreCase(how, "min")) agg = Aggregate::kMin;
      else if (EqualsIgnoreCase(how, "max")) agg = Aggregate::kMax;
      else {
        ctx.reply->Error(errors::kSyntax);
        return;
      }
      j += 2;
    } else if (!store && !card_only && EqualsIgnoreCase(a, "withscores")) {
      with_scores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(a, "limit")) {
      auto l = ParseInt64(ctx.args[j + 1]);
      if (!l || *l < 0) {
        ctx.reply->Error("ERR LIMIT can't be negative");
        return;
      }
      limit = *l;
      j += 2;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }

  Items items;
  if (op == Op::kDiff) {
    items = Subtract(src);
  } else {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.Size() < b.Size(); });
    items = op == Op::kInter ? Intersect(src, agg, card_only ? size_t(limit) : 0)
                             : Unite(src, agg);
  }
  if (card_only) {
    ctx.reply->Integer(int64_t(items.size()));
    return;
  }
  if (store) {
    ctx.reply->Integer(int64_t(StoreZSet(
        ctx, 1, items,
        op == Op::kUnion ? "zunionstore" : op == Op::kInter ? "zinterstore" : "zdiffstore")));
    return;
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  ctx.reply->ArrayHeader(with_scores && !ctx.reply->resp3() ? items.size() * 2 : items.size());
  for (const auto& [m, s] : items) ReplyItem(ctx, ZItem{m, s}, with_scores);
}

void ZUnion(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kUnion, false, false); }
void ZInter(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kInter, false, false); }
void ZDiff(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kDiff, false, false); }
void ZUnionStore(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kUnion, true, false); }
void ZInterStore(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kInter, true, false); }
void ZDiffStore(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kDiff, true, false); }
void ZInterCard(CommandContext& ctx) { AlgebraGeneric(ctx, Op::kInter, false, true); }

void NumKeysAt1(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 1, out);
}
void DestAndNumKeysAt2(std::span<const std::string_view> args, std::vector<int>* out) {
  if (args.size() > 1) out->push_back(1);
  NumKeysFinder(args, 2, out);
}

}  // namespace

void RegisterZSetAlgebraFamily(CommandTable& t) {
  t.Add(Cmd("zunion", -3).Flags("readonly movablekeys").Acl("@read @sortedset @slow")
      .KeySpecKeynum("RO access", 1, 0, 1, 1)
      .KeysFrom(NumKeysAt1)
      .Doc("sorted-set", "6.2.0", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
           "Add multiple sorted sets")
      .Handler(ZUnion));
  t.Add(Cmd("zinter", -3).Flags("readonly movablekeys").Acl("@read @sortedset @slow")
      .KeySpecKeynum("RO access", 1, 0, 1, 1)
      .KeysFrom(NumKeysAt1)
      .Doc("sorted-set", "6.2.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
           "Intersect multiple sorted sets")
      .Handler(ZInter));
  t.Add(Cmd("zdiff", -3).Flags("readonly movablekeys").Acl("@read @sortedset @slow")
      .KeySpecKeynum("RO access", 1, 0, 1, 1)
      .KeysFrom(NumKeysAt1)
      .Doc("sorted-set", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
           "Subtract multiple sorted sets")
      .Handler(ZDiff));
  t.Add(Cmd("zunionstore", -4).Flags("write denyoom movablekeys").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpecKeynum("RO access", 2, 0, 1, 1)
      .KeysFrom(DestAndNumKeysAt2)
      .Doc("sorted-set", "2.0.0", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
           "Add multiple sorted sets and store the resulting sorted set in a new key")
      .Handler(ZUnionStore));
  t.Add(Cmd("zinterstore", -4).Flags("write denyoom movablekeys").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpecKeynum("RO access", 2, 0, 1, 1)
      .KeysFrom(DestAndNumKeysAt2)
      .Doc("sorted-set", "2.0.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
           "Intersect multiple sorted sets and store the resulting sorted set in a new key")
      .Handler(ZInterStore));
  t.Add(Cmd("zdiffstore", -4).Flags("write denyoom movablekeys").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpecKeynum("RO access", 2, 0, 1, 1)
      .KeysFrom(DestAndNumKeysAt2)
      .Doc("sorted-set", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
           "Subtract multiple sorted sets and store the resulting sorted set in a new key")
      .Handler(ZDiffStore));
  t.Add(Cmd("zintercard", -3).Flags("readonly movablekeys").Acl("@read @sortedset @slow")
      .KeySpecKeynum("RO access", 1, 0, 1, 1)
      .KeysFrom(NumKeysAt1)
      .Doc("sorted-set", "7.0.0", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
           "Intersect multiple sorted sets and return the cardinality of the result")
      .Handler(ZInterCard));
}

}  // namespace larder
