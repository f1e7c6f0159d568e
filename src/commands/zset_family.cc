// Sorted-set commands: ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK
// ZREVRANK ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
// ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZRANDMEMBER ZSCAN.
// Pops (ZPOPMIN ... BZMPOP) are in zset_pop_family.cc, set algebra (ZUNION ...) in
// zset_algebra_family.cc; shared helpers in zset_util.h.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "commands/zset_util.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

// ---- ZADD / ZINCRBY ----

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]; ZINCRBY is the
// INCR form with the flags fixed.
void ZAddGeneric(CommandContext& ctx, ZAddFlags f, size_t score_at) {
  const size_t elements = ctx.args.size() - score_at;
  if (elements == 0 || elements % 2 != 0) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (f.nx && f.xx) {
    ctx.reply->Error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    ctx.reply->Error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  const size_t pairs = elements / 2;
  if (f.incr && pairs > 1) {
    ctx.reply->Error("ERR INCR option supports a single increment-element pair");
    return;
  }
  // Every score is checked before anything changes.
  std::vector<double> scores(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    auto s = ParseDouble(ctx.args[score_at + 2 * i]);
    if (!s) {
      ctx.reply->Error(errors::kNotFloat);
      return;
    }
    scores[i] = *s;
  }
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double last_score = 0;
  if (ref || !f.xx) {
    ZSetWriter w(ctx.db, ctx.Key(1), ref);
    for (size_t i = 0; i < pairs; ++i) {
      std::string_view member = ctx.args[score_at + 2 * i + 1];
      double score = scores[i];
      if (auto cur = w.Score(member)) {
        if (f.nx) continue;
        if (f.incr) {
          score += *cur;
          if (std::isnan(score)) {
            w.Commit();
            ctx.reply->Error("ERR resulting score is not a number (NaN)");
            return;
          }
        }
        if ((f.gt && score <= *cur) || (f.lt && score >= *cur)) continue;
        ++processed;
        last_score = score;
        if (score != *cur) {
          w.Set(member, score);
          ++updated;
        }
      } else if (!f.xx) {
        w.Set(member, score);
        ++added;
        ++processed;
        last_score = score;
      }
    }
    w.Commit();
    if (added + updated > 0) Notify(ctx, kNotifyZSet, f.incr ? "zincr" : "zadd", ctx.args[1]);
  }
  if (f.incr) {
    if (processed > 0) ctx.reply->Double(last_score);
    else ctx.reply->NullBulk();
    return;
  }
  ctx.reply->Integer(f.ch ? added + updated : added);
}

void ZAdd(CommandContext& ctx) {
  ZAddFlags f;
  size_t i = 2;
  for (; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "nx")) f.nx = true;
    else if (EqualsIgnoreCase(a, "xx")) f.xx = true;
    else if (EqualsIgnoreCase(a, "gt")) f.gt = true;
    else if (EqualsIgnoreCase(a, "lt")) f.lt = true;
    else if (EqualsIgnoreCase(a, "ch")) f.ch = true;
    else if (EqualsIgnoreCase(a, "incr")) f.incr = true;
    else break;
  }
  ZAddGeneric(ctx, f, i);
}

void ZIncrBy(CommandContext& ctx) {
  ZAddFlags f;
  f.incr = true;
  ZAddGeneric(ctx, f, 2);
}

// ---- single-member reads and writes ----

void ZRem(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  ZSetWriter w(ctx.db, ctx.Key(1), ref);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) removed += w.Remove(ctx.args[i]) ? 1 : 0;
  w.Commit();
  if (removed > 0) NotifyEdit(ctx, kNotifyZSet, "zrem", ctx.args[1]);
  ctx.reply->Integer(removed);
}

void ZCard(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref ? int64_t(ZSetReader(ref.entry()).Size()) : 0);
}

void ZScore(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  std::optional<double> s;
  if (ref) s = ZSetReader(ref.entry()).Score(ctx.args[2]);
  if (s) ctx.reply->Double(*s);
  else ctx.reply->NullBulk();
}

void ZMScore(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> s;
    if (ref) s = ZSetReader(ref.entry()).Score(ctx.args[i]);
    if (s) ctx.reply->Double(*s);
    else ctx.reply->NullBulk();
  }
}

// ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE as in Redis 7.2).
void RankGeneric(CommandContext& ctx, bool reverse) {
  bool with_score = false;
  if (ctx.args.size() > 4) {  // checked before the option, as Redis 7.2
    ctx.reply->Error(WrongArityError(ctx.spec->name));
    return;
  }
  if (ctx.args.size() == 4) {
    if (!EqualsIgnoreCase(ctx.args[3], "withscore")) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
    with_score = true;
  }
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  std::optional<size_t> rank;
  std::optional<double> score;
  if (ref) {
    ZSetReader r(ref.entry());
    rank = r.Rank(ctx.args[2]);
    if (rank) {
      if (reverse) rank = r.Size() - 1 - *rank;
      score = r.Score(ctx.args[2]);
    }
  }
  if (!rank) {
    if (with_score) ctx.reply->NullArray();
    else ctx.reply->NullBulk();
    return;
  }
  if (with_score) ctx.reply->ArrayHeader(2);
  ctx.reply->Integer(int64_t(*rank));
  if (with_score) ctx.reply->Double(*score);
}
void ZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void ZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// ---- counts ----

void ZCount(CommandContext& ctx) {
  ScoreRange range;
  if (!ParseScoreRange(ctx, ctx.args[2], ctx.args[3], &range)) return;
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  RankSpan s = ScoreSpan(ZSetReader(ref.entry()), range);
  ctx.reply->Integer(int64_t(s.hi - s.lo));
}

void ZLexCount(CommandContext& ctx) {
  if (!CheckLexRange(ctx, ctx.args[2], ctx.args[3])) return;
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  RankSpan s = LexSpan(ZSetReader(ref.entry()), ctx.args[2], ctx.args[3]);
  ctx.reply->Integer(int64_t(s.hi - s.lo));
}

// ---- ranges ----

enum class RangeBy { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// The ZRANGE family: `key_at` is the source key, `store` says ZRANGESTORE (destination
// at args[1]); `by` / `dir` are preset by the legacy forms (ZREVRANGE, ZRANGEBYSCORE,
// ...), which then refuse the corresponding option words.
void RangeGeneric(CommandContext& ctx, size_t key_at, RangeBy by, Direction dir, bool store) {
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = key_at + 3; j < ctx.args.size(); ++j) {
    std::string_view a = ctx.args[j];
    const size_t left = ctx.args.size() - j - 1;
    if (!store && EqualsIgnoreCase(a, "withscores")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(a, "limit") && left >= 2) {
      auto o = ParseIntArg(ctx, ctx.args[j + 1]);
      if (!o) return;
      auto l = ParseIntArg(ctx, ctx.args[j + 2]);
      if (!l) return;
      offset = *o;
      limit = *l;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(a, "rev")) {
      dir = Direction::kReverse;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(a, "bylex")) {
      by = RangeBy::kLex;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(a, "byscore")) {
      by = RangeBy::kScore;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (by == RangeBy::kAuto) by = RangeBy::kRank;
  const bool reverse = dir == Direction::kReverse;
  if (limit != -1 && by == RangeBy::kRank) {
    ctx.reply->Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (with_scores && by == RangeBy::kLex) {
    ctx.reply->Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  std::string_view min = ctx.args[key_at + 1], max = ctx.args[key_at + 2];
  if (reverse && by != RangeBy::kRank) std::swap(min, max);
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  if (by == RangeBy::kRank) {
    auto s = ParseIntArg(ctx, min);
    if (!s) return;
    auto e = ParseIntArg(ctx, max);
    if (!e) return;
    start = *s;
    end = *e;
  } else if (by == RangeBy::kScore) {
    if (!ParseScoreRange(ctx, min, max, &score_range)) return;
  } else if (!CheckLexRange(ctx, min, max)) {
    return;
  }

  KeyRef ref;
  if (!LookupZSet(ctx, key_at, DbView::Mode::kRead, &ref)) return;
  RankSpan span;
  std::optional<ZSetReader> reader;
  if (ref) {
    reader.emplace(ref.entry());
    if (by == RangeBy::kRank) {
      span = RankRange(reader->Size(), start, end, reverse);
    } else {
      span = by == RangeBy::kScore ? ScoreSpan(*reader, score_range) : LexSpan(*reader, min, max);
      ApplyLimit(&span, reverse, offset, limit);
    }
  }
  if (store) {
    std::vector<std::pair<std::string, double>> items;
    if (reader) {
      items.reserve(span.hi - span.lo);
      reader->ForRanks(span.lo, span.hi, reverse,
                       [&](ZItem it) { items.emplace_back(std::string(it.member), it.score); });
    }
    ctx.reply->Integer(int64_t(StoreZSet(ctx, 1, items, "zrangestore")));
    return;
  }
  if (!reader) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ReplyRanks(ctx, *reader, span, reverse, with_scores);
}

void ZRange(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kAuto, Direction::kAuto, false); }
void ZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, 2, RangeBy::kAuto, Direction::kAuto, true);
}
void ZRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, 1, RangeBy::kRank, Direction::kReverse, false);
}
void ZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, RangeBy::kScore, Direction::kForward, false);
}
void ZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, RangeBy::kScore, Direction::kReverse, false);
}
void ZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, RangeBy::kLex, Direction::kForward, false);
}
void ZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, RangeBy::kLex, Direction::kReverse, false);
}

// ZREMRANGEBYRANK / BYSCORE / BYLEX key min max.
void RemRangeGeneric(CommandContext& ctx, RangeBy by) {
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  if (by == RangeBy::kRank) {
    auto s = ParseIntArg(ctx, ctx.args[2]);
    if (!s) return;
    auto e = ParseIntArg(ctx, ctx.args[3]);
    if (!e) return;
    start = *s;
    end = *e;
  } else if (by == RangeBy::kScore) {
    if (!ParseScoreRange(ctx, ctx.args[2], ctx.args[3], &score_range)) return;
  } else if (!CheckLexRange(ctx, ctx.args[2], ctx.args[3])) {
    return;
  }
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  RankSpan span;
  {
    ZSetReader r(ref.entry());
    if (by == RangeBy::kRank) span = RankRange(r.Size(), start, end, false);
    else if (by == RangeBy::kScore) span = ScoreSpan(r, score_range);
    else span = LexSpan(r, ctx.args[2], ctx.args[3]);
  }
  if (span.hi > span.lo) {
    ZSetWriter w(ctx.db, ctx.Key(1), ref);
    w.RemoveRanks(span.lo, span.hi);
    w.Commit();
    NotifyEdit(ctx, kNotifyZSet,
               by == RangeBy::kRank    ? "zremrangebyrank"
               : by == RangeBy::kScore ? "zremrangebyscore"
                                       : "zremrangebylex",
               ctx.args[1]);
  }
  ctx.reply->Integer(int64_t(span.hi - span.lo));
}
void ZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kRank); }
void ZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kScore); }
void ZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kLex); }

// ---- random members and scan ----

void ZRandMember(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    KeyRef ref;
    if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
    if (!ref) {
      ctx.reply->NullBulk();
      return;
    }
    ctx.reply->Bulk(ZSetReader(ref.entry()).Random().member);
    return;
  }
  auto count = ParseRandomCount(ctx, ctx.args[2]);
  if (!count) return;
  if (ctx.args.size() > 4 ||
      (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "withscores"))) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  const bool with_scores = ctx.args.size() == 4;
  if (with_scores && (*count < -(INT64_MAX / 2) || *count > INT64_MAX / 2)) {
    ctx.reply->Error("ERR value is out of range");  // Redis 7.0's guard against count * 2
    return;
  }
  if (!CheckRandomReplySize(ctx, *count, with_scores ? 96 : 64)) return;
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref || *count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ZSetReader r(ref.entry());
  const size_t size = r.Size();
  auto header = [&](size_t n) {
    ctx.reply->ArrayHeader(with_scores && !ctx.reply->resp3() ? n * 2 : n);
  };
  if (*count < 0) {  // with repetition
    const size_t n = size_t(-*count);
    header(n);
    for (size_t i = 0; i < n; ++i) ReplyItem(ctx, r.Random(), with_scores);
    return;
  }
  const size_t n = size_t(*count);
  if (n >= size) {
    header(size);
    r.ForRanks(0, size, false, [&](ZItem it) { ReplyItem(ctx, it, with_scores); });
    return;
  }
  header(n);
  for (size_t i : SampleDistinct(size, n)) ReplyItem(ctx, r.At(i), with_scores);
}

void ZScan(CommandContext& ctx) {
  ScanArgs a;
  if (!ParseScanArgs(ctx, 2, false, &a)) return;
  KeyRef ref;
  if (!LookupZSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  std::vector<ZItem> items;
  uint64_t next = 0;
  if (ref) {
    next = ZSetReader(ref.entry()).Scan(a.cursor, size_t(a.count), [&](ZItem it) {
      if (ScanMatches(a, it.member)) items.push_back(it);
    });
  }
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::to_string(next));
  ctx.reply->ArrayHeader(items.size() * 2);
  for (const ZItem& it : items) {
    ctx.reply->Bulk(it.member);
    ctx.reply->Bulk(FormatDouble(it.score));  // scores are strings in ZSCAN, also in RESP3
  }
}

}  // namespace

void RegisterZSetFamily(CommandTable& t) {
  t.Add(Cmd("zadd", -4).Flags("write denyoom fast").Acl("@write @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
           "Add one or more members to a sorted set, or update its score if it already exists")
      .Handler(ZAdd));
  t.Add(Cmd("zincrby", 4).Flags("write denyoom fast").Acl("@write @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(log(N)) where N is the number of elements in the sorted set.",
           "Increment the score of a member in a sorted set")
      .Handler(ZIncrBy));
  t.Add(Cmd("zrem", -3).Flags("write fast").Acl("@write @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
           "Remove one or more members from a sorted set")
      .Handler(ZRem));
  t.Add(Cmd("zcard", 2).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(1)",
           "Get the number of members in a sorted set")
      .ReadsShared()
      .Handler(ZCard));
  t.Add(Cmd("zcount", 4).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.0.0", "O(log(N)) with N being the number of elements in the sorted set.",
           "Count the members in a sorted set with scores within the given values")
      .Handler(ZCount));
  t.Add(Cmd("zlexcount", 4).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.",
           "Count the number of members in a sorted set between a given lexicographical range")
      .Handler(ZLexCount));
  t.Add(Cmd("zscore", 3).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(1)",
           "Get the score associated with the given member in a sorted set")
      .ReadsShared()
      .Handler(ZScore));
  t.Add(Cmd("zmscore", -3).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "6.2.0", "O(N) where N is the number of members being requested.",
           "Get the score associated with the given members in a sorted set")
      .ReadsShared()
      .Handler(ZMScore));
  t.Add(Cmd("zrank", -3).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.0.0", "O(log(N))",
           "Determine the index of a member in a sorted set")
      .Handler(ZRank));
  t.Add(Cmd("zrevrank", -3).Flags("readonly fast").Acl("@read @sortedset @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.0.0", "O(log(N))",
           "Determine the index of a member in a sorted set, with scores ordered from high to low")
      .Handler(ZRevRank));
  t.Add(Cmd("zrange", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
           "Return a range of members in a sorted set")
      .Handler(ZRange));
  t.Add(Cmd("zrangestore", -5).Flags("write denyoom").Acl("@write @sortedset @slow").Keys(1, 2, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpec("RO access", 2, 0, 1, 0)
      .Doc("sorted-set", "6.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
           "Store a range of members from sorted set into another key")
      .Handler(ZRangeStore));
  t.Add(Cmd("zrevrange", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
           "Return a range of members in a sorted set, by index, with scores ordered from high to low")
      .Handler(ZRevRange));
  t.Add(Cmd("zrangebyscore", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "1.0.5", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
           "Return a range of members in a sorted set, by score")
      .Handler(ZRangeByScore));
  t.Add(Cmd("zrevrangebyscore", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
           "Return a range of members in a sorted set, by score, with scores ordered from high to low")
      .Handler(ZRevRangeByScore));
  t.Add(Cmd("zrangebylex", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
           "Return a range of members in a sorted set, by lexicographical range")
      .Handler(ZRangeByLex));
  t.Add(Cmd("zrevrangebylex", -4).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("sorted-set", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
           "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.")
      .Handler(ZRevRangeByLex));
  t.Add(Cmd("zremrangebyrank", 4).Flags("write").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("sorted-set", "2.0.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
           "Remove all members in a sorted set within the given indexes")
      .Handler(ZRemRangeByRank));
  t.Add(Cmd("zremrangebyscore", 4).Flags("write").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("sorted-set", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
           "Remove all members in a sorted set within the given scores")
      .Handler(ZRemRangeByScore));
  t.Add(Cmd("zremrangebylex", 4).Flags("write").Acl("@write @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("sorted-set", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
           "Remove all members in a sorted set between the given lexicographical range")
      .Handler(ZRemRangeByLex));
  t.Add(Cmd("zrandmember", -2).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("sorted-set", "6.2.0", "O(N) where N is the number of elements returned",
           "Get one or multiple random elements from a sorted set")
      .Handler(ZRandMember));
  t.Add(Cmd("zscan", -3).Flags("readonly").Acl("@read @sortedset @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("sorted-set", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
           "Incrementally iterate sorted sets elements and associated scores")
      .Handler(ZScan));
}

}  // namespace larder
