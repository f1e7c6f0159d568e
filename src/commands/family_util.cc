#include "commands/family_util.h"

#include "common/errors.h"
#include "common/numbers.h"

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

std::optional<int64_t> ParseIntArg(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v) ctx.reply->Error(errors::kNotInteger);
  return v;
}

}  // namespace larder

namespace larder {

bool IsValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace larder
