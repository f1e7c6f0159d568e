// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
// INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS.
#include <cmath>
#include <cstring>
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

namespace larder {
namespace {

// ---- SET and its variants share one implementation ----

enum SetFlags : unsigned {
  kSetNx = 1 << 0,
  kSetXx = 1 << 1,
  kSetGet = 1 << 2,
  kSetKeepTtl = 1 << 3,
  kSetEx = 1 << 4,
  kSetPx = 1 << 5,
  kSetExAt = 1 << 6,
  kSetPxAt = 1 << 7,
  kSetPersist = 1 << 8,
};
constexpr unsigned kAnyExpiry = kSetEx | kSetPx | kSetExAt | kSetPxAt;

// Parses SET / GETEX options from args[start..] with Redis's compatibility rules.
// `is_set` selects SET's option set (NX XX GET KEEPTTL) vs GETEX's (PERSIST).
bool ParseSetOptions(CommandContext& ctx, size_t start, bool is_set, unsigned* flags,
                     std::string_view* expire) {
  auto& args = ctx.args;
  for (size_t j = start; j < args.size(); ++j) {
    std::string_view opt = args[j];
    bool has_next = j + 1 < args.size();
    auto is = [&](std::string_view kw) { return EqualsIgnoreCase(opt, kw); };
    if (is("nx") && !(*flags & kSetXx) && is_set) {
      *flags |= kSetNx;
    } else if (is("xx") && !(*flags & kSetNx) && is_set) {
      *flags |= kSetXx;
    } else if (is("get") && is_set) {
      *flags |= kSetGet;
    } else if (is("keepttl") && !(*flags & (kSetPersist | kAnyExpiry)) && is_set) {
      *flags |= kSetKeepTtl;
    } else if (is("persist") && !is_set && !(*flags & (kAnyExpiry | kSetKeepTtl))) {
      *flags |= kSetPersist;
    } else if (is("ex") && !(*flags & (kSetKeepTtl | kSetPersist | kSetExAt | kSetPx | kSetPxAt)) &&
               has_next) {
      *flags |= kSetEx;
      *expire = args[++j];
    } else if (is("px") && !(*flags & (kSetKeepTtl | kSetPersist | kSetEx | kSetExAt | kSetPxAt)) &&
               has_next) {
      *flags |= kSetPx;
      *expire = args[++j];
    } else if (is("exat") && !(*flags & (kSetKeepTtl | kSetPersist | kSetEx | kSetPx | kSetPxAt)) &&
               has_next) {
      *flags |= kSetExAt;
      *expire = args[++j];
    } else if (is("pxat") && !(*flags & (kSetKeepTtl | kSetPersist | kSetEx | kSetExAt | kSetPx)) &&
               has_next) {
      *flags |= kSetPxAt;
      *expire = args[++j];
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// The absolute expiry the flags ask for (kNoExpiry when none); nullopt after an error.
std::optional<int64_t> ExpiryFromFlags(CommandContext& ctx, unsigned flags, std::string_view arg) {
  if (!(flags & kAnyExpiry)) return kNoExpiry;
  ExpireUnit unit = (flags & (kSetEx | kSetExAt)) ? ExpireUnit::kSeconds : ExpireUnit::kMillis;
  return ParseSetExpiry(ctx, arg, unit, (flags & (kSetEx | kSetPx)) != 0);
}

// Replies for SET-like commands once the outcome is known.
enum class SetReply { kOk, kOneZero };

void GenericSet(CommandContext& ctx, unsigned flags, std::string_view value, int64_t expire_at,
                SetReply style) {
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, (flags & kSetGet) ? DbView::Mode::kRead : DbView::Mode::kWrite);
  if (flags & kSetGet) {
    if (ref && !ExpectString(ctx, ref)) return;
    if (ref) ctx.reply->Bulk(ref.str());
    else ctx.reply->NullBulk();
  }
  if ((flags & kSetNx && ref) || (flags & kSetXx && !ref)) {
    if (flags & kSetGet) return;
    if (style == SetReply::kOneZero) ctx.reply->Integer(0);
    else ctx.reply->NullBulk();
    return;
  }
  ctx.db.SetString(k, &ref, value, (flags & kSetKeepTtl) ? kKeepTtl : expire_at);
  Notify(ctx, kNotifyString, "set", k.key);
  if (!(flags & kSetKeepTtl) && expire_at != kNoExpiry) Notify(ctx, kNotifyGeneric, "expire", k.key);
  if (flags & kSetGet) return;
  if (style == SetReply::kOneZero) ctx.reply->Integer(1);
  else ctx.reply->Ok();
}

void Set(CommandContext& ctx) {
  unsigned flags = 0;
  std::string_view expire;
  if (!ParseSetOptions(ctx, 3, true, &flags, &expire)) return;
  auto at = ExpiryFromFlags(ctx, flags, expire);
  if (!at) return;
  GenericSet(ctx, flags, ctx.args[2], *at, SetReply::kOk);
}

void SetNx(CommandContext& ctx) { GenericSet(ctx, kSetNx, ctx.args[2], kNoExpiry, SetReply::kOneZero); }

void SetExGeneric(CommandContext& ctx, ExpireUnit unit) {
  auto at = ParseSetExpiry(ctx, ctx.args[2], unit, true);
  if (!at) return;
  GenericSet(ctx, 0, ctx.args[3], *at, SetReply::kOk);
}
void SetEx(CommandContext& ctx) { SetExGeneric(ctx, ExpireUnit::kSeconds); }
void PSetEx(CommandContext& ctx) { SetExGeneric(ctx, ExpireUnit::kMillis); }

void GetSet(CommandContext& ctx) { GenericSet(ctx, kSetGet, ctx.args[2], kNoExpiry, SetReply::kOk); }

// ---- reads ----

// Where GET's lock-free read copies the value: straight into the reply when the output
// has room for it (ReplyBuilder::BulkRoom), else into a per-thread buffer (which only
// grows, so it is not zero-filled again per value).
class GetReplySink final : public ValueSink {
 public:
  explicit GetReplySink(ReplyBuilder* reply) : reply_(reply) {}
  char* Room(size_t n) override {
    char* const p = reply_->BulkRoom(n);
    in_reply_ = p != nullptr;
    if (in_reply_) return p;
    if (scratch_.size() < n) scratch_.resize(n);
    size_ = n;
    return scratch_.data();
  }
  void Reply() {
    if (in_reply_) reply_->CommitBulk();
    else reply_->Bulk({scratch_.data(), size_});
  }

 private:
  ReplyBuilder* reply_;
  bool in_reply_ = false;
  size_t size_ = 0;  // of the value in scratch_
  static thread_local std::string scratch_;
};
thread_local std::string GetReplySink::scratch_;

void Get(CommandContext& ctx) {
  if (!ctx.db.HoldsAny()) {  // dispatched without a lock (kCmdReadsOptimistic)
    GetReplySink sink(ctx.reply);
    switch (ctx.db.ReadStringOptimistic(ctx.Key(1), sink)) {
      case DbView::Optimistic::kFound:
        sink.Reply();
        return;
      case DbView::Optimistic::kMissing:
        ctx.reply->NullBulk();
        return;
      case DbView::Optimistic::kWrongType:
        ctx.reply->Error(errors::kWrongType);
        return;
      case DbView::Optimistic::kUnsure:
        ctx.db.HoldShared(ctx.Key(1));
        break;
    }
  }
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->NullBulk();
  } else if (ExpectString(ctx, ref)) {
    ctx.reply->Bulk(ref.str());
  }
}

void GetDel(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->NullBulk();
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  ctx.reply->Bulk(ref.str());
  ctx.db.Delete(&ref);
  Notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
}

void GetEx(CommandContext& ctx) {
  unsigned flags = 0;
  std::string_view expire;
  if (!ParseSetOptions(ctx, 2, false, &flags, &expire)) return;
  auto at = ExpiryFromFlags(ctx, flags, expire);
  if (!at) return;
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->NullBulk();
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  ctx.reply->Bulk(ref.str());
  if (*at != kNoExpiry) {
    if (*at < ctx.now_ms()) {  // already in the past: gone now
      ctx.db.Delete(&ref);
      Notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
    } else {
      ctx.db.SetExpiry(&ref, *at);
      Notify(ctx, kNotifyGeneric, "expire", ctx.args[1]);
    }
  } else if ((flags & kSetPersist) && ref.entry()->has_expiry()) {
    ctx.db.SetExpiry(&ref, kNoExpiry);
    Notify(ctx, kNotifyGeneric, "persist", ctx.args[1]);
  }
}

void MGet(CommandContext& ctx) {
  ctx.reply->ArrayHeader(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(i), DbView::Mode::kRead);
    if (ref && ref.kind() == ValueKind::kString) ctx.reply->Bulk(ref.str());
    else ctx.reply->NullBulk();
  }
}

void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.reply->Error(WrongArityError(ctx.spec->name));
    return;
  }
  if (nx) {
    for (size_t i = 1; i < ctx.args.size(); i += 2) {
      if (ctx.db.Exists(ctx.Key(i))) {
        ctx.reply->Integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    KeyArg k = ctx.Key(i);
    KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
    ctx.db.SetString(k, &ref, ctx.args[i + 1], kNoExpiry);
    Notify(ctx, kNotifyString, "set", k.key);
  }
  if (nx) ctx.reply->Integer(1);
  else ctx.reply->Ok();
}
void MSet(CommandContext& ctx) { MSetGeneric(ctx, false); }
void MSetNx(CommandContext& ctx) { MSetGeneric(ctx, true); }

// ---- counters ----

void IncrBy(CommandContext& ctx, int64_t incr) {
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  int64_t value = 0;
  if (ref) {
    if (!ExpectString(ctx, ref)) return;
    auto v = ParseInt64(ref.str());
    if (!v) {
      ctx.reply->Error(errors::kNotInteger);
      return;
    }
    value = *v;
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    ctx.reply->Error(errors::kOverflow);
    return;
  }
  value += incr;
  char buf[24];
  size_t n = FormatInt(buf, value);
  ctx.db.SetString(k, &ref, std::string_view(buf, n), kKeepTtl);
  Notify(ctx, kNotifyString, "incrby", k.key);
  ctx.reply->Integer(value);
}

void Incr(CommandContext& ctx) { IncrBy(ctx, 1); }
void Decr(CommandContext& ctx) { IncrBy(ctx, -1); }

void IncrByCmd(CommandContext& ctx) {
  auto incr = ParseIntArg(ctx, ctx.args[2]);
  if (incr) IncrBy(ctx, *incr);
}

void DecrByCmd(CommandContext& ctx) {
  auto incr = ParseIntArg(ctx, ctx.args[2]);
  if (!incr) return;
  if (*incr == INT64_MIN) {
    ctx.reply->Error(errors::kDecrOverflow);
    return;
  }
  IncrBy(ctx, -*incr);
}

void IncrByFloat(CommandContext& ctx) {
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  long double value = 0;
  if (ref) {
    if (!ExpectString(ctx, ref)) return;
    auto v = ParseLongDouble(ref.str());
    if (!v) {
      ctx.reply->Error(errors::kNotFloat);
      return;
    }
    value = *v;
  }
  auto incr = ParseLongDouble(ctx.args[2]);
  if (!incr) {
    ctx.reply->Error(errors::kNotFloat);
    return;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply->Error(errors::kNanOrInf);
    return;
  }
  std::string text = FormatLongDouble(value);
  ctx.db.SetString(k, &ref, text, kKeepTtl, StrHint::kPlain);
  Notify(ctx, kNotifyString, "incrbyfloat", k.key);
  ctx.reply->Bulk(text);
}

// ---- editing ----

// Redis's checkStringLength: the result may not exceed proto-max-bulk-len.
bool CheckLength(CommandContext& ctx, uint64_t size, uint64_t append) {
  uint64_t total = size + append;
  int64_t limit = ctx.settings->proto_max_bulk_len.load(std::memory_order_relaxed);
  if (total > uint64_t(limit) || total < size) {
    ctx.reply->Error(errors::kStringTooBig);
    return false;
  }
  return true;
}

void Append(CommandContext& ctx) {
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  std::string_view suffix = ctx.args[2];
  if (!ref) {
    ctx.db.SetString(k, &ref, suffix, kNoExpiry);
    Notify(ctx, kNotifyString, "append", k.key);
    ctx.reply->Integer(int64_t(suffix.size()));
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  if (!CheckLength(ctx, ref.str().size(), suffix.size())) return;
  ctx.reply->Integer(int64_t(ctx.db.Append(&ref, suffix)));
  Notify(ctx, kNotifyString, "append", k.key);
}

void StrLen(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Integer(0);
  } else if (ExpectString(ctx, ref)) {
    ctx.reply->Integer(int64_t(ref.str().size()));
  }
}

void GetRange(CommandContext& ctx) {
  auto start = ParseIntArg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = ParseIntArg(ctx, ctx.args[3]);
  if (!end) return;
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Bulk("");
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  std::string_view s = ref.str();
  int64_t len = int64_t(s.size());
  int64_t a = *start, b = *end;
  if (a < 0 && b < 0 && a > b) {
    ctx.reply->Bulk("");
    return;
  }
  if (a < 0) a = len + a;
  if (b < 0) b = len + b;
  if (a < 0) a = 0;
  if (b < 0) b = 0;
  if (b >= len) b = len - 1;
  if (a > b || len == 0) {
    ctx.reply->Bulk("");
    return;
  }
  ctx.reply->Bulk(s.substr(size_t(a), size_t(b - a + 1)));
}

void SetRange(CommandContext& ctx) {
  auto offset = ParseIntArg(ctx, ctx.args[2]);
  if (!offset) return;
  if (*offset < 0) {
    ctx.reply->Error("ERR offset is out of range");
    return;
  }
  std::string_view value = ctx.args[3];
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  if (!ref) {
    if (value.empty()) {
      ctx.reply->Integer(0);
      return;
    }
    if (!CheckLength(ctx, uint64_t(*offset), value.size())) return;
    ctx.db.SetString(k, &ref, "", kNoExpiry);
    ref = ctx.db.Find(k, DbView::Mode::kPeek);
  } else {
    if (!ExpectString(ctx, ref)) return;
    if (value.empty()) {
      ctx.reply->Integer(int64_t(ref.str().size()));
      return;
    }
    if (!CheckLength(ctx, uint64_t(*offset), value.size())) return;
  }
  char* data = ctx.db.GrowString(&ref, size_t(*offset) + value.size());
  std::memcpy(data + *offset, value.data(), value.size());
  Notify(ctx, kNotifyString, "setrange", k.key);
  ctx.reply->Integer(int64_t(ref.str().size()));
}

// ---- LCS ----

void Lcs(CommandContext& ctx) {
  std::string a, b;
  for (int i = 1; i <= 2; ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(size_t(i)), DbView::Mode::kRead);
    if (ref && ref.kind() != ValueKind::kString) {
      ctx.reply->Error("ERR The specified keys must contain string values");
      return;
    }
    if (ref) (i == 1 ? a : b).assign(ref.str());
  }
  bool want_idx = false, want_len = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(opt, "idx")) {
      want_idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      want_len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && more) {
      auto v = ParseIntArg(ctx, ctx.args[++j]);
      if (!v) return;
      min_match_len = *v < 0 ? 0 : *v;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  if (want_idx && want_len) {
    ctx.reply->Error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply->Error("ERR String too long for LCS");
    return;
  }
  const size_t rows = a.size() + 1, cols = b.size() + 1;
  const unsigned __int128 cells = (unsigned __int128)rows * cols;
  const int64_t limit = ctx.settings->proto_max_bulk_len.load(std::memory_order_relaxed);
  if (cells * sizeof(uint32_t) > (unsigned __int128)limit) {
    ctx.reply->Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  // table[i][j] = LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table(rows * cols, 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * cols + j]; };
  for (size_t i = 1; i < rows; ++i) {
    for (size_t j = 1; j < cols; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(rows - 1, cols - 1);
  if (want_len) {
    ctx.reply->Integer(total);
    return;
  }
  // Walk back from the end; contiguous diagonal matches form one range. On a tie the
  // walk moves left in b (as Redis does), which decides which LCS is reported.
  std::string lcs(total, '\0');
  struct Range {
    size_t a_start, a_end, b_start, b_end;
  };
  std::vector<Range> ranges;
  bool in_range = false;
  Range cur{};
  size_t i = a.size(), j = b.size(), fill = total;
  auto close_range = [&] {
    size_t len = cur.a_end - cur.a_start + 1;
    if (min_match_len == 0 || len >= size_t(min_match_len)) ranges.push_back(cur);
    in_range = false;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      lcs[--fill] = a[i - 1];
      if (!in_range) {
        cur = {i - 1, i - 1, j - 1, j - 1};
        in_range = true;
      } else {
        cur.a_start = i - 1;
        cur.b_start = j - 1;
      }
      --i;
      --j;
      if (cur.a_start == 0 || cur.b_start == 0) close_range();
    } else {
      if (at(i - 1, j) > at(i, j - 1)) --i;
      else --j;
      if (in_range) close_range();
    }
  }
  if (!want_idx) {
    ctx.reply->Bulk(lcs);
    return;
  }
  ctx.reply->MapHeader(2);
  ctx.reply->Bulk("matches");
  ctx.reply->ArrayHeader(ranges.size());
  for (const Range& r : ranges) {
    ctx.reply->ArrayHeader(with_match_len ? 3 : 2);
    ctx.reply->ArrayHeader(2);
    ctx.reply->Integer(int64_t(r.a_start));
    ctx.reply->Integer(int64_t(r.a_end));
    ctx.reply->ArrayHeader(2);
    ctx.reply->Integer(int64_t(r.b_start));
    ctx.reply->Integer(int64_t(r.b_end));
    if (with_match_len) ctx.reply->Integer(int64_t(r.a_end - r.a_start + 1));
  }
  ctx.reply->Bulk("len");
  ctx.reply->Integer(total);
}

}  // namespace

void RegisterStringFamily(CommandTable& t) {
  t.Add(Cmd("get", 2).Flags("readonly fast").Acl("@read @string @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Get the value of a key")
      .ReadsOptimistic()
      .Handler(Get));
  t.Add(Cmd("set", -3).Flags("write denyoom").Acl("@write @string @slow").Keys(1, 1, 1)
      .KeySpec("RW access update variable_flags", 1, 0, 1, 0, "RW and ACCESS due to the optional `GET` argument")
      .Doc("string", "1.0.0", "O(1)",
           "Set the string value of a key")
      .Handler(Set));
  t.Add(Cmd("setnx", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("OW insert", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Set the value of a key, only if the key does not exist")
      .Handler(SetNx));
  t.Add(Cmd("setex", 4).Flags("write denyoom").Acl("@write @string @slow").Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .Doc("string", "2.0.0", "O(1)",
           "Set the value and expiration of a key")
      .Handler(SetEx));
  t.Add(Cmd("psetex", 4).Flags("write denyoom").Acl("@write @string @slow").Keys(1, 1, 1)
      .KeySpec("OW update", 1, 0, 1, 0)
      .Doc("string", "2.6.0", "O(1)",
           "Set the value and expiration in milliseconds of a key")
      .Handler(PSetEx));
  t.Add(Cmd("getset", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Set the string value of a key and return its old value")
      .Handler(GetSet));
  t.Add(Cmd("getdel", 2).Flags("write fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .Doc("string", "6.2.0", "O(1)",
           "Get the value of a key and delete the key")
      .Handler(GetDel));
  t.Add(Cmd("getex", -2).Flags("write fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0, "RW and UPDATE because it changes the TTL")
      .Doc("string", "6.2.0", "O(1)",
           "Get the value of a key and optionally set its expiration")
      .Handler(GetEx));
  t.Add(Cmd("mget", -2).Flags("readonly fast").Acl("@read @string @fast").Keys(1, -1, 1)
      .KeySpec("RO access", 1, -1, 1, 0)
      .Tip("request_policy:multi_shard")
      .Doc("string", "1.0.0", "O(N) where N is the number of keys to retrieve.",
           "Get the values of all the given keys")
      .Handler(MGet));
  t.Add(Cmd("mset", -3).Flags("write denyoom").Acl("@write @string @slow").Keys(1, -1, 2)
      .KeySpec("OW update", 1, -1, 2, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:all_succeeded")
      .Doc("string", "1.0.1", "O(N) where N is the number of keys to set.",
           "Set multiple keys to multiple values")
      .Handler(MSet));
  t.Add(Cmd("msetnx", -3).Flags("write denyoom").Acl("@write @string @slow").Keys(1, -1, 2)
      .KeySpec("OW insert", 1, -1, 2, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:agg_min")
      .Doc("string", "1.0.1", "O(N) where N is the number of keys to set.",
           "Set multiple keys to multiple values, only if none of the keys exist")
      .Handler(MSetNx));
  t.Add(Cmd("incr", 2).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Increment the integer value of a key by one")
      .Handler(Incr));
  t.Add(Cmd("decr", 2).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Decrement the integer value of a key by one")
      .Handler(Decr));
  t.Add(Cmd("incrby", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Increment the integer value of a key by the given amount")
      .Handler(IncrByCmd));
  t.Add(Cmd("decrby", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(1)",
           "Decrement the integer value of a key by the given number")
      .Handler(DecrByCmd));
  t.Add(Cmd("incrbyfloat", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("string", "2.6.0", "O(1)",
           "Increment the float value of a key by the given amount")
      .Handler(IncrByFloat));
  t.Add(Cmd("append", 3).Flags("write denyoom fast").Acl("@write @string @fast").Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("string", "2.0.0", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
           "Append a value to a key")
      .Handler(Append));
  t.Add(Cmd("strlen", 2).Flags("readonly fast").Acl("@read @string @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("string", "2.2.0", "O(1)",
           "Get the length of the value stored in a key")
      .ReadsShared()
      .Handler(StrLen));
  t.Add(Cmd("getrange", 4).Flags("readonly").Acl("@read @string @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("string", "2.4.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
           "Get a substring of the string stored at a key")
      .ReadsShared()
      .Handler(GetRange));
  t.Add(Cmd("substr", 4).Flags("readonly").Acl("@read @string @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("string", "1.0.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
           "Get a substring of the string stored at a key")
      .ReadsShared()
      .Handler(GetRange));
  t.Add(Cmd("setrange", 4).Flags("write denyoom").Acl("@write @string @slow").Keys(1, 1, 1)
      .KeySpec("RW update", 1, 0, 1, 0)
      .Doc("string", "2.2.0", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
           "Overwrite part of a string at key starting at the specified offset")
      .Handler(SetRange));
  t.Add(Cmd("lcs", -3).Flags("readonly").Acl("@read @string @slow").Keys(1, 2, 1)
      .KeySpec("RO access", 1, 1, 1, 0)
      .Doc("string", "7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively",
           "Find longest common substring")
      .Handler(Lcs));
}

}  // namespace larder
