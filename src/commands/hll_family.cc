// HyperLogLog commands: PFADD PFCOUNT PFMERGE. Values are strings in redis-server's
// representation (storage/hyperloglog.h), edited the way redis-server edits them, so a
// GET returns the same bytes on both servers after the same commands.
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "storage/hyperloglog.h"

namespace larder {
namespace {

// Replies and returns false unless `ref` holds a string with a valid HLL header.
bool ExpectHll(CommandContext& ctx, const KeyRef& ref) {
  if (!ExpectString(ctx, ref)) return false;
  if (hll::IsValid(ref.str())) return true;
  ctx.reply->Error(errors::kHllNotValid);
  return false;
}

size_t SparseMaxBytes(const CommandContext& ctx) {
  const int64_t v = ctx.settings->hll_sparse_max_bytes.load(std::memory_order_relaxed);
  return v < 0 ? 0 : size_t(v);
}

void PfAdd(CommandContext& ctx) {
  const KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  if (ref && !ExpectHll(ctx, ref)) return;
  bool updated = !ref;  // creating the key counts as an update
  const auto elements = ctx.args.subspan(2);

  if (ref && hll::IsDense(ref.str())) {
    // Dense values keep their size: edit in place.
    char* data = ctx.db.GrowString(&ref, ref.str().size());
    for (std::string_view e : elements) updated |= hll::DenseAdd(data, e);
    if (updated) hll::InvalidateCache(data);
    if (updated) Notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
    ctx.reply->Integer(updated ? 1 : 0);
    return;
  }

  std::string value = ref ? std::string(ref.str()) : hll::NewSparse();
  const size_t max_bytes = SparseMaxBytes(ctx);
  bool corrupt = false;
  for (std::string_view e : elements) {
    hll::Update u = hll::Add(&value, e, max_bytes);
    if (u == hll::Update::kCorrupt) {
      corrupt = true;
      break;
    }
    updated |= u == hll::Update::kChanged;
  }
  if (updated && !corrupt) hll::InvalidateCache(value.data());
  // Edits made before a corrupt spot stay, as on redis-server.
  ctx.db.SetString(k, &ref, value, ref ? kKeepTtl : kNoExpiry, StrHint::kRaw);
  if (corrupt) {
    ctx.reply->Error(errors::kHllCorrupt);
    return;
  }
  if (updated) Notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
  ctx.reply->Integer(updated ? 1 : 0);
}

// PFCOUNT of several keys: the cardinality of their union; caches are not touched.
void PfCountUnion(CommandContext& ctx) {
  hll::RawRegisters max{};
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(i), DbView::Mode::kRead);
    if (!ref) continue;
    if (!ExpectHll(ctx, ref)) return;
    if (!hll::MergeInto(&max, ref.str())) {
      ctx.reply->Error(errors::kHllCorrupt);
      return;
    }
  }
  ctx.reply->Integer(int64_t(hll::Count(max)));
}

void PfCount(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    PfCountUnion(ctx);
    return;
  }
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  if (!ExpectHll(ctx, ref)) return;
  char* data = ctx.db.GrowString(&ref, ref.str().size());
  const std::string_view value(data, ref.str().size());
  if (hll::CacheValid(value)) {
    ctx.reply->Integer(int64_t(hll::CachedCount(value)));
    return;
  }
  auto count = hll::Count(value);
  if (!count) {
    ctx.reply->Error(errors::kHllCorrupt);
    return;
  }
  hll::StoreCachedCount(data, *count);
  ctx.reply->Integer(int64_t(*count));
}

void PfMerge(CommandContext& ctx) {
  // The destination is also a source.
  hll::RawRegisters max{};
  bool use_dense = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(i), DbView::Mode::kRead);
    if (!ref) continue;
    if (!ExpectHll(ctx, ref)) return;
    use_dense |= hll::IsDense(ref.str());
    if (!hll::MergeInto(&max, ref.str())) {
      ctx.reply->Error(errors::kHllCorrupt);
      return;
    }
  }
  const KeyArg dest = ctx.Key(1);
  KeyRef ref = ctx.db.Find(dest, DbView::Mode::kWrite);
  const bool existed = bool(ref);
  std::string value = existed ? std::string(ref.str()) : hll::NewSparse();
  if (use_dense && !hll::SparseToDense(&value)) {
    // Unreachable for a destination that merged cleanly above; kept as a guard.
    ctx.reply->Error(errors::kHllCorrupt);
    return;
  }
  const size_t max_bytes = SparseMaxBytes(ctx);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::SetRegister(&value, i, max[i], max_bytes);
  }
  hll::InvalidateCache(value.data());
  ctx.db.SetString(dest, &ref, value, existed ? kKeepTtl : kNoExpiry, StrHint::kRaw);
  Notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
  ctx.reply->Ok();
}

}  // namespace

void RegisterHllFamily(CommandTable& t) {
  t.Add(Cmd("pfadd", -2).Flags("write denyoom fast").Acl("@write @hyperloglog @fast")
      .Keys(1, 1, 1)
      .KeySpec("RW insert", 1, 0, 1, 0)
      .Doc("hyperloglog", "2.8.9", "O(1) to add every element.",
           "Adds the specified elements to the specified HyperLogLog.")
      .Handler(PfAdd));
  t.Add(Cmd("pfcount", -2).Flags("readonly").Acl("@read @hyperloglog @slow").Keys(1, -1, 1)
      .KeySpec("RW access", 1, -1, 1, 0,
               "RW because it may change the internal representation of the key, and "
               "propagate to replicas")
      .Doc("hyperloglog", "2.8.9",
           "O(1) with a very small average constant time when called with a single key. "
           "O(N) with N being the number of keys, and much bigger constant times, when "
           "called with multiple keys.",
           "Return the approximated cardinality of the set(s) observed by the HyperLogLog "
           "at key(s).")
      .Handler(PfCount));
  t.Add(Cmd("pfmerge", -2).Flags("write denyoom").Acl("@write @hyperloglog @slow")
      .Keys(1, -1, 1)
      .KeySpec("RW access insert", 1, 0, 1, 0)
      .KeySpec("RO access", 2, -1, 1, 0)
      .Doc("hyperloglog", "2.8.9", "O(N) to merge N HyperLogLogs, but with high constant times.",
           "Merge N different HyperLogLogs into a single one.")
      .Handler(PfMerge));
}

}  // namespace larder
