// Lua scripting for EVAL / EVALSHA / SCRIPT LOAD: one Lua 5.1 interpreter per worker,
// sandboxed like Redis 7.0's (base, table, string, math and coroutine libraries; no
// io, os, debug, print, require, setfenv; globals read-only, unknown globals an error)
// with the redis.* API (call, pcall, error_reply, status_reply, sha1hex, log,
// setresp, ...). Scripts run while their EVAL holds every shard lock, so a script is
// atomic and sees no other client's writes. Compiled scripts are kept per interpreter
// by SHA-1 and dropped when SCRIPT FLUSH bumps the cache's generation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/output_buffer.h"

struct lua_State;

namespace larder {

class CommandContext;
class ScriptCache;

// Flags from a "#!lua flags=..." first line.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1u << 0,
  kScriptAllowOom = 1u << 1,
  kScriptAllowStale = 1u << 2,
  kScriptNoCluster = 1u << 3,
  kScriptAllowCrossSlot = 1u << 4,
  kScriptShebang = 1u << 5,  // the script has a shebang (not a legacy script)
};

// Parses an optional shebang. On success sets *flags and *code (the body with the
// shebang line emptied, so line numbers stay); on failure returns Redis's error text.
bool ParseShebang(std::string_view body, uint32_t* flags, std::string_view* code,
                  std::string* error);

// Not thread-safe: one per worker (owned by its Dispatcher).
class LuaRunner {
 public:
  explicit LuaRunner(ScriptCache* cache);
  ~LuaRunner();
  LuaRunner(const LuaRunner&) = delete;
  LuaRunner& operator=(const LuaRunner&) = delete;

  // Compiles `body` (named `sha`) unless this interpreter has it already, and adds it
  // to the shared cache. False with Redis's error text if it does not compile.
  bool Prepare(const std::string& sha, std::string_view body, std::string* error);

  // Runs prepared script `sha` with KEYS and ARGV and writes its result (or error) to
  // ctx.reply. `read_only`: EVAL_RO / EVALSHA_RO. REQUIRES: every shard locked.
  void Run(CommandContext& ctx, const std::string& sha, std::span<const std::string_view> keys,
           std::span<const std::string_view> argv, bool read_only);

  // The redis.call / redis.pcall body (called from Lua). Pushes the result and returns
  // true, or pushes an error table and returns false (the caller raises it).
  bool Call(lua_State* L, bool protected_call);
  // redis.setresp: false with an error pushed if `v` is not 2 or 3.
  bool SetResp(lua_State* L, int v);
  bool kill_requested() const;
  // Whether `name` is a command (redis.acl_check_cmd).
  bool KnowsCommand(std::string_view name) const;

 private:
  void Open();
  void Close();
  // Pushes {err=msg} for redis.call's own errors.
  void PushError(lua_State* L, std::string_view msg);

  ScriptCache* cache_;
  lua_State* L_ = nullptr;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, uint32_t> flags_;  // by sha, scripts compiled here
  int64_t vm_bytes_reported_ = 0;

  // The run in progress (redis.call reads it).
  struct RunState {
    CommandContext* ctx = nullptr;
    uint32_t flags = 0;
    bool read_only = false;
    int resp = 2;
    int db = 0;  // SELECT inside a script changes only the script's database
  };
  RunState run_;
  std::vector<std::string> call_args_;
  std::vector<std::string_view> call_views_;
  OutputBuffer scratch_;
};

}  // namespace larder
