// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
// LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
#include <cmath>
#include <string>
#include <vector>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/list_value.h"

namespace larder {
namespace {

bool LookupList(CommandContext& ctx, size_t arg, DbView::Mode mode, KeyRef* ref) {
  *ref = ctx.db.Find(ctx.Key(arg), mode);
  return ExpectKind(ctx, *ref, ValueKind::kList);
}

// Normalises a [start, stop] range over a list of `len` elements as LRANGE does;
// false when it is empty.
bool ListRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) *start = len + *start;
  if (*stop < 0) *stop = len + *stop;
  if (*start < 0) *start = 0;
  if (*start > *stop || *start >= len) return false;
  if (*stop >= len) *stop = len - 1;
  return true;
}

// ---- push ----

void PushGeneric(CommandContext& ctx, bool front, bool only_existing) {
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (only_existing && !ref) {
    ctx.reply->Integer(0);
    return;
  }
  ListWriter w(ctx.db, ctx.Key(1), ref);
  for (size_t i = 2; i < ctx.args.size(); ++i) w.Push(ctx.args[i], front);
  size_t len = w.Len();
  w.Commit();
  Notify(ctx, kNotifyList, front ? "lpush" : "rpush", ctx.args[1]);
  ctx.reply->Integer(int64_t(len));
}
void LPush(CommandContext& ctx) { PushGeneric(ctx, true, false); }
void RPush(CommandContext& ctx) { PushGeneric(ctx, false, false); }
void LPushX(CommandContext& ctx) { PushGeneric(ctx, true, true); }
void RPushX(CommandContext& ctx) { PushGeneric(ctx, false, true); }

// ---- pop ----

// Parses "LEFT" / "RIGHT".
std::optional<bool> ParseWhere(CommandContext& ctx, std::string_view arg) {
  if (EqualsIgnoreCase(arg, "left")) return true;
  if (EqualsIgnoreCase(arg, "right")) return false;
  ctx.reply->Error(errors::kSyntax);
  return std::nullopt;
}

void PopGeneric(CommandContext& ctx, bool front) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error(WrongArityError(ctx.spec->name));
    return;
  }
  int64_t count = 0;
  const bool has_count = ctx.args.size() == 3;
  if (has_count) {
    auto v = ParsePopCount(ctx, ctx.args[2]);
    if (!v) return;
    count = *v;
  }
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    if (has_count) ctx.reply->NullArray();
    else ctx.reply->NullBulk();
    return;
  }
  if (has_count && count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ListWriter w(ctx.db, ctx.Key(1), ref);
  if (!has_count) {
    std::string v = w.Pop(front);
    w.Commit();
    NotifyEdit(ctx, kNotifyList, front ? "lpop" : "rpop", ctx.args[1]);
    ctx.reply->Bulk(v);
    return;
  }
  size_t n = std::min(size_t(count), w.Len());
  ctx.reply->ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) ctx.reply->Bulk(w.Pop(front));
  w.Commit();
  NotifyEdit(ctx, kNotifyList, front ? "lpop" : "rpop", ctx.args[1]);
}
void LPop(CommandContext& ctx) { PopGeneric(ctx, true); }
void RPop(CommandContext& ctx) { PopGeneric(ctx, false); }

// ---- reads ----

void LLen(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref ? int64_t(ListReader(ref.entry()).Len()) : 0);
}

void LRange(CommandContext& ctx) {
  auto start = ParseIntArg(ctx, ctx.args[2]);
  if (!start) return;
  auto stop = ParseIntArg(ctx, ctx.args[3]);
  if (!stop) return;
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ListReader r(ref.entry());
  int64_t a = *start, b = *stop;
  if (!ListRange(int64_t(r.Len()), &a, &b)) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  ctx.reply->ArrayHeader(size_t(b - a + 1));
  r.ForRange(size_t(a), size_t(b), [&](std::string_view v) { ctx.reply->Bulk(v); });
}

void LIndex(CommandContext& ctx) {
  auto index = ParseIntArg(ctx, ctx.args[2]);
  if (!index) return;
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    ctx.reply->NullBulk();
    return;
  }
  ListReader r(ref.entry());
  int64_t i = *index < 0 ? int64_t(r.Len()) + *index : *index;
  if (i < 0 || i >= int64_t(r.Len())) ctx.reply->NullBulk();
  else ctx.reply->Bulk(r.At(size_t(i)));
}

// ---- edits ----

void LSet(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Error(errors::kNoSuchKey);
    return;
  }
  auto index = ParseIntArg(ctx, ctx.args[2]);
  if (!index) return;
  ListWriter w(ctx.db, ctx.Key(1), ref);
  int64_t i = *index < 0 ? int64_t(w.Len()) + *index : *index;
  if (i < 0 || i >= int64_t(w.Len())) {
    ctx.reply->Error("ERR index out of range");
    return;
  }
  w.Set(size_t(i), ctx.args[3]);
  w.Commit();
  Notify(ctx, kNotifyList, "lset", ctx.args[1]);
  ctx.reply->Ok();
}

void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "after")) after = true;
  else if (EqualsIgnoreCase(ctx.args[2], "before")) after = false;
  else {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  ListWriter w(ctx.db, ctx.Key(1), ref);
  if (!w.Insert(ctx.args[3], ctx.args[4], after)) {
    ctx.reply->Integer(-1);
    return;
  }
  size_t len = w.Len();
  w.Commit();
  Notify(ctx, kNotifyList, "linsert", ctx.args[1]);
  ctx.reply->Integer(int64_t(len));
}

void LRem(CommandContext& ctx) {
  auto count = ParseIntArg(ctx, ctx.args[2]);
  if (!count) return;
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  ListWriter w(ctx.db, ctx.Key(1), ref);
  size_t removed = w.Remove(ctx.args[3], *count);
  w.Commit();
  if (removed > 0) NotifyEdit(ctx, kNotifyList, "lrem", ctx.args[1]);
  ctx.reply->Integer(int64_t(removed));
}

void LTrim(CommandContext& ctx) {
  auto start = ParseIntArg(ctx, ctx.args[2]);
  if (!start) return;
  auto stop = ParseIntArg(ctx, ctx.args[3]);
  if (!stop) return;
  KeyRef ref;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Ok();
    return;
  }
  ListWriter w(ctx.db, ctx.Key(1), ref);
  int64_t a = *start, b = *stop;
  bool keep = ListRange(int64_t(w.Len()), &a, &b);
  if (!keep || a > 0 || b < int64_t(w.Len()) - 1) w.Keep(size_t(a), size_t(b), !keep);
  w.Commit();
  NotifyEdit(ctx, kNotifyList, "ltrim", ctx.args[1]);
  ctx.reply->Ok();
}

void LPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(opt, "rank") && more) {
      auto v = ParseInt64(ctx.args[++j]);
      if (!v) {
        ctx.reply->Error(errors::kNotInteger);
        return;
      }
      if (*v == 0) {
        ctx.reply->Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                         "the second ... or use negative to start from the end of the list");
        return;
      }
      rank = *v;
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      auto v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) {
        ctx.reply->Error("ERR COUNT can't be negative");
        return;
      }
      count = *v;
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      auto v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) {
        ctx.reply->Error("ERR MAXLEN can't be negative");
        return;
      }
      maxlen = *v;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  KeyRef ref;
  ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    if (count != -1) ctx.reply->ArrayHeader(0);
    else ctx.reply->NullBulk();
    return;
  }
  if (!ExpectKind(ctx, ref, ValueKind::kList)) return;
  ListReader r(ref.entry());
  const bool from_tail = rank < 0;
  // Redis 7.0 negates the rank: INT64_MIN stays negative there, so every match
  // qualifies from the first one on, and COUNT never stops the search.
  const bool min_rank = rank == INT64_MIN;
  const uint64_t need = min_rank ? 1 : uint64_t(from_tail ? -rank : rank);
  if (min_rank && count > 0) count = 0;
  std::vector<int64_t> found;
  uint64_t matches = 0;
  uint64_t seen = 0;
  auto visit = [&](size_t index, std::string_view v) {
    if (maxlen != 0 && seen >= uint64_t(maxlen)) return false;
    ++seen;
    if (v != ctx.args[2]) return true;
    if (++matches < need) return true;
    found.push_back(int64_t(index));
    return count > 0 && int64_t(found.size()) < count ? true : count == 0;
  };
  if (from_tail) {
    r.ForEachReverse(visit);
  } else {
    size_t i = 0;
    bool go = true;
    if (r.Len() > 0) {
      r.ForRange(0, r.Len() - 1, [&](std::string_view v) {
        if (go) go = visit(i, v);
        ++i;
      });
    }
  }
  if (count == -1) {
    if (found.empty()) ctx.reply->NullBulk();
    else ctx.reply->Integer(found.front());
    return;
  }
  ctx.reply->ArrayHeader(found.size());
  for (int64_t idx : found) ctx.reply->Integer(idx);
}

// ---- moves ----

// Pops from `src` and pushes onto `dst`: both lists, src non-empty. Returns the value.
std::string MoveElement(DbView& db, const KeyArg& src, KeyRef src_ref, const KeyArg& dst,
                        bool from_front, bool to_front) {
  std::string value;
  if (src.key == dst.key) {  // a rotation: the list never becomes empty
    ListWriter w(db, src, src_ref);
    value = w.Pop(from_front);
    w.Push(value, to_front);
    w.Commit();
  } else {
    {
      ListWriter s(db, src, src_ref);
      value = s.Pop(from_front);
      s.Commit();
    }
    KeyRef dst_ref = db.Find(dst, DbView::Mode::kWrite);  // src's commit may have moved it
    ListWriter d(db, dst, dst_ref);
    d.Push(value, to_front);
    d.Commit();
  }
  // Redis's order: the push, then the pop (and "del" if the source emptied).
  db.Notify(kNotifyList, to_front ? "lpush" : "rpush", dst.key);
  NotifyEdit(db, kNotifyList, from_front ? "lpop" : "rpop", src.key);
  return value;
}

void MoveGeneric(CommandContext& ctx, bool from_front, bool to_front) {
  KeyRef src;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &src)) return;
  if (!src) {
    ctx.reply->NullBulk();
    return;
  }
  KeyRef dst;
  if (!LookupList(ctx, 2, DbView::Mode::kWrite, &dst)) return;
  ctx.reply->Bulk(MoveElement(ctx.db, ctx.Key(1), ctx.db.Find(ctx.Key(1), DbView::Mode::kPeek),
                              ctx.Key(2), from_front, to_front));
}

void LMove(CommandContext& ctx) {
  auto from = ParseWhere(ctx, ctx.args[3]);
  if (!from) return;
  auto to = ParseWhere(ctx, ctx.args[4]);
  if (!to) return;
  MoveGeneric(ctx, *from, *to);
}
void RPopLPush(CommandContext& ctx) { MoveGeneric(ctx, false, true); }

// ---- multi-key pops ----

void LMPopKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 1, out);
}
void BLMPopKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 2, out);
}

// Pops up to `count` elements of a non-empty list and replies [key, [elements]].
void ReplyMPop(DbView& db, const KeyArg& k, KeyRef ref, bool from_front, int64_t count,
               ReplyBuilder& reply) {
  ListWriter w(db, k, ref);
  size_t n = std::min(size_t(count), w.Len());
  reply.ArrayHeader(2);
  reply.Bulk(k.key);
  reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) reply.Bulk(w.Pop(from_front));
  w.Commit();
  NotifyEdit(db, kNotifyList, from_front ? "lpop" : "rpop", k.key);
}

void LMPop(CommandContext& ctx) {
  MPopGeneric(ctx, 0, ValueKind::kList, "left", "right", ReplyMPop, nullptr);
}

// ---- blocking ----

// BLPOP / BRPOP / BLMPOP waiter: pops from ready_key.
bool ServeListPop(DbView& db, const BlockRequest& req, std::string_view ready_key,
                  ReplyBuilder& reply) {
  KeyArg k = MakeKeyArg(ready_key);
  KeyRef ref = db.Find(k, DbView::Mode::kWrite);
  if (!ref || ref.kind() != ValueKind::kList) return false;
  if (req.count >= 0) {
    ReplyMPop(db, k, ref, req.from_front, req.count, reply);
    return true;
  }
  ListWriter w(db, k, ref);
  std::string v = w.Pop(req.from_front);
  w.Commit();
  NotifyEdit(db, kNotifyList, req.from_front ? "lpop" : "rpop", ready_key);
  reply.ArrayHeader(2);
  reply.Bulk(ready_key);
  reply.Bulk(v);
  return true;
}

// BLMOVE / BRPOPLPUSH waiter.
bool ServeListMove(DbView& db, const BlockRequest& req, std::string_view ready_key,
                   ReplyBuilder& reply) {
  KeyArg src = MakeKeyArg(ready_key);
  KeyRef ref = db.Find(src, DbView::Mode::kWrite);
  if (!ref || ref.kind() != ValueKind::kList) return false;
  KeyArg dst = MakeKeyArg(req.dest);
  KeyRef dref = db.Find(dst, DbView::Mode::kPeek);
  if (dref && dref.kind() != ValueKind::kList) {
    reply.Error(errors::kWrongType);  // the waiter is answered; nothing moves
    return true;
  }
  ref = db.Find(src, DbView::Mode::kPeek);
  reply.Bulk(MoveElement(db, src, ref, dst, req.from_front, req.to_front));
  return true;
}

void BlockingPop(CommandContext& ctx, bool front) {
  auto deadline = ParseTimeout(ctx, ctx.args.back());
  if (!deadline) return;
  for (size_t i = 1; i + 1 < ctx.args.size(); ++i) {
    KeyRef ref;
    if (!LookupList(ctx, i, DbView::Mode::kWrite, &ref)) return;
    if (!ref) continue;
    ListWriter w(ctx.db, ctx.Key(i), ref);
    std::string v = w.Pop(front);
    w.Commit();
    NotifyEdit(ctx, kNotifyList, front ? "lpop" : "rpop", ctx.args[i]);
    ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk(ctx.args[i]);
    ctx.reply->Bulk(v);
    return;
  }
  BlockRequest req;
  req.serve = ServeListPop;
  for (size_t i = 1; i + 1 < ctx.args.size(); ++i) req.keys.emplace_back(ctx.args[i]);
  req.from_front = front;
  req.deadline_ms = *deadline;
  if (!ctx.Block(std::move(req))) ctx.reply->NullArray();
}
void BLPop(CommandContext& ctx) { BlockingPop(ctx, true); }
void BRPop(CommandContext& ctx) { BlockingPop(ctx, false); }

void BlockingMove(CommandContext& ctx, bool from_front, bool to_front, std::string_view timeout) {
  auto deadline = ParseTimeout(ctx, timeout);
  if (!deadline) return;
  KeyRef src;
  if (!LookupList(ctx, 1, DbView::Mode::kWrite, &src)) return;
  if (src) {
    MoveGeneric(ctx, from_front, to_front);
    return;
  }
  BlockRequest req;
  req.serve = ServeListMove;
  req.keys.emplace_back(ctx.args[1]);
  req.dest.assign(ctx.args[2]);
  req.from_front = from_front;
  req.to_front = to_front;
  req.deadline_ms = *deadline;
  if (!ctx.Block(std::move(req))) ctx.reply->NullBulk();
}

void BLMove(CommandContext& ctx) {
  auto from = ParseWhere(ctx, ctx.args[3]);
  if (!from) return;
  auto to = ParseWhere(ctx, ctx.args[4]);
  if (!to) return;
  BlockingMove(ctx, *from, *to, ctx.args[5]);
}
void BRPopLPush(CommandContext& ctx) { BlockingMove(ctx, false, true, ctx.args[3]); }

void BLMPop(CommandContext& ctx) {
  MPopGeneric(ctx, 1, ValueKind::kList, "left", "right", ReplyMPop, ServeListPop);
}

}  // namespace

void RegisterListFamily(CommandTable& t) {
  t.Add(Cmd("lpush", -3).Flags("write denyoom fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
           "Prepend one or multiple elements to a list")
      .Handler(LPush));
  t.Add(Cmd("rpush", -3).Flags("write denyoom fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
           "Append one or multiple elements to a list")
      .Handler(RPush));
  t.Add(Cmd("lpushx", -3).Flags("write denyoom fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("list", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
           "Prepend an element to a list, only if the list exists")
      .Handler(LPushX));
  t.Add(Cmd("rpushx", -3).Flags("write denyoom fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("list", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
           "Append an element to a list, only if the list exists")
      .Handler(RPushX));
  t.Add(Cmd("lpop", -2).Flags("write fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N) where N is the number of elements returned",
           "Remove and get the first elements in a list")
      .Handler(LPop));
  t.Add(Cmd("rpop", -2).Flags("write fast").Acl("@write @list @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N) where N is the number of elements returned",
           "Remove and get the last elements in a list")
      .Handler(RPop));
  t.Add(Cmd("llen", 2).Flags("readonly fast").Acl("@read @list @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(1)",
           "Get the length of a list")
      .ReadsShared()
      .Handler(LLen));
  t.Add(Cmd("lrange", 4).Flags("readonly").Acl("@read @list @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
           "Get a range of elements from a list")
      .Handler(LRange));
  t.Add(Cmd("lindex", 3).Flags("readonly").Acl("@read @list @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
           "Get an element from a list by its index")
      .Handler(LIndex));
  t.Add(Cmd("lset", 4).Flags("write denyoom").Acl("@write @list @slow").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
           "Set the value of an element in a list by its index")
      .Handler(LSet));
  t.Add(Cmd("linsert", 5).Flags("write denyoom").Acl("@write @list @slow").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("list", "2.2.0", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
           "Insert an element before or after another element in a list")
      .Handler(LInsert));
  t.Add(Cmd("lrem", 4).Flags("write").Acl("@write @list @slow").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N+M) where N is the length of the list and M is the number of elements removed.",
           "Remove elements from a list")
      .Handler(LRem));
  t.Add(Cmd("ltrim", 4).Flags("write").Acl("@write @list @slow").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("list", "1.0.0", "O(N) where N is the number of elements to be removed by the operation.",
           "Trim a list to the specified range")
      .Handler(LTrim));
  t.Add(Cmd("lpos", -3).Flags("readonly").Acl("@read @list @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("list", "6.0.6", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
           "Return the index of matching elements on a list")
      .Handler(LPos));
  t.Add(Cmd("lmove", 5).Flags("write denyoom").Acl("@write @list @slow").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("RW insert", 2, 0, 1, 0)
      .Doc("list", "6.2.0", "O(1)",
           "Pop an element from a list, push it to another list and return it")
      .Handler(LMove));
  t.Add(Cmd("rpoplpush", 3).Flags("write denyoom").Acl("@write @list @slow").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("RW insert", 2, 0, 1, 0)
      .Doc("list", "1.2.0", "O(1)",
           "Remove the last element in a list, prepend it to another list and return it")
      .Handler(RPopLPush));
  t.Add(Cmd("lmpop", -4).Flags("write movablekeys").Acl("@write @list @slow")
      .KeySpecKeynum("RW access delete", 1, 0, 1, 1).KeysFrom(LMPopKeys)
      .Doc("list", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
           "Pop elements from a list")
      .Handler(LMPop));
  t.Add(Cmd("blpop", -3).Flags("write noscript blocking").Acl("@write @list @slow @blocking").Keys(1, -2, 1)
      .KeySpec("RW access delete", 1, -2, 1, 0)
      .Doc("list", "2.0.0", "O(N) where N is the number of provided keys.",
           "Remove and get the first element in a list, or block until one is available")
      .Handler(BLPop));
  t.Add(Cmd("brpop", -3).Flags("write noscript blocking").Acl("@write @list @slow @blocking").Keys(1, -2, 1)
      .KeySpec("RW access delete", 1, -2, 1, 0)
      .Doc("list", "2.0.0", "O(N) where N is the number of provided keys.",
           "Remove and get the last element in a list, or block until one is available")
      .Handler(BRPop));
  t.Add(Cmd("blmove", 6).Flags("write denyoom noscript blocking").Acl("@write @list @slow @blocking").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("RW insert", 2, 0, 1, 0)
      .Doc("list", "6.2.0", "O(1)",
           "Pop an element from a list, push it to another list and return it; or block until one is available")
      .Handler(BLMove));
  t.Add(Cmd("brpoplpush", 4).Flags("write denyoom noscript blocking").Acl("@write @list @slow @blocking").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("RW insert", 2, 0, 1, 0)
      .Doc("list", "2.2.0", "O(1)",
           "Pop an element from a list, push it to another list and return it; or block until one is available")
      .Handler(BRPopLPush));
  t.Add(Cmd("blmpop", -5).Flags("write blocking movablekeys").Acl("@write @list @slow @blocking")
      .KeySpecKeynum("RW access delete", 2, 0, 1, 1).KeysFrom(BLMPopKeys)
      .Doc("list", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
           "Pop elements from a list, or block until one is available")
      .Handler(BLMPop));
}

}  // namespace larder
