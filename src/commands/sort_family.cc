// SORT and SORT_RO: sort a list, set or sorted set numerically or (ALPHA) by bytes,
// optionally by weights read from other keys (BY pattern), returning other keys' values
// (GET pattern), and (SORT only) storing the result as a list (STORE).
//
// Locking: the sorted key and the STORE destination are the command's keys (KeysFinder,
// as Redis's sortGetKeys reports them). BY / GET patterns read keys built from the
// elements, which can be in any shard, so an invocation that will look such keys up
// locks every shard instead (LockAllIf); a plain SORT locks only its keys' shards.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"
#include "storage/hash_value.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

// Redis compares option names with strcasecmp(), which stops at a NUL byte.
bool IsOption(std::string_view arg, std::string_view name) {
  return EqualsIgnoreCase(arg.substr(0, arg.find('\0')), name);
}

// ---- patterns ----

// A BY / GET pattern as Redis reads it: "#" is the element itself; otherwise the first
// '*' is replaced by the element to name a key, whose string value is used, unless the
// pattern continues with "->field" (a non-empty field) after the '*': then the field of
// that hash is used. Like Redis's C-string searches, the searches stop at a NUL byte.
struct Pattern {
  explicit Pattern(std::string_view p) : text(p) {
    std::string_view c = p.substr(0, p.find('\0'));
    self = c == "#";
    star = c.find('*');
    key_end = p.size();
    if (star == std::string_view::npos) return;
    size_t arrow = c.find("->", star + 1);
    if (arrow != std::string_view::npos && arrow + 2 < c.size()) {
      key_end = arrow;
      field = p.substr(arrow + 2);
      has_field = true;
    }
  }
  bool HasStar() const { return star != std::string_view::npos; }

  std::string_view text;
  bool self = false;
  size_t star;
  size_t key_end;
  std::string_view field;
  bool has_field = false;
};

// The value `p` gives for `elem`, or nullopt (no '*', missing key, wrong type, missing
// field). The view is valid until the keyspace changes. `key` is scratch space.
std::optional<std::string_view> LookupByPattern(DbView& db, const Pattern& p, std::string_view elem,
                                                DbView::Mode mode, std::string* key) {
  if (p.self) return elem;
  if (!p.HasStar()) return std::nullopt;
  key->assign(p.text.substr(0, p.star));
  key->append(elem);
  key->append(p.text.substr(p.star + 1, p.key_end - p.star - 1));
  KeyRef ref = db.Find(MakeKeyArg(*key), mode);
  if (!ref) return std::nullopt;
  if (p.has_field) {
    if (ref.kind() != ValueKind::kHash) return std::nullopt;
    return HashReader(ref.entry()).Get(p.field);
  }
  if (ref.kind() != ValueKind::kString) return std::nullopt;
  return ref.str();
}

// ---- options ----

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  // BY with a pattern without '*': keep the stored order. Once set it stays set, even
  // if a later BY has a '*' (as in Redis).
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;  // the last BY pattern
  std::vector<std::string_view> gets;
  size_t store_at = 0;  // argument index of the STORE key; 0: none
};

// Parses args[2...] as Redis does (left to right, the last occurrence wins); returns
// the error to reply, or an empty view.
std::string_view ParseSortOptions(std::span<const std::string_view> args, bool readonly,
                                  SortOptions* o) {
  for (size_t j = 2; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    std::string_view a = args[j];
    if (IsOption(a, "asc")) {
      o->desc = false;
    } else if (IsOption(a, "desc")) {
      o->desc = true;
    } else if (IsOption(a, "alpha")) {
      o->alpha = true;
    } else if (IsOption(a, "limit") && left >= 2) {
      auto start = ParseInt64(args[j + 1]);
      auto count = start ? ParseInt64(args[j + 2]) : std::nullopt;
      if (!count) return errors::kNotInteger;
      o->limit_start = *start;
      o->limit_count = *count;
      j += 2;
    } else if (!readonly && IsOption(a, "store") && left >= 1) {
      o->store_at = j + 1;
      ++j;
    } else if (IsOption(a, "by") && left >= 1) {
      o->by = args[j + 1];
      if (!Pattern(args[j + 1]).HasStar()) o->dontsort = true;
      ++j;
    } else if (IsOption(a, "get") && left >= 1) {
      o->gets.push_back(args[j + 1]);
      ++j;
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// The STORE destination Redis's sortGetKeys reports: it skips the arguments of LIMIT,
// GET and BY, and takes the argument after the last STORE that has one (without
// skipping it).
size_t SortGetKeysStore(std::span<const std::string_view> args) {
  size_t store_at = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (IsOption(a, "limit")) {
      i += 2;
    } else if (IsOption(a, "get") || IsOption(a, "by")) {
      i += 1;
    } else if (IsOption(a, "store") && i + 1 < args.size()) {
      store_at = i + 1;
    }
  }
  return store_at;
}

void SortKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  if (args.size() < 2) return;
  out->push_back(1);
  if (size_t store = SortGetKeysStore(args)) out->push_back(int(store));
}

void SortRoKeys(std::span<const std::string_view> args, std::vector<int>* out) {
  if (args.size() >= 2) out->push_back(1);
}

// True if the invocation reads keys other than its own: a BY pattern with '*' that
// sorts, or a GET pattern with '*'. Also true in the odd case where the STORE key SORT
// will write is not the one sortGetKeys reports ("STORE get STORE x"), so that the
// destination's shard is held whatever it is.
bool NeedsAllShards(std::span<const std::string_view> args, bool readonly) {
  SortOptions o;
  if (args.size() < 2 || !ParseSortOptions(args, readonly, &o).empty()) return false;
  if (o.by && !o.dontsort) return true;
  for (std::string_view g : o.gets) {
    if (Pattern(g).HasStar()) return true;
  }
  return o.store_at != 0 && o.store_at != SortGetKeysStore(args);
}
bool SortNeedsAllShards(std::span<const std::string_view> args) {
  return NeedsAllShards(args, false);
}
bool SortRoNeedsAllShards(std::span<const std::string_view> args) {
  return NeedsAllShards(args, true);
}

// ---- sorting ----

struct SortItem {
  std::string elem;
  double score = 0;                // numeric weight (0 when the BY key is missing)
  std::optional<std::string> cmp;  // ALPHA with BY: the weight, if found
};

// Memcmp order, then the shorter first (Redis's compareStringObjects).
int CompareBinary(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Redis's strcoll() comparison: byte order up to the first NUL, as in the C locale.
int CompareCollate(std::string_view a, std::string_view b) {
  return CompareBinary(a.substr(0, a.find('\0')), b.substr(0, b.find('\0')));
}

// A weight as Redis's SORT reads it with strtod(): leading blanks, inf and hex are
// accepted and an empty string is 0; NaN, out-of-range values and bytes after the
// number (up to a NUL) are not.
bool ParseWeight(std::string_view s, std::string* scratch, double* out) {
  scratch->assign(s);
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(scratch->c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(d)) return false;
  *out = d;
  return true;
}

struct SortPlan {
  bool desc = false;
  bool alpha = false;
  bool by_pattern = false;
  bool store = false;
};

// Redis's sortCompare (ascending; the caller reverses for DESC). Equal numeric weights
// are ordered by the elements' bytes; equal ALPHA weights are equal.
int CompareItems(const SortPlan& plan, const SortItem& a, const SortItem& b) {
  if (!plan.alpha) {
    if (a.score > b.score) return 1;
    if (a.score < b.score) return -1;
    return CompareBinary(a.elem, b.elem);
  }
  if (plan.by_pattern) {
    if (!a.cmp || !b.cmp) return a.cmp ? 1 : (b.cmp ? -1 : 0);
    return plan.store ? CompareBinary(*a.cmp, *b.cmp) : CompareCollate(*a.cmp, *b.cmp);
  }
  return plan.store ? CompareBinary(a.elem, b.elem) : CompareCollate(a.elem, b.elem);
}

// The [start, start + count) slice of `len` elements that LIMIT selects, clamped as
// Redis does (a negative offset is 0, a negative count means all).
void ClampLimit(int64_t len, int64_t limit_start, int64_t limit_count, int64_t* start,
                int64_t* count) {
  int64_t s = std::max<int64_t>(limit_start, 0);
  int64_t end;  // inclusive
  if (limit_count < 0) {
    end = len - 1;
  } else {
    end = limit_count - 1 > std::numeric_limits<int64_t>::max() - s
              ? std::numeric_limits<int64_t>::max()
              : s + (limit_count - 1);
  }
  if (s >= len) {
    s = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  *start = s;
  *count = end - s + 1;
}

// Loads the elements to sort. With `dontsort`, lists and sorted sets load only the
// selected slice [*start, *start + count) in stored order (reversed for DESC), and
// *start becomes 0.
std::vector<SortItem> LoadItems(const KeyRef& ref, bool dontsort, bool desc, int64_t* start,
                                int64_t count) {
  std::vector<SortItem> items;
  if (!ref) return items;
  auto add = [&](std::string_view e) { items.push_back(SortItem{std::string(e), 0, {}}); };
  switch (ref.kind()) {
    case ValueKind::kList: {
      ListReader r(ref.entry());
      if (!dontsort) {
        items.reserve(r.Len());
        if (r.Len() > 0) r.ForRange(0, r.Len() - 1, add);
        break;
      }
      if (count > 0) {
        size_t len = r.Len(), first = size_t(*start), last = first + size_t(count) - 1;
        items.reserve(size_t(count));
        if (desc) {
          r.ForRange(len - 1 - last, len - 1 - first, add);
          std::reverse(items.begin(), items.end());
        } else {
          r.ForRange(first, last, add);
        }
      }
      *start = 0;
      break;
    }
    case ValueKind::kSet: {
      SetReader r(ref.entry());
      items.reserve(r.Size());
      r.ForEach(add);
      break;
    }
    case ValueKind::kZSet: {
      ZSetReader r(ref.entry());
      size_t from = 0, to = r.Size();
      if (dontsort) {
        size_t first = size_t(*start), n = size_t(count);
        from = n == 0 ? 0 : (desc ? to - first - n : first);
        to = from + n;
        *start = 0;
      }
      items.reserve(to - from);
      r.ForRanks(from, to, dontsort && desc, [&](const ZItem& z) { add(z.member); });
      break;
    }
    default:
      break;
  }
  return items;
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  std::string_view error = ParseSortOptions(ctx.args, readonly, &o);
  if (!error.empty()) {
    ctx.reply->Error(error);
    return;
  }
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (ref && ref.kind() != ValueKind::kList && ref.kind() != ValueKind::kSet &&
      ref.kind() != ValueKind::kZSet) {
    ctx.reply->Error(errors::kWrongType);
    return;
  }
  bool dontsort = o.dontsort;
  SortPlan plan{o.desc, o.alpha, o.by.has_value(), o.store_at != 0};
  std::optional<Pattern> by;
  if (o.by) by.emplace(*o.by);
  if (dontsort && ref && ref.kind() == ValueKind::kSet && plan.store) {
    // A set has no order of its own: what is stored is sorted, for determinism.
    dontsort = false;
    plan.alpha = true;
    plan.by_pattern = false;
    by.reset();
  }

  size_t len = 0;
  if (ref) {
    switch (ref.kind()) {
      case ValueKind::kList: len = ListReader(ref.entry()).Len(); break;
      case ValueKind::kSet: len = SetReader(ref.entry()).Size(); break;
      default: len = ZSetReader(ref.entry()).Size(); break;
    }
  }
  int64_t start = 0, count = 0;
  ClampLimit(int64_t(len), o.limit_start, o.limit_count, &start, &count);
  if (count <= 0) start = count = 0;
  // Copies: the lookups below may remove expired keys, invalidating `ref`.
  std::vector<SortItem> items = LoadItems(ref, dontsort, o.desc, &start, count);
  ref = KeyRef();

  const DbView::Mode mode = plan.store ? DbView::Mode::kWrite : DbView::Mode::kRead;
  std::string key_buf, scratch;
  if (!dontsort) {
    bool bad_weight = false;
    for (SortItem& it : items) {
      std::optional<std::string_view> w = it.elem;
      if (by) {
        w = LookupByPattern(ctx.db, *by, it.elem, mode, &key_buf);
        if (!w) continue;
      }
      if (plan.alpha) {
        if (by) it.cmp.emplace(*w);
      } else if (!ParseWeight(*w, &scratch, &it.score)) {
        bad_weight = true;
      }
    }
    if (bad_weight) {
      ctx.reply->Error("ERR One or more scores can't be converted into double");
      return;
    }
    // Stable, like the merge sort of glibc's qsort() that Redis relies on.
    std::stable_sort(items.begin(), items.end(), [&](const SortItem& a, const SortItem& b) {
      int c = CompareItems(plan, a, b);
      return plan.desc ? c > 0 : c < 0;
    });
  }

  std::vector<Pattern> gets;
  gets.reserve(o.gets.size());
  for (std::string_view g : o.gets) gets.emplace_back(g);
  const size_t first = size_t(start), n = size_t(count);
  const size_t output_len = gets.empty() ? n : gets.size() * n;

  if (!plan.store) {
    ctx.reply->ArrayHeader(output_len);
    for (size_t i = first; i < first + n; ++i) {
      if (gets.empty()) ctx.reply->Bulk(items[i].elem);
      for (const Pattern& g : gets) {
        auto v = LookupByPattern(ctx.db, g, items[i].elem, mode, &key_buf);
        if (v) {
          ctx.reply->Bulk(*v);
        } else {
          ctx.reply->NullBulk();
        }
      }
    }
    return;
  }

  std::vector<std::string> values;
  values.reserve(output_len);
  for (size_t i = first; i < first + n; ++i) {
    if (gets.empty()) values.push_back(std::move(items[i].elem));
    for (const Pattern& g : gets) {
      auto v = LookupByPattern(ctx.db, g, items[i].elem, mode, &key_buf);
      values.emplace_back(v ? *v : std::string_view());
    }
  }
  KeyArg dst = ctx.Key(o.store_at);
  const bool existed = ctx.db.DeleteKey(dst);
  if (!values.empty()) {
    ListWriter w(ctx.db, dst, KeyRef());
    for (const std::string& v : values) w.Push(v, false);
    w.Commit();
    Notify(ctx, kNotifyList, "sortstore", dst.key);
  } else if (existed) {
    Notify(ctx, kNotifyGeneric, "del", dst.key);
  }
  ctx.reply->Integer(int64_t(output_len));
}

void Sort(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

constexpr std::string_view kComplexity =
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N).";
constexpr std::string_view kByGetNotes =
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
    "from the content of the key we sort";
constexpr std::string_view kStoreNotes =
    "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear "
    "anywhere in the argument array";

}  // namespace

void RegisterSortFamily(CommandTable& t) {
  t.Add(Cmd("sort", -2).Flags("write denyoom movablekeys")
      .Acl("@write @set @sortedset @list @slow @dangerous").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .KeySpecUnknown("RO access", kByGetNotes)
      .KeySpecUnknown("OW update", kStoreNotes)
      .KeysFrom(SortKeys).LockAllIf(SortNeedsAllShards)
      .Doc("generic", "1.0.0", kComplexity, "Sort the elements in a list, set or sorted set")
      .Handler(Sort));
  t.Add(Cmd("sort_ro", -2).Flags("readonly movablekeys")
      .Acl("@read @set @sortedset @list @slow @dangerous").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .KeySpecUnknown("RO access", kByGetNotes)
      .KeysFrom(SortRoKeys).LockAllIf(SortRoNeedsAllShards)
      .Doc("generic", "7.0.0", kComplexity,
           "Sort the elements in a list, set or sorted set. Read-only variant of SORT.")
      .Handler(SortRo));
}

}  // namespace larder
