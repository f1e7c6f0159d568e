#include "commands/zset_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "commands/family_util.h"
#include "commands/notify.h"

namespace larder {
namespace {

bool ParseScoreBound(std::string_view s, double* v, bool* exclusive) {
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) s.remove_prefix(1);
  const std::string buf(s);  // strtod stops at an embedded NUL, as in Redis
  char* end = nullptr;
  const double d = std::strtod(buf.c_str(), &end);
  if (*end != '\0' || std::isnan(d)) return false;
  *v = d;
  return true;
}

bool ValidLexItem(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == '+' || s[0] == '-') return s.size() == 1;
  return s[0] == '(' || s[0] == '[';
}

}  // namespace

bool LookupZSet(CommandContext& ctx, size_t arg, DbView::Mode mode, KeyRef* ref) {
  *ref = ctx.db.Find(ctx.Key(arg), mode);
  return ExpectKind(ctx, *ref, ValueKind::kZSet);
}

bool ParseScoreRange(CommandContext& ctx, std::string_view min, std::string_view max,
                     ScoreRange* out) {
  if (!ParseScoreBound(min, &out->min, &out->min_exclusive) ||
      !ParseScoreBound(max, &out->max, &out->max_exclusive)) {
    ctx.reply->Error("ERR min or max is not a float");
    return false;
  }
  return true;
}

bool CheckLexRange(CommandContext& ctx, std::string_view min, std::string_view max) {
  if (ValidLexItem(min) && ValidLexItem(max)) return true;
  ctx.reply->Error("ERR min or max not valid string range item");
  return false;
}

RankSpan ScoreSpan(const ZSetReader& r, const ScoreRange& range) {
  RankSpan s{r.ScoreStart(range.min, range.min_exclusive),
             r.ScoreEnd(range.max, range.max_exclusive)};
  if (s.hi < s.lo) s.hi = s.lo;
  return s;
}

RankSpan LexSpan(const ZSetReader& r, std::string_view min, std::string_view max) {
  RankSpan s{r.LexStart(min), r.LexEnd(max)};
  if (s.hi < s.lo) s.hi = s.lo;
  return s;
}

RankSpan RankRange(size_t len, int64_t start, int64_t end, bool reverse) {
  const int64_t n = int64_t(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return {};
  if (end >= n) end = n - 1;
  if (!reverse) return {size_t(start), size_t(end) + 1};
  return {size_t(n - 1 - end), size_t(n - start)};
}

void ApplyLimit(RankSpan* span, bool reverse, int64_t offset, int64_t count) {
  if (offset < 0) {
    span->hi = span->lo;
    return;
  }
  const size_t n = span->hi - span->lo;
  const size_t skip = std::min(uint64_t(offset), uint64_t(n));
  size_t take = n - skip;
  if (count >= 0 && uint64_t(count) < take) take = size_t(count);
  if (!reverse) {
    span->lo += skip;
    span->hi = span->lo + take;
  } else {
    span->hi -= skip;
    span->lo = span->hi - take;
  }
}

void ReplyItem(CommandContext& ctx, ZItem item, bool with_scores) {
  if (with_scores && ctx.reply->resp3()) ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(item.member);
  if (with_scores) ctx.reply->Double(item.score);
}

void ReplyRanks(CommandContext& ctx, const ZSetReader& r, RankSpan span, bool reverse,
                bool with_scores) {
  const size_t n = span.hi - span.lo;
  ctx.reply->ArrayHeader(with_scores && !ctx.reply->resp3() ? n * 2 : n);
  r.ForRanks(span.lo, span.hi, reverse, [&](ZItem it) { ReplyItem(ctx, it, with_scores); });
}

size_t StoreZSet(CommandContext& ctx, size_t dest_at,
                 const std::vector<std::pair<std::string, double>>& items, std::string_view event) {
  const KeyArg k = ctx.Key(dest_at);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  const bool existed = bool(ref);
  if (existed) ctx.db.Delete(&ref);
  if (items.empty()) {
    if (existed) Notify(ctx, kNotifyGeneric, "del", k.key);
    return 0;
  }
  ZSetWriter w(ctx.db, k, KeyRef());
  for (const auto& [member, score] : items) w.Set(member, score);
  w.Commit();
  Notify(ctx, kNotifyZSet, event, k.key);
  return w.Size();
}

}  // namespace larder
