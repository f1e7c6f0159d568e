#include "commands/lua_convert.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" {
#include <lua.h>
}

#include "protocol/reply_builder.h"

namespace larder {
namespace {

constexpr int kMaxDepth = 200;  // deeper replies are refused rather than risk the C stack

// A cursor over one RESP reply made by ReplyBuilder.
struct Reader {
  const char* p;
  const char* end;

  // The text up to CRLF, which is skipped.
  bool Line(std::string_view* out) {
    for (const char* q = p; q + 1 < end; ++q) {
      if (q[0] == '\r' && q[1] == '\n') {
        *out = std::string_view(p, size_t(q - p));
        p = q + 2;
        return true;
      }
    }
    return false;
  }
  bool Int(int64_t* out) {
    std::string_view s;
    if (!Line(&s) || s.empty()) return false;
    char* e = nullptr;
    std::string tmp(s);
    long long v = std::strtoll(tmp.c_str(), &e, 10);
    if (*e != '\0') return false;
    *out = v;
    return true;
  }
  bool Bytes(int64_t n, std::string_view* out) {
    if (n < 0 || end - p < n + 2) return false;
    *out = std::string_view(p, size_t(n));
    p += n + 2;
    return true;
  }
};

// t[name] = value on top, for a table at `t` (absolute index).
void SetField(lua_State* L, int t, const char* name) { lua_setfield(L, t, name); }

void PushWrapped(lua_State* L, const char* field, std::string_view s) {
  lua_newtable(L);
  lua_pushlstring(L, s.data(), s.size());
  lua_setfield(L, -2, field);
}

bool PushOne(lua_State* L, Reader& r, int depth);

// Pushes a table holding `n` elements read from r (array form, or map / set form).
bool PushAggregate(lua_State* L, Reader& r, char kind, int64_t n, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) return false;
  lua_newtable(L);
  const int t = lua_gettop(L);
  for (int64_t i = 0; i < n; ++i) {
    if (!PushOne(L, r, depth + 1)) return false;
    if (kind == '%') {
      if (!PushOne(L, r, depth + 1)) return false;
      if (lua_isnil(L, -2)) {
        lua_pop(L, 2);
      } else {
        lua_rawset(L, t);
      }
    } else if (kind == '~') {
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
      } else {
        lua_pushboolean(L, 1);
        lua_rawset(L, t);
      }
    } else {
      lua_rawseti(L, t, int(i + 1));
    }
  }
  if (kind == '%' || kind == '~') {
    lua_newtable(L);
    lua_insert(L, -2);
    SetField(L, lua_gettop(L) - 1, kind == '%' ? "map" : "set");
  }
  return true;
}

bool PushOne(lua_State* L, Reader& r, int depth) {
  if (r.p >= r.end || !lua_checkstack(L, 4)) return false;
  const char kind = *r.p++;
  std::string_view line;
  int64_t n = 0;
  switch (kind) {
    case '+':
      if (!r.Line(&line)) return false;
      PushWrapped(L, "ok", line);
      return true;
    case '-':
      if (!r.Line(&line)) return false;
      PushWrapped(L, "err", line);
      return true;
    case ':':
      if (!r.Int(&n)) return false;
      lua_pushnumber(L, lua_Number(n));
      return true;
    case '$':
    case '=': {
      if (!r.Int(&n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      if (!r.Bytes(n, &line)) return false;
      if (kind == '$') {
        lua_pushlstring(L, line.data(), line.size());
        return true;
      }
      // Verbatim "fmt:text".
      if (line.size() < 4) return false;
      lua_newtable(L);
      lua_newtable(L);
      lua_pushlstring(L, line.data(), 3);
      lua_setfield(L, -2, "format");
      lua_pushlstring(L, line.data() + 4, line.size() - 4);
      lua_setfield(L, -2, "string");
      lua_setfield(L, -2, "verbatim_string");
      return true;
    }
    case '*':
    case '>':
    case '%':
    case '~':
      if (!r.Int(&n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      return PushAggregate(L, r, kind, n, depth);
    case '_':
      if (!r.Line(&line)) return false;
      lua_pushnil(L);
      return true;
    case '#':
      if (!r.Line(&line) || line.size() != 1) return false;
      lua_pushboolean(L, line[0] == 't');
      return true;
    case ',': {
      if (!r.Line(&line)) return false;
      lua_newtable(L);
      lua_pushnumber(L, std::strtod(std::string(line).c_str(), nullptr));
      lua_setfield(L, -2, "double");
      return true;
    }
    case '(':
      if (!r.Line(&line)) return false;
      PushWrapped(L, "big_number", line);
      return true;
    default:
      return false;
  }
}

// The string field `name` of the table at idx, if it is a string.
bool StringField(lua_State* L, int idx, const char* name, std::string_view* out) {
  lua_pushstring(L, name);
  lua_rawget(L, idx);
  const bool ok = lua_type(L, -1) == LUA_TSTRING;
  if (ok) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    *out = std::string_view(s, len);  // stays valid: the table still references it
  }
  lua_pop(L, 1);
  return ok;
}

// Whether the table at idx has field `name` of type `type`; if so it is left on top.
bool FieldOfType(lua_State* L, int idx, const char* name, int type) {
  lua_pushstring(L, name);
  lua_rawget(L, idx);
  if (lua_type(L, -1) == type) return true;
  lua_pop(L, 1);
  return false;
}

int64_t LuaNumberToInteger(lua_Number d) {
  // A C cast of NaN or an out-of-range double is undefined; redis-server (x86-64)
  // answers INT64_MIN for those, so do we.
  if (std::isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
    return INT64_MIN;
  }
  return int64_t(d);
}

void WriteValue(lua_State* L, int idx, bool resp3, ReplyBuilder& reply, int depth);

void WriteTable(lua_State* L, int idx, bool resp3, ReplyBuilder& reply, int depth) {
  std::string_view s;
  if (StringField(L, idx, "err", &s)) {
    reply.Error(s);
    return;
  }
  if (StringField(L, idx, "ok", &s)) {
    reply.SimpleString(s);
    return;
  }
  if (FieldOfType(L, idx, "double", LUA_TNUMBER)) {
    reply.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  if (StringField(L, idx, "big_number", &s)) {
    reply.BigNumber(s);
    return;
  }
  for (const char* kind : {"map", "set"}) {
    if (!FieldOfType(L, idx, kind, LUA_TTABLE)) continue;
    const int t = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) ++n;
    if (kind[0] == 'm') {
      reply.MapHeader(n);
    } else {
      reply.SetHeader(n);
    }
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) {
      WriteValue(L, lua_gettop(L) - 1, resp3, reply, depth + 1);  // the key
      if (kind[0] == 'm') WriteValue(L, lua_gettop(L), resp3, reply, depth + 1);
    }
    lua_pop(L, 1);
    return;
  }
  if (FieldOfType(L, idx, "verbatim_string", LUA_TTABLE)) {
    const int t = lua_gettop(L);
    std::string_view format, text;
    if (StringField(L, t, "format", &format) && StringField(L, t, "string", &text)) {
      reply.Verbatim(text, format);
    } else {
      reply.NullBulk();
    }
    lua_pop(L, 1);
    return;
  }
  // An array: elements 1.. up to the first nil.
  size_t n = 0;
  for (;; ++n) {
    lua_rawgeti(L, idx, int(n + 1));
    const bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) break;
  }
  reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    lua_rawgeti(L, idx, int(i + 1));
    WriteValue(L, lua_gettop(L), resp3, reply, depth + 1);
    lua_pop(L, 1);
  }
}

void WriteValue(lua_State* L, int idx, bool resp3, ReplyBuilder& reply, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    reply.Error("ERR reached lua stack limit");
    return;
  }
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      reply.Bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (resp3) {
        reply.Bool(lua_toboolean(L, idx) != 0);
      } else if (lua_toboolean(L, idx)) {
        reply.Integer(1);
      } else {
        reply.NullBulk();
      }
      return;
    case LUA_TNUMBER:
      reply.Integer(LuaNumberToInteger(lua_tonumber(L, idx)));
      return;
    case LUA_TTABLE:
      WriteTable(L, idx, resp3, reply, depth);
      return;
    default:
      reply.NullBulk();
      return;
  }
}

}  // namespace

bool PushRespAsLua(lua_State* L, std::string_view resp) {
  Reader r{resp.data(), resp.data() + resp.size()};
  const int top = lua_gettop(L);
  if (!PushOne(L, r, 0) || r.p != r.end) {
    lua_settop(L, top);
    return false;
  }
  return true;
}

void WriteLuaAsReply(lua_State* L, int idx, bool script_resp3, ReplyBuilder& reply) {
  WriteValue(L, idx < 0 ? lua_gettop(L) + idx + 1 : idx, script_resp3, reply, 0);
}

}  // namespace larder
