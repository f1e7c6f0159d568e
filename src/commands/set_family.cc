// Set commands: SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SPOP SRANDMEMBER SMOVE
// SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/set_value.h"

namespace larder {
namespace {

bool LookupSet(CommandContext& ctx, size_t arg, DbView::Mode mode, KeyRef* ref) {
  *ref = ctx.db.Find(ctx.Key(arg), mode);
  return ExpectKind(ctx, *ref, ValueKind::kSet);
}

void SAdd(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  SetWriter w(ctx.db, ctx.Key(1), ref);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) added += w.Add(ctx.args[i]);
  w.Commit();
  if (added > 0) Notify(ctx, kNotifySet, "sadd", ctx.args[1]);
  ctx.reply->Integer(added);
}

void SRem(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  SetWriter w(ctx.db, ctx.Key(1), ref);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) removed += w.Remove(ctx.args[i]);
  w.Commit();
  if (removed > 0) NotifyEdit(ctx, kNotifySet, "srem", ctx.args[1]);
  ctx.reply->Integer(removed);
}

void SIsMember(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref && SetReader(ref.entry()).Contains(ctx.args[2]) ? 1 : 0);
}

void SMIsMember(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply->Integer(ref && SetReader(ref.entry()).Contains(ctx.args[i]) ? 1 : 0);
  }
}

void SCard(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref ? int64_t(SetReader(ref.entry()).Size()) : 0);
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply->SetHeader(members.size());
  for (const std::string& m : members) ctx.reply->Bulk(m);
}

void SMembers(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    ctx.reply->SetHeader(0);
    return;
  }
  SetReader r(ref.entry());
  ctx.reply->SetHeader(r.Size());
  r.ForEach([&](std::string_view m) { ctx.reply->Bulk(m); });
}

void SPop(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  int64_t count = -1;
  if (ctx.args.size() == 3) {
    auto v = ParsePopCount(ctx, ctx.args[2]);
    if (!v) return;
    count = *v;
  }
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    if (count < 0) ctx.reply->NullBulk();
    else ctx.reply->SetHeader(0);
    return;
  }
  SetWriter w(ctx.db, ctx.Key(1), ref);
  if (count < 0) {
    std::string m = w.PopRandom();
    w.Commit();
    NotifyEdit(ctx, kNotifySet, "spop", ctx.args[1]);
    ctx.reply->Bulk(m);
    return;
  }
  size_t n = std::min(size_t(count), w.Size());
  ctx.reply->SetHeader(n);
  for (size_t i = 0; i < n; ++i) ctx.reply->Bulk(w.PopRandom());
  w.Commit();
  if (n > 0) NotifyEdit(ctx, kNotifySet, "spop", ctx.args[1]);
}

void SRandMember(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (ctx.args.size() == 2) {
    KeyRef ref;
    if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
    if (!ref) ctx.reply->NullBulk();
    else ctx.reply->Bulk(SetReader(ref.entry()).Random());
    return;
  }
  auto count = ParseRandomCount(ctx, ctx.args[2]);
  if (!count || !CheckRandomReplySize(ctx, *count, 64)) return;
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  if (!ref || *count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  SetReader r(ref.entry());
  if (*count < 0) {
    size_t n = size_t(-*count);
    ctx.reply->ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) ctx.reply->Bulk(r.Random());
    return;
  }
  std::vector<std::string> all = r.Members();
  size_t n = std::min(size_t(*count), all.size());
  ctx.reply->ArrayHeader(n);
  if (n == all.size()) {
    for (const std::string& m : all) ctx.reply->Bulk(m);
    return;
  }
  for (size_t i : SampleDistinct(all.size(), n)) ctx.reply->Bulk(all[i]);
}

void SMove(CommandContext& ctx) {
  KeyRef src = ctx.db.Find(ctx.Key(1), DbView::Mode::kWrite);
  KeyRef dst = ctx.db.Find(ctx.Key(2), DbView::Mode::kWrite);
  if (!src) {
    ctx.reply->Integer(0);
    return;
  }
  if (!ExpectKind(ctx, src, ValueKind::kSet) || !ExpectKind(ctx, dst, ValueKind::kSet)) return;
  std::string_view member = ctx.args[3];
  if (ctx.args[1] == ctx.args[2]) {
    ctx.reply->Integer(SetReader(src.entry()).Contains(member) ? 1 : 0);
    return;
  }
  {
    SetWriter w(ctx.db, ctx.Key(1), src);
    if (!w.Remove(member)) {
      ctx.reply->Integer(0);
      return;
    }
    w.Commit();
  }
  NotifyEdit(ctx, kNotifySet, "srem", ctx.args[1]);
  dst = ctx.db.Find(ctx.Key(2), DbView::Mode::kPeek);  // the source's commit may move it
  SetWriter d(ctx.db, ctx.Key(2), dst);
  const bool added = d.Add(member);
  d.Commit();
  if (added) Notify(ctx, kNotifySet, "sadd", ctx.args[2]);
  ctx.reply->Integer(1);
}

// ---- set algebra ----

enum class Algebra { kInter, kUnion, kDiff };

// Loads the sets at args[first..last) (missing keys are empty). Returns false after
// a WRONGTYPE reply. `present[i]` tells whether key i exists.
bool LoadSets(CommandContext& ctx, size_t first, size_t last, std::vector<KeyRef>* refs) {
  for (size_t i = first; i < last; ++i) {
    KeyRef ref;
    if (!LookupSet(ctx, i, DbView::Mode::kRead, &ref)) return false;
    refs->push_back(ref);
  }
  return true;
}

// Computes the result of an operation over the loaded sets, in Redis's output order.
std::vector<std::string> Compute(Algebra op, const std::vector<KeyRef>& refs, size_t limit = 0) {
  std::vector<std::string> out;
  if (op == Algebra::kInter) {
    for (const KeyRef& r : refs) {
      if (!r) return out;  // an empty set empties the intersection
    }
    // Walk the smallest set and probe the others.
    std::vector<size_t> order(refs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return SetReader(refs[a].entry()).Size() < SetReader(refs[b].entry()).Size();
    });
    SetReader(refs[order[0]].entry()).ForEach([&](std::string_view m) {
      if (limit && out.size() >= limit) return;
      for (size_t j = 1; j < order.size(); ++j) {
        if (!SetReader(refs[order[j]].entry()).Contains(m)) return;
      }
      out.emplace_back(m);
    });
    return out;
  }
  std::unordered_set<std::string> seen;
  if (op == Algebra::kUnion) {
    for (const KeyRef& r : refs) {
      if (!r) continue;
      SetReader(r.entry()).ForEach([&](std::string_view m) {
        if (seen.emplace(m).second) out.emplace_back(m);
      });
    }
    return out;
  }
  if (!refs[0]) return out;  // difference from an empty set
  SetReader(refs[0].entry()).ForEach([&](std::string_view m) {
    for (size_t j = 1; j < refs.size(); ++j) {
      if (refs[j] && SetReader(refs[j].entry()).Contains(m)) return;
    }
    out.emplace_back(m);
  });
  return out;
}

void AlgebraReply(CommandContext& ctx, Algebra op) {
  std::vector<KeyRef> refs;
  if (!LoadSets(ctx, 1, ctx.args.size(), &refs)) return;
  ReplyMembers(ctx, Compute(op, refs));
}
void SInter(CommandContext& ctx) { AlgebraReply(ctx, Algebra::kInter); }
void SUnion(CommandContext& ctx) { AlgebraReply(ctx, Algebra::kUnion); }
void SDiff(CommandContext& ctx) { AlgebraReply(ctx, Algebra::kDiff); }

void AlgebraStore(CommandContext& ctx, Algebra op) {
  std::vector<KeyRef> refs;
  if (!LoadSets(ctx, 2, ctx.args.size(), &refs)) return;
  std::vector<std::string> result = Compute(op, refs);
  KeyArg dst = ctx.Key(1);
  const bool existed = ctx.db.DeleteKey(dst);
  if (!result.empty()) {
    SetWriter w(ctx.db, dst, KeyRef());
    for (const std::string& m : result) w.Add(m);
    w.Commit();
    Notify(ctx, kNotifySet,
           op == Algebra::kInter ? "sinterstore" : op == Algebra::kUnion ? "sunionstore" : "sdiffstore",
           dst.key);
  } else if (existed) {
    Notify(ctx, kNotifyGeneric, "del", dst.key);
  }
  ctx.reply->Integer(int64_t(result.size()));
}
void SInterStore(CommandContext& ctx) { AlgebraStore(ctx, Algebra::kInter); }
void SUnionStore(CommandContext& ctx) { AlgebraStore(ctx, Algebra::kUnion); }
void SDiffStore(CommandContext& ctx) { AlgebraStore(ctx, Algebra::kDiff); }

void SInterCardKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  NumKeysFinder(args, 1, out);
}

void SInterCard(CommandContext& ctx) {
  auto n = ParseInt64(ctx.args[1]);
  if (!n || *n < 1) {
    ctx.reply->Error("ERR numkeys should be greater than 0");
    return;
  }
  if (*n > int64_t(ctx.args.size()) - 2) {
    ctx.reply->Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  int64_t limit = 0;
  for (size_t j = 2 + size_t(*n); j < ctx.args.size(); ++j) {
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(ctx.args[j], "limit") && more) {
      auto v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) {
        ctx.reply->Error("ERR LIMIT can't be negative");
        return;
      }
      limit = *v;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  std::vector<KeyRef> refs;
  if (!LoadSets(ctx, 2, 2 + size_t(*n), &refs)) return;
  ctx.reply->Integer(int64_t(Compute(Algebra::kInter, refs, size_t(limit)).size()));
}

void SScan(CommandContext& ctx) {
  ScanArgs a;
  if (!ParseScanArgs(ctx, 2, false, &a)) return;
  KeyRef ref;
  if (!LookupSet(ctx, 1, DbView::Mode::kRead, &ref)) return;
  std::vector<std::string> items;
  uint64_t next = 0;
  if (ref) {
    next = SetReader(ref.entry()).Scan(a.cursor, size_t(a.count), [&](std::string_view m) {
      if (ScanMatches(a, m)) items.emplace_back(m);
    });
  }
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::to_string(next));
  ctx.reply->ArrayHeader(items.size());
  for (const std::string& m : items) ctx.reply->Bulk(m);
}

}  // namespace

void RegisterSetFamily(CommandTable& t) {
  t.Add(Cmd("sadd", -3).Flags("write denyoom fast").Acl("@write @set @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("set", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
           "Add one or more members to a set")
      .Handler(SAdd));
  t.Add(Cmd("srem", -3).Flags("write fast").Acl("@write @set @fast").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("set", "1.0.0", "O(N) where N is the number of members to be removed.",
           "Remove one or more members from a set")
      .Handler(SRem));
  t.Add(Cmd("sismember", 3).Flags("readonly fast").Acl("@read @set @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("set", "1.0.0", "O(1)",
           "Determine if a given value is a member of a set")
      .ReadsShared()
      .Handler(SIsMember));
  t.Add(Cmd("smismember", -3).Flags("readonly fast").Acl("@read @set @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("set", "6.2.0", "O(N) where N is the number of elements being checked for membership",
           "Returns the membership associated with the given elements for a set")
      .ReadsShared()
      .Handler(SMIsMember));
  t.Add(Cmd("scard", 2).Flags("readonly fast").Acl("@read @set @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("set", "1.0.0", "O(1)",
           "Get the number of members in a set")
      .ReadsShared()
      .Handler(SCard));
  t.Add(Cmd("smembers", 2).Flags("readonly").Acl("@read @set @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("set", "1.0.0", "O(N) where N is the set cardinality.",
           "Get all the members in a set")
      .Handler(SMembers));
  t.Add(Cmd("spop", -2).Flags("write fast").Acl("@write @set @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
           "Remove and return one or multiple random members from a set")
      .Handler(SPop));
  t.Add(Cmd("srandmember", -2).Flags("readonly").Acl("@read @set @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
           "Get one or multiple random members from a set")
      .Handler(SRandMember));
  t.Add(Cmd("smove", 4).Flags("write fast").Acl("@write @set @fast").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("RW insert", 2, 0, 1, 0)
      .Doc("set", "1.0.0", "O(1)",
           "Move a member from one set to another")
      .Handler(SMove));
  t.Add(Cmd("sinter", -2).Flags("readonly").Acl("@read @set @slow").Keys(1, -1, 1)
      .KeySpec("RO access", 1, -1, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("set", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
           "Intersect multiple sets")
      .Handler(SInter));
  t.Add(Cmd("sintercard", -3).Flags("readonly movablekeys").Acl("@read @set @slow")
      .KeySpecKeynum("RO access", 1, 0, 1, 1).KeysFrom(SInterCardKeys)
      .Doc("set", "7.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
           "Intersect multiple sets and return the cardinality of the result")
      .Handler(SInterCard));
  t.Add(Cmd("sinterstore", -3).Flags("write denyoom").Acl("@write @set @slow").Keys(1, -1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .KeySpec("RO access", 2, -1, 1, 0)
      .Doc("set", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
           "Intersect multiple sets and store the resulting set in a key")
      .Handler(SInterStore));
  t.Add(Cmd("sunion", -2).Flags("readonly").Acl("@read @set @slow").Keys(1, -1, 1)
      .KeySpec("RO access", 1, -1, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("set", "1.0.0", "O(N) where N is the total number of elements in all given sets.",
           "Add multiple sets")
      .Handler(SUnion));
  t.Add(Cmd("sunionstore", -3).Flags("write denyoom").Acl("@write @set @slow").Keys(1, -1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpec("RO access", 2, -1, 1, 0)
      .Doc("set", "1.0.0", "O(N) where N is the total number of elements in all given sets.",
           "Add multiple sets and store the resulting set in a key")
      .Handler(SUnionStore));
  t.Add(Cmd("sdiff", -2).Flags("readonly").Acl("@read @set @slow").Keys(1, -1, 1)
      .KeySpec("RO access", 1, -1, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("set", "1.0.0", "O(N) where N is the total number of elements in all given sets.",
           "Subtract multiple sets")
      .Handler(SDiff));
  t.Add(Cmd("sdiffstore", -3).Flags("write denyoom").Acl("@write @set @slow").Keys(1, -1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .KeySpec("RO access", 2, -1, 1, 0)
      .Doc("set", "1.0.0", "O(N) where N is the total number of elements in all given sets.",
           "Subtract multiple sets and store the resulting set in a key")
      .Handler(SDiffStore));
  t.Add(Cmd("sscan", -3).Flags("readonly").Acl("@read @set @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("set", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
           "Incrementally iterate Set elements")
      .Handler(SScan));
}

}  // namespace larder
