// Conversions between Redis replies and Lua values for scripts, as Redis 7.0 makes
// them (https://redis.io/docs/interact/programmability/lua-api/, "Data type conversion").
#pragma once

#include <string_view>

struct lua_State;

namespace larder {

class ReplyBuilder;

// Pushes the Lua value of the one RESP reply in `resp` (RESP2, or RESP3 after
// redis.setresp(3)): status -> {ok=}, error -> {err=}, integer -> number, bulk ->
// string, null -> false (RESP2) / nil (RESP3), array -> table, map -> {map=},
// set -> {set=}, double -> {double=}, big number -> {big_number=}, verbatim ->
// {verbatim_string={format=,string=}}, boolean -> boolean. Returns false (pushing
// nothing) if `resp` is not one well-formed reply.
bool PushRespAsLua(lua_State* L, std::string_view resp);

// Writes the Lua value at stack index `idx` as EVAL's reply: string -> bulk, number ->
// integer (truncated), true -> 1 / false -> null (booleans when the script chose RESP3),
// tables with err / ok / double / big_number / map / set / verbatim_string fields as
// such, other tables as arrays up to the first nil, anything else -> null.
void WriteLuaAsReply(lua_State* L, int idx, bool script_resp3, ReplyBuilder& reply);

}  // namespace larder
