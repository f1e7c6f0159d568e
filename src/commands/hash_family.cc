// Hash commands: HSET HSETNX HGET HMGET HMSET HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS
// HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
#include <cmath>
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/hash_value.h"

namespace larder {
namespace {

// Finds the hash at args[1] for reading; replies `missing` handling is the caller's.
// Returns false after a WRONGTYPE reply.
bool LookupHash(CommandContext& ctx, DbView::Mode mode, KeyRef* ref) {
  *ref = ctx.db.Find(ctx.Key(1), mode);
  return ExpectKind(ctx, *ref, ValueKind::kHash);
}

// HSET / HMSET share this.
void HSetGeneric(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply->Error(WrongArityError(ctx.spec->name));
    return;
  }
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kWrite, &ref)) return;
  HashWriter w(ctx.db, ctx.Key(1), ref);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); i += 2) added += w.Set(ctx.args[i], ctx.args[i + 1]);
  w.Commit();
  Notify(ctx, kNotifyHash, "hset", ctx.args[1]);
  if (reply_ok) ctx.reply->Ok();
  else ctx.reply->Integer(added);
}
void HSet(CommandContext& ctx) { HSetGeneric(ctx, false); }
void HMSet(CommandContext& ctx) { HSetGeneric(ctx, true); }

void HSetNx(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kWrite, &ref)) return;
  if (ref && HashReader(ref.entry()).Get(ctx.args[2])) {
    ctx.reply->Integer(0);
    return;
  }
  HashWriter w(ctx.db, ctx.Key(1), ref);
  w.Set(ctx.args[2], ctx.args[3]);
  w.Commit();
  Notify(ctx, kNotifyHash, "hset", ctx.args[1]);
  ctx.reply->Integer(1);
}

void HGet(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  auto v = ref ? HashReader(ref.entry()).Get(ctx.args[2]) : std::nullopt;
  if (v) ctx.reply->Bulk(*v);
  else ctx.reply->NullBulk();
}

void HMGet(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  ctx.reply->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto v = ref ? HashReader(ref.entry()).Get(ctx.args[i]) : std::nullopt;
    if (v) ctx.reply->Bulk(*v);
    else ctx.reply->NullBulk();
  }
}

void HDel(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kWrite, &ref)) return;
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  HashWriter w(ctx.db, ctx.Key(1), ref);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) removed += w.Del(ctx.args[i]);
  w.Commit();
  if (removed > 0) NotifyEdit(ctx, kNotifyHash, "hdel", ctx.args[1]);
  ctx.reply->Integer(removed);
}

void HExists(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref && HashReader(ref.entry()).Get(ctx.args[2]) ? 1 : 0);
}

void HLen(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  ctx.reply->Integer(ref ? int64_t(HashReader(ref.entry()).Len()) : 0);
}

void HStrLen(CommandContext& ctx) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  auto v = ref ? HashReader(ref.entry()).Get(ctx.args[2]) : std::nullopt;
  ctx.reply->Integer(v ? int64_t(v->size()) : 0);
}

enum class Part { kKeys, kValues, kBoth };

void HGetAllGeneric(CommandContext& ctx, Part part) {
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  if (!ref) {
    if (part == Part::kBoth) ctx.reply->MapHeader(0);
    else ctx.reply->ArrayHeader(0);
    return;
  }
  HashReader h(ref.entry());
  if (part == Part::kBoth) ctx.reply->MapHeader(h.Len());
  else ctx.reply->ArrayHeader(h.Len());
  h.ForEach([&](std::string_view f, std::string_view v) {
    if (part != Part::kValues) ctx.reply->Bulk(f);
    if (part != Part::kKeys) ctx.reply->Bulk(v);
  });
}
void HKeys(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kKeys); }
void HVals(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kValues); }
void HGetAll(CommandContext& ctx) { HGetAllGeneric(ctx, Part::kBoth); }

void HIncrBy(CommandContext& ctx) {
  auto incr = ParseIntArg(ctx, ctx.args[3]);
  if (!incr) return;
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kWrite, &ref)) return;
  HashWriter w(ctx.db, ctx.Key(1), ref);
  int64_t value = 0;
  if (auto cur = w.Get(ctx.args[2])) {
    auto v = ParseInt64(*cur);
    if (!v) {
      ctx.reply->Error("ERR hash value is not an integer");
      return;
    }
    value = *v;
  }
  if ((*incr < 0 && value < 0 && *incr < INT64_MIN - value) ||
      (*incr > 0 && value > 0 && *incr > INT64_MAX - value)) {
    ctx.reply->Error(errors::kOverflow);
    return;
  }
  value += *incr;
  char buf[24];
  w.Set(ctx.args[2], std::string_view(buf, FormatInt(buf, value)));
  w.Commit();
  Notify(ctx, kNotifyHash, "hincrby", ctx.args[1]);
  ctx.reply->Integer(value);
}

void HIncrByFloat(CommandContext& ctx) {
  auto incr = ParseLongDouble(ctx.args[3]);
  if (!incr) {
    ctx.reply->Error(errors::kNotFloat);
    return;
  }
  if (std::isnan(*incr) || std::isinf(*incr)) {
    ctx.reply->Error("ERR value is NaN or Infinity");
    return;
  }
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kWrite, &ref)) return;
  HashWriter w(ctx.db, ctx.Key(1), ref);
  long double value = 0;
  if (auto cur = w.Get(ctx.args[2])) {
    auto v = ParseLongDouble(*cur);
    if (!v) {
      ctx.reply->Error("ERR hash value is not a float");
      return;
    }
    value = *v;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply->Error(errors::kNanOrInf);
    return;
  }
  std::string text = FormatLongDouble(value);
  w.Set(ctx.args[2], text);
  w.Commit();
  Notify(ctx, kNotifyHash, "hincrbyfloat", ctx.args[1]);
  ctx.reply->Bulk(text);
}

// Replies one field (and value) of HRANDFIELD ... WITHVALUES, per protocol.
void ReplyPair(CommandContext& ctx, std::string_view f, std::string_view v, bool with_values) {
  if (with_values && ctx.reply->resp3()) ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(f);
  if (with_values) ctx.reply->Bulk(v);
}

void HRandField(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    KeyRef ref;
    if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
    if (!ref) {
      ctx.reply->NullBulk();
      return;
    }
    ctx.reply->Bulk(HashReader(ref.entry()).Random().first);
    return;
  }
  auto count = ParseRandomCount(ctx, ctx.args[2]);
  if (!count) return;
  if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "withvalues"))) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  const bool with_values = ctx.args.size() == 4;
  if (with_values && (*count < -(INT64_MAX / 2) || *count > INT64_MAX / 2)) {
    ctx.reply->Error("ERR value is out of range");  // Redis 7.0's guard against count * 2
    return;
  }
  if (!CheckRandomReplySize(ctx, *count, with_values ? 128 : 64)) return;
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  if (!ref || *count == 0) {
    ctx.reply->ArrayHeader(0);
    return;
  }
  HashReader h(ref.entry());
  size_t size = h.Len();
  auto header = [&](size_t n) {
    ctx.reply->ArrayHeader(with_values && !ctx.reply->resp3() ? n * 2 : n);
  };
  if (*count < 0) {  // with repetition, in random order
    size_t n = size_t(-*count);
    header(n);
    for (size_t i = 0; i < n; ++i) {
      auto [f, v] = h.Random();
      ReplyPair(ctx, f, v, with_values);
    }
    return;
  }
  size_t n = size_t(*count);
  if (n >= size) {
    header(size);
    h.ForEach([&](std::string_view f, std::string_view v) { ReplyPair(ctx, f, v, with_values); });
    return;
  }
  // Distinct fields: collect the whole hash once, then sample.
  std::vector<std::pair<std::string_view, std::string_view>> all;
  all.reserve(size);
  h.ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  header(n);
  for (size_t i : SampleDistinct(size, n)) ReplyPair(ctx, all[i].first, all[i].second, with_values);
}

void HScan(CommandContext& ctx) {
  ScanArgs a;
  if (!ParseScanArgs(ctx, 2, false, &a)) return;
  KeyRef ref;
  if (!LookupHash(ctx, DbView::Mode::kRead, &ref)) return;
  std::vector<std::pair<std::string_view, std::string_view>> items;
  uint64_t next = 0;
  if (ref) {
    next = HashReader(ref.entry()).Scan(a.cursor, size_t(a.count),
                                        [&](std::string_view f, std::string_view v) {
                                          if (ScanMatches(a, f)) items.emplace_back(f, v);
                                        });
  }
  ctx.reply->ArrayHeader(2);
  ctx.reply->Bulk(std::to_string(next));
  ctx.reply->ArrayHeader(items.size() * 2);
  for (auto& [f, v] : items) {
    ctx.reply->Bulk(f);
    ctx.reply->Bulk(v);
  }
}

}  // namespace

void RegisterHashFamily(CommandTable& t) {
  t.Add(Cmd("hset", -4).Flags("write denyoom fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
           "Set the string value of a hash field")
      .Handler(HSet));
  t.Add(Cmd("hsetnx", 4).Flags("write denyoom fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1)",
           "Set the value of a hash field, only if the field does not exist")
      .Handler(HSetNx));
  t.Add(Cmd("hget", 3).Flags("readonly fast").Acl("@read @hash @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1)",
           "Get the value of a hash field")
      .ReadsShared()
      .Handler(HGet));
  t.Add(Cmd("hmget", -3).Flags("readonly fast").Acl("@read @hash @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(N) where N is the number of fields being requested.",
           "Get the values of all the given hash fields")
      .ReadsShared()
      .Handler(HMGet));
  t.Add(Cmd("hmset", -4).Flags("write denyoom fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(N) where N is the number of fields being set.",
           "Set multiple hash fields to multiple values")
      .Handler(HMSet));
  t.Add(Cmd("hdel", -3).Flags("write fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW delete", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(N) where N is the number of fields to be removed.",
           "Delete one or more hash fields")
      .Handler(HDel));
  t.Add(Cmd("hexists", 3).Flags("readonly fast").Acl("@read @hash @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1)",
           "Determine if a hash field exists")
      .ReadsShared()
      .Handler(HExists));
  t.Add(Cmd("hlen", 2).Flags("readonly fast").Acl("@read @hash @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1)",
           "Get the number of fields in a hash")
      .ReadsShared()
      .Handler(HLen));
  t.Add(Cmd("hstrlen", 3).Flags("readonly fast").Acl("@read @hash @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("hash", "3.2.0", "O(1)",
           "Get the length of the value of a hash field")
      .ReadsShared()
      .Handler(HStrLen));
  t.Add(Cmd("hkeys", 2).Flags("readonly").Acl("@read @hash @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("hash", "2.0.0", "O(N) where N is the size of the hash.",
           "Get all the fields in a hash")
      .Handler(HKeys));
  t.Add(Cmd("hvals", 2).Flags("readonly").Acl("@read @hash @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("hash", "2.0.0", "O(N) where N is the size of the hash.",
           "Get all the values in a hash")
      .Handler(HVals));
  t.Add(Cmd("hgetall", 2).Flags("readonly").Acl("@read @hash @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output_order")
      .Doc("hash", "2.0.0", "O(N) where N is the size of the hash.",
           "Get all the fields and values in a hash")
      .Handler(HGetAll));
  t.Add(Cmd("hincrby", 4).Flags("write denyoom fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("hash", "2.0.0", "O(1)",
           "Increment the integer value of a hash field by the given number")
      .Handler(HIncrBy));
  t.Add(Cmd("hincrbyfloat", 4).Flags("write denyoom fast").Acl("@write @hash @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("hash", "2.6.0", "O(1)",
           "Increment the float value of a hash field by the given amount")
      .Handler(HIncrByFloat));
  t.Add(Cmd("hrandfield", -2).Flags("readonly").Acl("@read @hash @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("hash", "6.2.0", "O(N) where N is the number of fields returned",
           "Get one or multiple random fields from a hash")
      .Handler(HRandField));
  t.Add(Cmd("hscan", -3).Flags("readonly").Acl("@read @hash @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Tip("nondeterministic_output")
      .Doc("hash", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
           "Incrementally iterate hash fields and associated values")
      .Handler(HScan));
}

}  // namespace larder
