#include "commands/family_util.h"

#include <unordered_set>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/errors.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "common/random.h"

namespace larder {

bool ExpectString(CommandContext& ctx, const KeyRef& ref) {
  if (ref.kind() == ValueKind::kString) return true;
  ctx.reply->Error(errors::kWrongType);
  return false;
}

std::string InvalidExpireError(std::string_view command) {
  std::string msg = "ERR invalid expire time in '";
  msg.append(command);
  msg.append("' command");
  return msg;
}

std::optional<int64_t> ParseSetExpiry(CommandContext& ctx, std::string_view arg, ExpireUnit unit,
                                      bool relative) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply->Error(errors::kNotInteger);
    return std::nullopt;
  }
  int64_t ms = *v;
  if (ms <= 0 || (unit == ExpireUnit::kSeconds && ms > INT64_MAX / 1000)) {
    ctx.reply->Error(InvalidExpireError(ctx.spec->name));
    return std::nullopt;
  }
  if (unit == ExpireUnit::kSeconds) ms *= 1000;
  if (relative) {
    if (ms > INT64_MAX - ctx.now_ms()) {
      ctx.reply->Error(InvalidExpireError(ctx.spec->name));
      return std::nullopt;
    }
    ms += ctx.now_ms();
  }
  return ms;
}

namespace {

// Redis stores a string as an integer when it is a canonical int64 of <= 20 bytes.
bool LooksLikeInteger(std::string_view s) { return s.size() <= 20 && ParseInt64(s).has_value(); }

}  // namespace

std::string_view StringEncoding(const Entry* e) {
  std::string_view s = e->str();
  switch (e->str_hint()) {
    case StrHint::kRaw:
      return "raw";
    case StrHint::kAuto:
      if (LooksLikeInteger(s)) return "int";
      [[fallthrough]];
    case StrHint::kPlain:
      return s.size() <= 44 ? "embstr" : "raw";
  }
  return "raw";
}

std::string_view EncodingName(const Entry* e) {
  switch (e->kind()) {
    case ValueKind::kString: return StringEncoding(e);
    case ValueKind::kHash: return e->has_object() ? "hashtable" : "listpack";
    case ValueKind::kList: return "quicklist";  // as Redis 7.0 reports every list
    case ValueKind::kSet:
      if (e->has_object()) return "hashtable";
      return e->enc() == Enc::kIntSet ? "intset" : "listpack";
    case ValueKind::kZSet: return e->has_object() ? "skiplist" : "listpack";
  }
  return "unknown";
}

bool IsSharedInteger(const Entry* e) {
  if (e->str_hint() != StrHint::kAuto) return false;
  auto v = ParseInt64(e->str());
  return v && *v >= 0 && *v < 10000 && e->str().size() <= 20;
}

std::optional<int> ParseInt32Arg(CommandContext& ctx, std::string_view arg,
                                 std::string_view syntax_error, std::string_view range_error) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply->Error(syntax_error.empty() ? errors::kNotInteger : syntax_error);
    return std::nullopt;
  }
  if (*v < INT32_MIN || *v > INT32_MAX) {
    ctx.reply->Error(range_error.empty() ? errors::kIntRange : range_error);
    return std::nullopt;
  }
  return int(*v);
}

std::optional<int> ParseDbIndex(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt32Arg(ctx, arg);
  if (!v) return std::nullopt;
  if (*v < 0 || *v >= ctx.db.store()->databases()) {
    ctx.reply->Error(errors::kDbIndexRange);
    return std::nullopt;
  }
  return v;
}

void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  ctx.reply->ArrayHeader(lines.size() + 3);
  std::string first(command);
  first.append(" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  ctx.reply->SimpleString(first);
  for (std::string_view l : lines) ctx.reply->SimpleString(l);
  ctx.reply->SimpleString("HELP");
  ctx.reply->SimpleString("    Prints this help.");
}

bool ExpectKind(CommandContext& ctx, const KeyRef& ref, ValueKind kind) {
  if (!ref || ref.kind() == kind) return true;
  ctx.reply->Error(errors::kWrongType);
  return false;
}

std::optional<int64_t> ParseRandomCount(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply->Error(errors::kNotInteger);
    return std::nullopt;
  }
  if (*v == INT64_MIN) {
    ctx.reply->Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return std::nullopt;
  }
  return v;
}

bool CheckRandomReplySize(CommandContext& ctx, int64_t count, size_t bytes_per_element) {
  if (count >= 0) return true;  // bounded by the collection's size
  int64_t limit = ctx.settings->proto_max_bulk_len.load(std::memory_order_relaxed);
  unsigned __int128 bytes = (unsigned __int128)uint64_t(-count) * (bytes_per_element + 16);
  if (bytes <= (unsigned __int128)limit) return true;
  ctx.reply->Error("ERR count is too large: the reply would exceed proto-max-bulk-len");
  return false;
}

std::vector<size_t> SampleDistinct(size_t n, size_t k) {
  if (k * 4 < n) {  // few of many: draw and reject repeats
    std::unordered_set<size_t> seen;
    std::vector<size_t> out;
    while (out.size() < k) {
      size_t i = size_t(RandomU64() % n);
      if (seen.insert(i).second) out.push_back(i);
    }
    return out;
  }
  // Partial Fisher-Yates over the index range.
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  for (size_t i = 0; i < k; ++i) {
    size_t j = i + size_t(RandomU64() % (n - i));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(k);
  return idx;
}

namespace {

// SCAN's cursor is parsed like strtoul (a sign is allowed, "-1" wraps).
std::optional<uint64_t> ParseCursor(std::string_view s) {
  char buf[32];
  if (s.size() >= sizeof buf) return std::nullopt;
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(buf, &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return uint64_t(v);
}

}  // namespace

bool ParseScanArgs(CommandContext& ctx, size_t cursor_at, bool allow_type, ScanArgs* out) {
  auto cursor = ParseCursor(ctx.args[cursor_at]);
  if (!cursor) {
    ctx.reply->Error(errors::kInvalidCursor);
    return false;
  }
  out->cursor = *cursor;
  for (size_t i = cursor_at + 1; i < ctx.args.size();) {
    size_t left = ctx.args.size() - i;
    std::string_view opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "count") && left >= 2) {
      auto v = ParseIntArg(ctx, ctx.args[i + 1]);
      if (!v) return false;
      if (*v < 1) {
        ctx.reply->Error(errors::kSyntax);
        return false;
      }
      out->count = *v;
    } else if (EqualsIgnoreCase(opt, "match") && left >= 2) {
      out->pattern = ctx.args[i + 1];
      out->has_pattern = out->pattern != "*";
    } else if (allow_type && EqualsIgnoreCase(opt, "type") && left >= 2) {
      out->type = ctx.args[i + 1];
      out->has_type = true;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
    i += 2;
  }
  return true;
}

bool ScanMatches(const ScanArgs& a, std::string_view name) {
  return !a.has_pattern || GlobMatch(a.pattern, name);
}

std::optional<int64_t> ParseIntArg(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v) ctx.reply->Error(errors::kNotInteger);
  return v;
}

bool IsValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

std::optional<int64_t> ParsePopCount(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v || *v < 0) {
    ctx.reply->Error("ERR value is out of range, must be positive");
    return std::nullopt;
  }
  return v;
}

void NumKeysFinder(std::span<const std::string_view> args, size_t at, std::vector<int>* out) {
  if (args.size() <= at) return;
  auto n = ParseInt64(args[at]);
  if (!n || *n < 1) return;
  for (int64_t i = 0; i < *n && at + 1 + size_t(i) < args.size(); ++i) {
    out->push_back(int(at + 1 + size_t(i)));
  }
}

bool ParseMPop(CommandContext& ctx, size_t at, std::string_view first, std::string_view second,
               MPopArgs* out) {
  auto n = ParseInt64(ctx.args[at]);
  if (!n || *n < 1) {
    ctx.reply->Error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t where_at = at + 1 + size_t(*n);
  if (*n > int64_t(ctx.args.size()) || where_at >= ctx.args.size()) {
    ctx.reply->Error(errors::kSyntax);
    return false;
  }
  std::string_view where = ctx.args[where_at];
  if (EqualsIgnoreCase(where, first)) {
    out->first = true;
  } else if (EqualsIgnoreCase(where, second)) {
    out->first = false;
  } else {
    ctx.reply->Error(errors::kSyntax);
    return false;
  }
  for (size_t j = where_at + 1; j < ctx.args.size(); ++j) {
    bool more = j + 1 < ctx.args.size();
    if (!out->has_count && EqualsIgnoreCase(ctx.args[j], "count") && more) {
      auto c = ParseInt64(ctx.args[++j]);
      if (!c || *c < 1) {
        ctx.reply->Error("ERR count should be greater than 0");
        return false;
      }
      out->count = *c;
      out->has_count = true;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
  }
  for (size_t i = at + 1; i < where_at; ++i) out->keys.push_back(i);
  return true;
}

void MPopGeneric(CommandContext& ctx, size_t timeout_at, ValueKind kind, std::string_view first,
                 std::string_view second, MPopReplyFn reply_fn, ServeFn serve) {
  MPopArgs a;
  if (!ParseMPop(ctx, timeout_at == 0 ? 1 : timeout_at + 1, first, second, &a)) return;
  std::optional<int64_t> deadline;
  if (timeout_at != 0) {
    deadline = ParseTimeout(ctx, ctx.args[timeout_at]);  // after the other arguments
    if (!deadline) return;
  }
  for (size_t pos : a.keys) {
    KeyRef ref = ctx.db.Find(ctx.Key(pos), DbView::Mode::kWrite);
    if (!ExpectKind(ctx, ref, kind)) return;
    if (!ref) continue;
    reply_fn(ctx.db, ctx.Key(pos), ref, a.first, a.count, *ctx.reply);
    return;
  }
  if (!deadline) {
    ctx.reply->NullArray();
    return;
  }
  BlockRequest req;
  req.serve = serve;
  for (size_t pos : a.keys) req.keys.emplace_back(ctx.args[pos]);
  req.from_front = a.first;  // lists
  req.zmax = !a.first;       // sorted sets
  req.count = a.count;
  req.deadline_ms = *deadline;
  if (!ctx.Block(std::move(req))) ctx.reply->NullArray();
}

// Redis 7.0: seconds * 1000 truncated to an integer (so |timeout| < 1 ms means forever);
// a value beyond the integer range converts as x86 does, to INT64_MIN, which is
// "negative"; a deadline past INT64_MAX waits forever.
std::optional<int64_t> ParseTimeout(CommandContext& ctx, std::string_view arg) {
  auto v = ParseLongDouble(arg);
  if (!v) {
    ctx.reply->Error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  long double ms = *v * 1000.0L;
  int64_t t = (ms >= -9.2233720368547758e18L && ms < 9.2233720368547758e18L) ? int64_t(ms)
                                                                              : INT64_MIN;
  if (t < 0) {
    ctx.reply->Error("ERR timeout is negative");
    return std::nullopt;
  }
  if (t > 0) t = t > INT64_MAX - ctx.now_ms() ? INT64_MAX : t + ctx.now_ms();
  return t;
}

}  // namespace larder
