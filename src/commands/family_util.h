// Small helpers shared by the command families.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <initializer_list>
#include <string_view>

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

}  // namespace larder
