#include "commands/lua_runner.h"

#include <cstdio>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "commands/context.h"
#include "commands/dispatcher.h"
#include "commands/lua_convert.h"
#include "commands/script_cache.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/sha1.h"
#include "common/version.h"

namespace larder {
namespace {

constexpr const char* kScriptsKey = "larder.scripts";  // registry: sha -> function
constexpr const char* kRunnerKey = "larder.runner";    // registry: the LuaRunner
constexpr int kHookInstructions = 100000;              // SCRIPT KILL checks this often

LuaRunner* RunnerOf(lua_State* L) {
  return static_cast<LuaRunner*>(lua_touserdata(L, lua_upvalueindex(1)));
}

// Raises {err=msg} (Redis 7 raises error tables, which carry no "file:line:" prefix).
int RaiseTable(lua_State* L, const char* msg) {
  lua_newtable(L);
  lua_pushstring(L, msg);
  lua_setfield(L, -2, "err");
  return lua_error(L);
}

// Lua functions below never hold C++ objects with destructors when they raise: Lua
// 5.1 raises with longjmp.

int RedisCall(lua_State* L) {
  if (RunnerOf(L)->Call(L, false)) return 1;
  return lua_error(L);
}

int RedisPCall(lua_State* L) {
  RunnerOf(L)->Call(L, true);
  return 1;
}

// redis.error_reply(msg) -> {err=msg} (a leading '-' dropped); status_reply -> {ok=msg}.
int ReplyTable(lua_State* L, const char* field) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return RaiseTable(L, "ERR wrong number or type of arguments");
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  if (field[0] == 'e' && len > 0 && s[0] == '-') {
    ++s;
    --len;
  }
  lua_newtable(L);
  lua_pushlstring(L, s, len);
  lua_setfield(L, -2, field);
  return 1;
}
int ErrorReply(lua_State* L) { return ReplyTable(L, "err"); }
int StatusReply(lua_State* L) { return ReplyTable(L, "ok"); }

int Sha1HexFn(lua_State* L) {
  if (lua_gettop(L) != 1) return luaL_error(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  if (s == nullptr) return luaL_error(L, "wrong number of arguments");
  const std::string hex = Sha1Hex(std::string_view(s, len));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

// redis.log(level, message...): joined with spaces into the server log.
int LogFn(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return RaiseTable(L, "ERR redis.log() requires two arguments or more.");
  if (lua_type(L, 1) != LUA_TNUMBER) return RaiseTable(L, "ERR First argument must be a number.");
  const int level = int(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return RaiseTable(L, "ERR Invalid debug level.");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 2; i <= argc; ++i) {
    size_t len = 0;
    const char* s = lua_tolstring(L, i, &len);
    if (s == nullptr) continue;
    if (i > 2) luaL_addchar(&b, ' ');
    luaL_addlstring(&b, s, len);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* msg = lua_tolstring(L, -1, &len);
  LogRaw(static_cast<LogLevel>(level), std::string_view(msg, len));
  return 0;
}

int SetRespFn(lua_State* L) {
  const int v = lua_gettop(L) == 1 && lua_type(L, 1) == LUA_TNUMBER ? int(lua_tonumber(L, 1)) : 0;
  if (RunnerOf(L)->SetResp(L, v)) return 0;
  return lua_error(L);
}

int SetReplFn(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseTable(L, "ERR redis.set_repl() requires one argument.");
  const int flags = int(lua_tonumber(L, 1));
  if (flags < 0 || flags > 3) {
    return RaiseTable(L,
                      "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                      "REPL_NONE.");
  }
  return 0;  // no replication in Larder: every write is local and synchronous
}

int ReturnTrue(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}
int ReturnFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int ReturnNothing(lua_State*) { return 0; }

// redis.acl_check_cmd(cmd, ...): Larder has only the default user, which may run
// every command; unknown commands are an error as in Redis.
int AclCheckCmd(lua_State* L) {
  if (lua_gettop(L) < 1 || lua_type(L, 1) != LUA_TSTRING) {
    return RaiseTable(L, "ERR Please specify at least one argument for this redis lib call");
  }
  size_t len = 0;
  const char* name = lua_tolstring(L, 1, &len);
  if (!RunnerOf(L)->KnowsCommand(std::string_view(name, len))) {
    return RaiseTable(L, "ERR Invalid command passed to redis.acl_check_cmd()");
  }
  return ReturnTrue(L);
}

// The script's pcall: as Lua's, but an error table {err=...} comes back as its err
// string, as in Redis 7.0 (so pcall around redis.call yields the error text).
int ScriptPCall(lua_State* L) {
  luaL_checkany(L, 1);
  if (lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0) != 0) {
    if (lua_type(L, -1) == LUA_TTABLE) {
      lua_pushstring(L, "err");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return lua_gettop(L);
}

// _G's metatable: reading an unknown global and writing any global are errors.
int GlobalIndex(lua_State* L) {
  const char* name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name);
}
int GlobalNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// lua_pcall's message handler: turns any error into {err=, source=, line=} where
// source:line is the script line that raised it. Non-table errors become "ERR <text>".
int ErrorHandler(lua_State* L) {
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushstring(L, "err");
    lua_rawget(L, 1);
    const bool has_err = lua_type(L, -1) == LUA_TSTRING;
    lua_pop(L, 1);
    if (!has_err) {
      lua_newtable(L);
      lua_pushstring(L, "ERR Error running script: the error object has no 'err' field");
      lua_setfield(L, -2, "err");
      lua_replace(L, 1);
    }
  } else {
    lua_pushstring(L, "ERR ");
    switch (lua_type(L, 1)) {
      case LUA_TSTRING:
      case LUA_TNUMBER:
        lua_pushvalue(L, 1);
        break;
      case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, 1) ? "true" : "false");
        break;
      default:
        lua_pushstring(L, lua_typename(L, lua_type(L, 1)));
    }
    lua_concat(L, 2);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  lua_settop(L, 1);
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline < 0) continue;  // a C function
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
    break;
  }
  return 1;
}

// Every kHookInstructions instructions: stop if SCRIPT KILL asked for it.
void KillHook(lua_State* L, lua_Debug*) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRunnerKey);
  auto* runner = static_cast<LuaRunner*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (runner != nullptr && runner->kill_requested()) {
    RaiseTable(L, "ERR Script killed by user with SCRIPT KILL...");
  }
}

// Formats a Lua number the way Redis passes it to commands ("%.17g").
void NumberArg(lua_Number d, std::string* out) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", d);
  out->assign(buf, size_t(n > 0 ? n : 0));
}

}  // namespace

bool ParseShebang(std::string_view body, uint32_t* flags, std::string_view* code,
                  std::string* error) {
  *flags = 0;
  *code = body;
  if (body.substr(0, 2) != "#!") return true;
  const size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    *error = "ERR Invalid script shebang";
    return false;
  }
  std::string_view line = body.substr(0, eol);
  size_t pos = 0;
  bool first = true;
  while (pos < line.size()) {
    if (line[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view token = line.substr(pos, end - pos);
    pos = end;
    if (first) {
      first = false;
      if (token != "#!lua") {
        *error = "ERR Unexpected engine in script shebang: " + std::string(token);
        return false;
      }
      continue;
    }
    if (token.substr(0, 6) != "flags=") {
      *error = "ERR Unknown lua shebang option: " + std::string(token);
      return false;
    }
    std::string_view list = token.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      const std::string_view f = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (f == "no-writes") *flags |= kScriptNoWrites;
      else if (f == "allow-oom") *flags |= kScriptAllowOom;
      else if (f == "allow-stale") *flags |= kScriptAllowStale;
      else if (f == "no-cluster") *flags |= kScriptNoCluster;
      else if (f == "allow-cross-slot-keys") *flags |= kScriptAllowCrossSlot;
      else {
        *error = "ERR Unexpected flag in script shebang: " + std::string(f);
        return false;
      }
    }
  }
  *flags |= kScriptShebang;
  *code = body.substr(eol);  // keeps the newline: line numbers stay as written
  return true;
}

LuaRunner::LuaRunner(ScriptCache* cache) : cache_(cache) {}

LuaRunner::~LuaRunner() { Close(); }

void LuaRunner::Close() {
  if (L_ == nullptr) return;
  lua_close(L_);
  L_ = nullptr;
  flags_.clear();
  cache_->vm_bytes.fetch_sub(vm_bytes_reported_, std::memory_order_relaxed);
  vm_bytes_reported_ = 0;
}

void LuaRunner::Open() {
  lua_State* L = luaL_newstate();
  L_ = L;
  generation_ = cache_->generation();
  const std::pair<const char*, lua_CFunction> libs[] = {
      {"", luaopen_base}, {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math}};
  for (const auto& [name, open] : libs) {
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
  }
  for (const char* name : {"print", "dofile", "loadfile", "setfenv", "getfenv", "newproxy",
                           "module", "require"}) {
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, name);
  }

  lua_pushcfunction(L, ScriptPCall);
  lua_setfield(L, LUA_GLOBALSINDEX, "pcall");

  lua_newtable(L);
  const std::pair<const char*, lua_CFunction> fns[] = {
      {"call", RedisCall},
      {"pcall", RedisPCall},
      {"error_reply", ErrorReply},
      {"status_reply", StatusReply},
      {"sha1hex", Sha1HexFn},
      {"log", LogFn},
      {"setresp", SetRespFn},
      {"set_repl", SetReplFn},
      {"replicate_commands", ReturnTrue},
      {"breakpoint", ReturnFalse},
      {"debug", ReturnNothing},
      {"acl_check_cmd", AclCheckCmd},
  };
  for (const auto& [name, fn] : fns) {
    lua_pushlightuserdata(L, this);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
  }
  const std::pair<const char*, int> consts[] = {
      {"LOG_DEBUG", 0},  {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2},   {"LOG_WARNING", 3},
      {"REPL_NONE", 0},  {"REPL_AOF", 1},    {"REPL_SLAVE", 2},   {"REPL_REPLICA", 2},
      {"REPL_ALL", 3}};
  for (const auto& [name, v] : consts) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
  }
  lua_pushstring(L, kRedisCompatVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
  {
    int major = 0, minor = 0, patch = 0;
    std::sscanf(kRedisCompatVersion, "%d.%d.%d", &major, &minor, &patch);
    lua_pushinteger(L, (major << 16) | (minor << 8) | patch);
    lua_setfield(L, -2, "REDIS_VERSION_NUM");
  }
  lua_setfield(L, LUA_GLOBALSINDEX, "redis");

  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kScriptsKey);
  lua_pushlightuserdata(L, this);
  lua_setfield(L, LUA_REGISTRYINDEX, kRunnerKey);

  // From here on globals are read-only and unknown ones an error.
  lua_newtable(L);
  lua_pushcfunction(L, GlobalIndex);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, GlobalNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, LUA_GLOBALSINDEX);
}

bool LuaRunner::Prepare(const std::string& sha, std::string_view body, std::string* error) {
  if (L_ == nullptr || generation_ != cache_->generation()) {
    Close();
    Open();
  }
  if (flags_.count(sha) != 0) return true;
  uint32_t flags = 0;
  std::string_view code;
  if (!ParseShebang(body, &flags, &code, error)) return false;
  if (luaL_loadbuffer(L_, code.data(), code.size(), "@user_script") != 0) {
    const char* msg = lua_tostring(L_, -1);
    *error = "ERR Error compiling script (new function): ";
    error->append(msg != nullptr ? msg : "unknown error");
    lua_pop(L_, 1);
    return false;
  }
  lua_getfield(L_, LUA_REGISTRYINDEX, kScriptsKey);
  lua_insert(L_, -2);
  lua_setfield(L_, -2, sha.c_str());
  lua_pop(L_, 1);
  flags_[sha] = flags;
  cache_->Add(sha, body);
  return true;
}

namespace {

// Sets global `name` (bypassing the read-only metatable) to an array of `items`.
void SetArrayGlobal(lua_State* L, const char* name, std::span<const std::string_view> items) {
  lua_pushstring(L, name);
  lua_createtable(L, int(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, int(i + 1));
  }
  lua_rawset(L, LUA_GLOBALSINDEX);
}

}  // namespace

void LuaRunner::Run(CommandContext& ctx, const std::string& sha,
                    std::span<const std::string_view> keys, std::span<const std::string_view> argv,
                    bool read_only) {
  lua_State* L = L_;
  lua_settop(L, 0);
  lua_pushcfunction(L, ErrorHandler);
  lua_getfield(L, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(L, -1, sha.c_str());
  lua_remove(L, -2);
  SetArrayGlobal(L, "KEYS", keys);
  SetArrayGlobal(L, "ARGV", argv);

  ClientState& client = *ctx.client;
  const int saved_db = client.db;
  const bool saved_in_exec = client.in_exec;
  const CommandSpec* saved_cmd = client.current_cmd;
  const uint32_t flags = flags_[sha];
  run_ = RunState{&ctx, flags, read_only || (flags & kScriptNoWrites) != 0, 2, client.db};
  client.in_exec = true;  // commands run by the script never block

  cache_->BeginRun(ctx.now_ms());
  lua_sethook(L, KillHook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, 0, 1, 1);
  lua_sethook(L, nullptr, 0, 0);
  cache_->EndRun();

  client.db = saved_db;
  client.in_exec = saved_in_exec;
  client.current_cmd = saved_cmd;
  if (status == 0) {
    WriteLuaAsReply(L, -1, run_.resp == 3, *ctx.reply);
  } else if (lua_type(L, -1) == LUA_TTABLE) {
    // "<err> script: <sha>, on @user_script:<line>."
    std::string msg;
    lua_getfield(L, -1, "err");
    if (const char* e = lua_tostring(L, -1)) msg = e;
    lua_pop(L, 1);
    lua_getfield(L, -1, "source");
    lua_getfield(L, -2, "line");
    if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
      msg += " script: " + sha + ", on " + lua_tostring(L, -2) + ":" +
             std::to_string(lua_tointeger(L, -1)) + ".";
    }
    lua_pop(L, 2);
    ctx.reply->Error(msg);
  } else {
    ctx.reply->Error(status == LUA_ERRMEM ? "ERR Error running script: out of memory"
                                          : "ERR Error running script");
  }
  run_ = RunState{};
  lua_settop(L, 0);
  // KEYS / ARGV are dropped so their strings do not outlive the run.
  SetArrayGlobal(L, "KEYS", {});
  SetArrayGlobal(L, "ARGV", {});

  const int64_t vm = int64_t(lua_gc(L, LUA_GCCOUNT, 0)) * 1024 + lua_gc(L, LUA_GCCOUNTB, 0);
  cache_->vm_bytes.fetch_add(vm - vm_bytes_reported_, std::memory_order_relaxed);
  vm_bytes_reported_ = vm;
}

bool LuaRunner::kill_requested() const { return cache_->kill_requested(); }

bool LuaRunner::KnowsCommand(std::string_view name) const {
  if (run_.ctx == nullptr || run_.ctx->dispatcher == nullptr) return false;
  const std::string_view args[] = {name};
  return run_.ctx->dispatcher->Resolve(args) != nullptr;
}

void LuaRunner::PushError(lua_State* L, std::string_view msg) {
  lua_newtable(L);
  lua_pushlstring(L, msg.data(), msg.size());
  lua_setfield(L, -2, "err");
}

bool LuaRunner::SetResp(lua_State* L, int v) {
  if (v != 2 && v != 3) {
    PushError(L, "ERR RESP version must be 2 or 3.");
    return false;
  }
  run_.resp = v;
  return true;
}

bool LuaRunner::Call(lua_State* L, bool protected_call) {
  CommandContext* ctx = run_.ctx;
  const int argc = lua_gettop(L);
  if (ctx == nullptr || ctx->dispatcher == nullptr) {
    PushError(L, "ERR redis.call can only be used while a script runs");
    return false;
  }
  if (argc == 0) {
    PushError(L, "ERR Please specify at least one argument for this redis lib call");
    return false;
  }
  call_args_.resize(size_t(argc));
  call_views_.clear();
  for (int i = 1; i <= argc; ++i) {
    std::string& arg = call_args_[size_t(i - 1)];
    const int type = lua_type(L, i);
    if (type == LUA_TNUMBER) {
      NumberArg(lua_tonumber(L, i), &arg);
    } else if (type == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      arg.assign(s, len);
    } else {
      PushError(L, "ERR Lua redis lib command arguments must be strings or integers");
      return false;
    }
    call_views_.push_back(arg);
  }

  Dispatcher& dispatcher = *ctx->dispatcher;
  const CommandSpec* spec = dispatcher.Resolve(call_views_);
  std::string_view refusal;
  if (spec == nullptr) {
    refusal = "ERR Unknown Redis command called from script";
  } else if (!spec->ArityOk(size_t(argc))) {
    refusal = "ERR Wrong number of args calling Redis command from script";
  } else if (spec->flags & kCmdNoscript) {
    refusal = "ERR This Redis command is not allowed from script";
  } else if ((spec->flags & kCmdWrite) && run_.read_only) {
    refusal = "ERR Write commands are not allowed from read-only scripts.";
  } else if ((spec->flags & (kCmdWrite | kCmdDenyOom)) && !dispatcher.MakeRoomLocked() &&
             (spec->flags & kCmdDenyOom) && !(run_.flags & kScriptAllowOom)) {
    refusal = errors::kOom;
  }
  if (!refusal.empty()) {
    PushError(L, refusal);
    return false;
  }
  if (spec->flags & kCmdWrite) cache_->MarkWrite();

  ClientState& client = *ctx->client;
  client.db = run_.db;
  scratch_.Clear();
  {
    ReplyBuilder reply(&scratch_);
    reply.SetResp3(run_.resp == 3);
    dispatcher.InvokeLocked(*spec, client, call_views_, reply, ctx->now_ms());
  }
  run_.db = client.db;
  const std::string bytes = scratch_.TakeAll();
  if (!PushRespAsLua(L, bytes)) {
    PushError(L, "ERR the command's reply could not be converted to Lua");
    return false;
  }
  return protected_call || bytes.empty() || bytes[0] != '-';
}

}  // namespace larder
