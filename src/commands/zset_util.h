// Helpers shared by the sorted-set command files: ranges (ranks, scores, lex), reply
// shapes and storing a result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/context.h"
#include "storage/zset_value.h"

namespace larder {

// Finds the key at args[arg]; replies WRONGTYPE and returns false unless it is absent
// or a sorted set.
bool LookupZSet(CommandContext& ctx, size_t arg, DbView::Mode mode, KeyRef* ref);

// A score interval: "(x" is exclusive, "x" inclusive; parsed as Redis's zslParseRange
// (strtod up to the first NUL, so "" and "(" are 0, leading blanks and "1e400" pass).
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
};
// Replies "min or max is not a float" and returns false on a bad bound.
bool ParseScoreRange(CommandContext& ctx, std::string_view min, std::string_view max,
                     ScoreRange* out);
// Lex bounds are "-", "+", "[x" or "(x"; replies "min or max not valid string range
// item" and returns false otherwise.
bool CheckLexRange(CommandContext& ctx, std::string_view min, std::string_view max);

// Ranks [lo, hi) in ascending order.
struct RankSpan {
  size_t lo = 0, hi = 0;
};
RankSpan ScoreSpan(const ZSetReader& r, const ScoreRange& range);
RankSpan LexSpan(const ZSetReader& r, std::string_view min, std::string_view max);
// A ZRANGE-style index range (negative from the end, clamped as Redis does); for
// `reverse` the indexes count from the highest score.
RankSpan RankRange(size_t len, int64_t start, int64_t end, bool reverse);
// LIMIT offset count over a span walked forward or in reverse (a negative offset
// yields nothing, a negative count means all, as in Redis).
void ApplyLimit(RankSpan* span, bool reverse, int64_t offset, int64_t count);

// One element of a reply: the member, then with_scores its score (RESP3: a
// [member, score] pair).
void ReplyItem(CommandContext& ctx, ZItem item, bool with_scores);
// The elements of a span, walked forward or in reverse, as one array.
void ReplyRanks(CommandContext& ctx, const ZSetReader& r, RankSpan span, bool reverse,
                bool with_scores);

// Replaces the key at args[dest_at] (any type) with a sorted set of `items` (an empty
// result deletes it) and reports `event` (or "del" for an emptied key); returns the
// stored size.
size_t StoreZSet(CommandContext& ctx, size_t dest_at,
                 const std::vector<std::pair<std::string, double>>& items, std::string_view event);

}  // namespace larder
