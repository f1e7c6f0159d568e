// Small helpers shared by the command families.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "commands/blocking.h"
#include "commands/context.h"

namespace larder {

// Replies WRONGTYPE and returns false unless `ref` holds a string.
bool ExpectString(CommandContext& ctx, const KeyRef& ref);

// Redis's "invalid expire time in '<cmd>' command" error.
std::string InvalidExpireError(std::string_view command);

enum class ExpireUnit { kSeconds, kMillis };

// Converts a SET/GETEX/SETEX expiry argument to an absolute time in ms, as Redis does
// (must be > 0; relative times are added to now; overflow is an error). On failure
// replies and returns nullopt.
std::optional<int64_t> ParseSetExpiry(CommandContext& ctx, std::string_view arg, ExpireUnit unit,
                                      bool relative);

// True if a client name has only printable non-space ASCII (CLIENT SETNAME, HELLO).
bool IsValidClientName(std::string_view name);

// OBJECT ENCODING name of a string entry ("int", "embstr", "raw").
std::string_view StringEncoding(const Entry* e);
// OBJECT ENCODING name of any entry.
std::string_view EncodingName(const Entry* e);
// True if Redis would share the string's integer object (OBJECT REFCOUNT 2147483647).
bool IsSharedInteger(const Entry* e);

// Parses an int argument as Redis's getIntFromObjectOrReply: bad syntax gives
// `syntax_error` (default "value is not an integer or out of range"), a value outside
// int range gives `range_error` (default "value is out of range, value must between
// -2147483648 and 2147483647").
std::optional<int> ParseInt32Arg(CommandContext& ctx, std::string_view arg,
                                 std::string_view syntax_error = {},
                                 std::string_view range_error = {});

// A database index: an int argument, then "ERR DB index is out of range".
std::optional<int> ParseDbIndex(CommandContext& ctx, std::string_view arg);

// Reply lines of a HELP subcommand (status strings), as Redis's addReplyHelp.
void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::initializer_list<std::string_view> lines);

// A Redis-style long long reply helper: parse an integer argument or reply the error.
std::optional<int64_t> ParseIntArg(CommandContext& ctx, std::string_view arg);

// Replies WRONGTYPE and returns false unless `ref` is empty or of kind `kind`.
bool ExpectKind(CommandContext& ctx, const KeyRef& ref, ValueKind kind);

// The optional count of LPOP / RPOP / SPOP / ZPOPMIN / ZPOPMAX: a non-negative integer,
// else Redis's "value is out of range, must be positive" (replied; nullopt).
std::optional<int64_t> ParsePopCount(CommandContext& ctx, std::string_view arg);

// The count of HRANDFIELD / SRANDMEMBER / ZRANDMEMBER: in [-LONG_MAX, LONG_MAX] as Redis
// checks.
std::optional<int64_t> ParseRandomCount(CommandContext& ctx, std::string_view arg);
// A negative count asks for that many picks with repetition; Redis 7.0 then builds a
// reply of |count| elements whatever its size (a known denial of service), so Larder
// refuses (replying an error, returning false) counts whose reply would exceed
// proto-max-bulk-len bytes.
bool CheckRandomReplySize(CommandContext& ctx, int64_t count, size_t bytes_per_element);

// SCAN-family arguments (SCAN, HSCAN, SSCAN, ZSCAN).
struct ScanArgs {
  uint64_t cursor = 0;
  int64_t count = 10;
  std::string_view pattern;  // empty: no MATCH (or MATCH *)
  bool has_pattern = false;
  std::string_view type;     // SCAN only
  bool has_type = false;
};
// Parses the cursor at args[cursor_at] and the options after it; replies and returns
// false on error ("ERR invalid cursor", "ERR syntax error", ...).
bool ParseScanArgs(CommandContext& ctx, size_t cursor_at, bool allow_type, ScanArgs* out);
// Whether `name` passes the MATCH pattern of `a`.
bool ScanMatches(const ScanArgs& a, std::string_view name);

// Key positions of a "numkeys key..." command whose numkeys is at args[at] (LMPOP,
// ZUNION, SINTERCARD, ...), clamped to the arguments; nothing if numkeys is invalid.
void NumKeysFinder(std::span<const std::string_view> args, size_t at, std::vector<int>* out);

// "numkeys key... <first>|<second> [COUNT n]" of LMPOP/BLMPOP (LEFT|RIGHT) and
// ZMPOP/BZMPOP (MIN|MAX).
struct MPopArgs {
  std::vector<size_t> keys;  // argument positions
  bool first = true;         // the first word (LEFT / MIN) was given
  int64_t count = 1;
  bool has_count = false;
};
// Parses from args[at]; replies Redis's errors and returns false on bad input.
bool ParseMPop(CommandContext& ctx, size_t at, std::string_view first, std::string_view second,
               MPopArgs* out);

// Pops up to `count` elements of the non-empty collection at k (from the front / the
// minimum when `first`) and replies [key, [elements]].
using MPopReplyFn = void (*)(DbView& db, const KeyArg& k, KeyRef ref, bool first,
                             int64_t count, ReplyBuilder& reply);
// LMPOP / ZMPOP (timeout_at == 0: numkeys at args[1]) and BLMPOP / BZMPOP (timeout at
// args[1], numkeys at args[2]): pops from the first non-empty key of `kind`, else replies
// null or blocks with `serve`.
void MPopGeneric(CommandContext& ctx, size_t timeout_at, ValueKind kind, std::string_view first,
                 std::string_view second, MPopReplyFn reply_fn, ServeFn serve);

// A blocking timeout in seconds as an absolute deadline in ms (0 = forever), as Redis
// 7.0 parses it; replies the error and returns nullopt on bad input.
std::optional<int64_t> ParseTimeout(CommandContext& ctx, std::string_view arg);

// Distinct random indexes in [0, n), k of them (k <= n), in random order.
std::vector<size_t> SampleDistinct(size_t n, size_t k);

}  // namespace larder
